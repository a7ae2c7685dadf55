import { describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config";
import { storedClientIp } from "@/lib/uploads/client-ip";

describe("storedClientIp (AUDIT_STORE_IP)", () => {
  it.each([
    ["203.0.113.77", "truncated", "203.0.113.0"],
    ["203.0.113.77", "full", "203.0.113.77"],
    ["203.0.113.77", "off", null],
    ["::ffff:198.51.100.9", "truncated", "198.51.100.0"],
    ["::ffff:198.51.100.9", "full", "198.51.100.9"],
    ["2001:db8:abcd:12:34::1", "truncated", "2001:db8:abcd::"],
    ["2001:db8:abcd:12:34::1", "full", "2001:db8:abcd:12:34::1"],
    ["2001:db8:abcd:12:34::1", "off", null],
    ["not-an-ip", "truncated", null],
    ["not-an-ip", "full", "not-an-ip"],
    [null, "full", null],
  ] as const)("%j in mode %s → %j", (ip, mode, expected) => {
    expect(storedClientIp(ip, mode)).toBe(expected);
  });

  it("defaults to truncated and rejects other values", () => {
    const base = { CKAN_URL: "https://ckan.example.org", S3_BUCKET: "ckan-uploads", NEXTAUTH_SECRET: "x".repeat(32), CREDENTIALS_MODE: "presigned" };
    expect(parseConfig(base).AUDIT_STORE_IP).toBe("truncated");
    expect(parseConfig({ ...base, AUDIT_STORE_IP: "off" }).AUDIT_STORE_IP).toBe("off");
    expect(() => parseConfig({ ...base, AUDIT_STORE_IP: "partial" })).toThrow(/AUDIT_STORE_IP/);
  });
});
