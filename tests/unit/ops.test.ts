import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig, resetConfigForTests } from "@/lib/config";
import { REDACT_PATHS } from "@/lib/ops/log";
import { GET as metrics } from "@/app/metrics/route";
import { NextRequest } from "next/server";

const base = { CKAN_URL: "http://ckan.example.org", S3_BUCKET: "bucket", CREDENTIALS_MODE: "presigned", NEXTAUTH_SECRET: "x".repeat(40) };

describe("operations settings (issue 14)", () => {
  afterEach(() => {
    delete process.env.METRICS_TOKEN;
    resetConfigForTests();
  });

  it("parses TRUSTED_PROXIES as CIDRs and addresses, and names a bad entry's variable", () => {
    expect(parseConfig({ ...base, TRUSTED_PROXIES: "127.0.0.1/32, 10.0.0.0/8,::1" }).TRUSTED_PROXIES).toEqual(["127.0.0.1/32", "10.0.0.0/8", "::1"]);
    expect(parseConfig(base).TRUSTED_PROXIES).toEqual([]);
    expect(() => parseConfig({ ...base, TRUSTED_PROXIES: "10.0.0.0/8,proxy.example.org" })).toThrow(/TRUSTED_PROXIES/);
    expect(() => parseConfig({ ...base, METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN: must be at least 16 characters/);
  });

  it("/metrics is off (404) without METRICS_TOKEN and needs the bearer token with it", async () => {
    Object.assign(process.env, base);
    resetConfigForTests();
    expect((await metrics(new NextRequest("http://portal/metrics"))).status).toBe(404);
    process.env.METRICS_TOKEN = "a-metrics-token-of-some-length";
    resetConfigForTests();
    expect((await metrics(new NextRequest("http://portal/metrics", { headers: { authorization: "Bearer nope" } }))).status).toBe(401);
    expect((await metrics(new NextRequest("http://portal/metrics", { headers: { authorization: "a-metrics-token-of-some-length" } }))).status).toBe(401);
  });

  it("the logger's redaction removes tokens, STS secrets and cookies wherever they sit", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: "[redacted]" } }, sink);
    log.info({ token: "T1", caller: { apiToken: "T2" }, credentials: { secretAccessKey: "S1", sessionToken: "S2" }, req: { headers: { cookie: "C1", authorization: "A1" } } });
    const out = lines.join("");
    for (const secret of ["T1", "T2", "S1", "S2", "C1", "A1"]) expect(out).not.toContain(`"${secret}"`);
    expect(out).toContain("[redacted]");
  });
});
