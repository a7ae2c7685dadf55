import { describe, expect, it } from "vitest";
import { PEER_HEADER, clientAddress } from "@/lib/ops/client-address";

const h = (o: Record<string, string>) => new Headers(o);
const PROXIES = ["127.0.0.1/32", "10.0.0.0/8", "::1"];

describe("clientAddress (TRUSTED_PROXIES)", () => {
  it.each([
    ["direct client, no header", { [PEER_HEADER]: "198.51.100.7" }, "198.51.100.7"],
    ["direct client forging X-Forwarded-For", { [PEER_HEADER]: "198.51.100.7", "x-forwarded-for": "1.2.3.4" }, "198.51.100.7"],
    ["trusted proxy", { [PEER_HEADER]: "127.0.0.1", "x-forwarded-for": "203.0.113.9" }, "203.0.113.9"],
    ["trusted proxy, IPv4-mapped peer", { [PEER_HEADER]: "::ffff:127.0.0.1", "x-forwarded-for": "203.0.113.9" }, "203.0.113.9"],
    ["client-prepended hop behind a trusted proxy", { [PEER_HEADER]: "127.0.0.1", "x-forwarded-for": "1.2.3.4, 203.0.113.9" }, "203.0.113.9"],
    ["two trusted proxies", { [PEER_HEADER]: "10.1.2.3", "x-forwarded-for": "203.0.113.9, 127.0.0.1" }, "203.0.113.9"],
    ["trusted proxy without X-Forwarded-For", { [PEER_HEADER]: "::1" }, "::1"],
    ["malformed hop", { [PEER_HEADER]: "127.0.0.1", "x-forwarded-for": "not-an-ip" }, null],
    ["no peer header", { "x-forwarded-for": "1.2.3.4" }, null],
  ])("%s", (_name, headers, expected) => {
    expect(clientAddress(h(headers), PROXIES, true)).toBe(expected);
  });

  it("believes no peer header when not behind the entry server (next dev / next start)", () => {
    expect(clientAddress(h({ [PEER_HEADER]: "127.0.0.1", "x-forwarded-for": "1.2.3.4" }), PROXIES, false)).toBeNull();
  });

  it("with no trusted proxies a client's X-Forwarded-For is never believed", () => {
    expect(clientAddress(h({ [PEER_HEADER]: "127.0.0.1", "x-forwarded-for": "1.2.3.4" }), [], true)).toBe("127.0.0.1");
  });
});
