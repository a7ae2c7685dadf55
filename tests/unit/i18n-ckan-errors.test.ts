/**
 * Sign-in and "CKAN is down" reasons travel as codes the UI translates (issue 12, lib/i18n/sign-in-errors.ts):
 * the English messages of lib/ckan map to a code with the URL/status/type as arguments, the code survives
 * next-auth's `error` string, and every code has a message in every catalogue.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { notCkanMessage } from "@/lib/ckan/transport";
import { CKAN_ERROR_CODES, decodeReason, encodeReason, reasonOfCkanMessage } from "@/lib/i18n/sign-in-errors";
import { LOCALES } from "@/lib/i18n/locales";

describe("CKAN error reasons", () => {
  it("a not-CKAN answer keeps its URL, status and content type as arguments", () => {
    const message = notCkanMessage({ baseUrl: "https://ckan.example.org/", contentType: "text/html; charset=utf-8" }, 503);
    expect(reasonOfCkanMessage(message)).toEqual({ code: "ckan_not_api", values: { url: "https://ckan.example.org", status: "503", type: "text/html" } });
    expect(reasonOfCkanMessage(`${message}. The token could not be checked; try again later.`).code).toBe("ckan_not_api");
  });

  it("an unreachable CKAN keeps its host; anything else is ckan_failed", () => {
    expect(reasonOfCkanMessage("CKAN at ckan.example.org:5000 is unreachable (user_show): fetch failed")).toEqual({ code: "ckan_unreachable", values: { host: "ckan.example.org:5000" } });
    expect(reasonOfCkanMessage("CKAN at ckan:5000 did not answer user_show within 10000 ms").code).toBe("ckan_unreachable");
    expect(reasonOfCkanMessage("Internal Server Error")).toEqual({ code: "ckan_failed", values: {} });
  });

  it("encode/decode round-trips, and next-auth's own errors are not codes", () => {
    const reason = { code: "ckan_not_api" as const, values: { url: "https://c.example/a?b=1&c", status: "200", type: "text/html" } };
    expect(decodeReason(encodeReason(reason))).toEqual(reason);
    expect(decodeReason("token_rejected")).toEqual({ code: "token_rejected", values: {} });
    expect(decodeReason("CredentialsSignin")).toBeNull();
    expect(decodeReason("CKAN did not accept this API token.")).toBeNull();
    expect(decodeReason(undefined)).toBeNull();
  });

  it.each(LOCALES)("every code has a %s message", (locale) => {
    const messages = JSON.parse(fs.readFileSync(path.resolve(__dirname, `../../messages/${locale}.json`), "utf8")) as { ckanErrors: Record<string, string> };
    expect(CKAN_ERROR_CODES.filter((c) => typeof messages.ckanErrors?.[c] !== "string")).toEqual([]);
  });
});
