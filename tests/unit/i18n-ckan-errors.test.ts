/**
 * Sign-in and "CKAN is down" reasons travel as codes the UI translates (issue 12, lib/i18n/sign-in-errors.ts):
 * the CKAN client gives each CKAN-down error a code with the URL/status/type as arguments (from the answer,
 * not from its English text), the code survives next-auth's `error` string and the page digest, and every
 * code has a message in every catalogue.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CkanError, ckanDownReasonFromDigest } from "@/lib/ckan/errors";
import { notCkanMessage, parseAnswer } from "@/lib/ckan/transport";
import { CKAN_ERROR_CODES, decodeReason, encodeReason } from "@/lib/i18n/sign-in-errors";
import { LOCALES } from "@/lib/i18n/locales";

describe("CKAN error reasons", () => {
  it("a not-CKAN answer keeps its URL, status and content type as arguments, also through the page digest", () => {
    const meta = { baseUrl: "https://ckan.example.org/", contentType: "text/html; charset=utf-8" };
    let err: unknown;
    try {
      parseAnswer("package_show", 503, "<html>Maintenance</html>", "tok", meta);
    } catch (e) {
      err = e;
    }
    const reason = { code: "ckan_not_api", values: { url: "https://ckan.example.org", status: "503", type: "text/html" } };
    expect(err).toBeInstanceOf(CkanError);
    expect((err as CkanError).message).toBe(notCkanMessage(meta, 503));
    expect((err as CkanError).reason).toEqual(reason);
    expect(ckanDownReasonFromDigest((err as CkanError).digest)).toEqual(reason);
  });

  it("a CKAN-down error without a reason is ckan_failed; other errors carry none", () => {
    const server = new CkanError({ kind: "server", action: "package_show", status: 500, message: "CKAN package_show: Internal Server Error" });
    expect(ckanDownReasonFromDigest(server.digest)).toEqual({ code: "ckan_failed", values: {} });
    const refused = new CkanError({ kind: "authorization", action: "package_show", status: 403, message: "CKAN package_show: Authorization Error" });
    expect([refused.reason, refused.digest, ckanDownReasonFromDigest(refused.digest)]).toEqual([undefined, undefined, null]);
    expect(ckanDownReasonFromDigest("1234567")).toBeNull(); // Next's own digests
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
