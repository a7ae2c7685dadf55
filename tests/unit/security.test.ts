/** Web hardening, unit level: cross-site refusal, security headers, redirects, body limits, rate limits, production secrets. */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { NextRequest } from "next/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { MAX_JSON_BODY_BYTES, parseJson } from "@/lib/api/handler";
import { DEMO_NEXTAUTH_SECRET, parseConfig, resetConfigForTests } from "@/lib/config";
import { productionSecretIssues } from "@/lib/production-guard";
import { safeReturnUrl } from "@/lib/safe-redirect";
import { contentSecurityPolicy, s3ConnectSources, securityHeaders } from "@/lib/security/headers";
import { consumeRateLimit, resetRateLimitsForTests } from "@/lib/security/rate-limit";
import { assertSameOrigin } from "@/lib/security/same-origin";
import { z } from "zod";

function req(method: string, headers: Record<string, string> = {}, url = "http://127.0.0.1:3000/api/uploads"): NextRequest {
  return new NextRequest(url, { method, headers: { host: "127.0.0.1:3000", ...headers } });
}

function thrown(fn: () => unknown): ApiError | undefined {
  try {
    fn();
  } catch (e) {
    return e as ApiError;
  }
  return undefined;
}

describe("assertSameOrigin (state-changing routes refuse cross-site requests)", () => {
  it.each([
    ["same-origin fetch", { "sec-fetch-site": "same-origin", origin: "http://127.0.0.1:3000" }],
    ["no Origin nor Sec-Fetch-Site (curl)", {}],
    ["the public origin behind a proxy", { origin: "https://upload.example.org", "x-forwarded-host": "upload.example.org", "x-forwarded-proto": "https" }],
  ])("accepts %s", (_n, headers) => {
    expect(thrown(() => assertSameOrigin(req("POST", headers)))).toBeUndefined();
  });

  it.each([
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site: same-site (a sibling subdomain)", { "sec-fetch-site": "same-site" }],
    ["a foreign Origin", { origin: "https://evil.example" }],
    ["Origin: null (sandboxed frame)", { origin: "null" }],
    ["a foreign Origin claiming same-origin", { origin: "https://evil.example", "sec-fetch-site": "same-origin" }],
  ])("refuses %s with 403 cross_site_request", (_n, headers) => {
    const err = thrown(() => assertSameOrigin(req("POST", headers)));
    expect(err).toBeInstanceOf(ApiError);
    expect(err!.code).toBe("cross_site_request");
    expect(err!.status).toBe(403);
  });

  it("lets safe methods through (GET downloads are links from CKAN)", () => {
    expect(thrown(() => assertSameOrigin(req("GET", { "sec-fetch-site": "cross-site", origin: "https://ckan.example.org" })))).toBeUndefined();
  });
});

describe("security headers", () => {
  it("CSP: nonce-only scripts, S3 in connect-src, no framing", () => {
    const csp = contentSecurityPolicy({ nonce: "abc123", s3: { S3_ENDPOINT: "http://127.0.0.1:7480", S3_FORCE_PATH_STYLE: true, S3_REGION: "us-east-1" } });
    const d = Object.fromEntries(csp.split("; ").map((x) => [x.split(" ")[0], x.split(" ").slice(1)]));
    expect(d["script-src"]).toEqual(["'self'", "'nonce-abc123'", "'strict-dynamic'", "'wasm-unsafe-eval'"]);
    expect(d["script-src"]).not.toContain("'unsafe-inline'");
    expect(d["connect-src"]).toEqual(["'self'", "http://127.0.0.1:7480"]);
    expect(d["frame-ancestors"]).toEqual(["'none'"]);
    expect(d["object-src"]).toEqual(["'none'"]);
  });

  it("connect-src covers AWS's virtual-hosted endpoints, and S3_BROWSER_ENDPOINT when set", () => {
    expect(s3ConnectSources({ S3_FORCE_PATH_STYLE: false, S3_REGION: "eu-west-1" })).toContain("https://*.s3.eu-west-1.amazonaws.com");
    expect(s3ConnectSources({ S3_ENDPOINT: "https://rgw.example.org", S3_FORCE_PATH_STYLE: false, S3_REGION: "x" })).toEqual(["https://rgw.example.org", "https://*.rgw.example.org"]);
    expect(s3ConnectSources({ S3_ENDPOINT: "http://rgw:7480", S3_BROWSER_ENDPOINT: "https://s3.example.org", S3_FORCE_PATH_STYLE: true, S3_REGION: "x" })).toEqual(["https://s3.example.org", "http://rgw:7480"]);
  });

  it("HSTS only under https; nosniff and a referrer policy always", () => {
    expect(securityHeaders({ csp: "x", https: false })).not.toHaveProperty("strict-transport-security");
    const h = securityHeaders({ csp: "x", https: true });
    expect(h["strict-transport-security"]).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  });
});

describe("safeReturnUrl (callbackUrl and return links: the portal or CKAN_URL only)", () => {
  const opts = { portalOrigin: "https://upload.example.org", ckanUrl: "https://data.example.org/catalog" };
  it.each([
    ["/datasets/x/upload", "https://upload.example.org/datasets/x/upload"],
    ["https://upload.example.org/uploads?x=1", "https://upload.example.org/uploads?x=1"],
    ["https://data.example.org/catalog/dataset/x", "https://data.example.org/catalog/dataset/x"],
    ["https://data.example.org/elsewhere", "https://upload.example.org/"],
    ["https://data.example.org/catalogue-evil", "https://upload.example.org/"],
    ["https://evil.example/", "https://upload.example.org/"],
    ["https://upload.example.org.evil.example/", "https://upload.example.org/"],
    ["https://user:pw@upload.example.org/", "https://upload.example.org/"],
    ["//evil.example/x", "https://upload.example.org/"],
    ["/\\evil.example", "https://upload.example.org/"],
    ["javascript:alert(1)", "https://upload.example.org/"],
    [undefined, "https://upload.example.org/"],
  ])("%j → %j", (input, expected) => {
    expect(safeReturnUrl(input, opts)).toBe(expected);
  });
});

describe("parseJson body size limit", () => {
  const schema = z.object({}).passthrough();
  it("refuses a body over 256 KiB with 413 too_large", async () => {
    const body = JSON.stringify({ pad: "x".repeat(MAX_JSON_BODY_BYTES) });
    const err = await parseJson(new NextRequest("http://h/api", { method: "POST", body }), schema).catch((e: unknown) => e);
    expect((err as ApiError).code).toBe("too_large");
    expect((err as ApiError).status).toBe(413);
  });
  it("refuses a declared Content-Length over the limit before reading", async () => {
    const r = new NextRequest("http://h/api", { method: "POST", body: "{}", headers: { "content-length": String(MAX_JSON_BODY_BYTES + 1) } });
    expect(((await parseJson(r, schema).catch((e: unknown) => e)) as ApiError).code).toBe("too_large");
  });
  it("reads a body without Content-Length (chunked) only until it passes the limit", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(64 * 1024).fill(0x20));
      },
    });
    const r = new NextRequest("http://h/api", { method: "POST", body: endless, duplex: "half" } as ConstructorParameters<typeof NextRequest>[1]);
    expect(((await parseJson(r, schema).catch((e: unknown) => e)) as ApiError).code).toBe("too_large");
    expect(pulled).toBeLessThanOrEqual(MAX_JSON_BODY_BYTES / (64 * 1024) + 2);
  });
  it("counts bytes, not characters (multi-byte text)", async () => {
    const body = JSON.stringify({ pad: "日".repeat(MAX_JSON_BODY_BYTES / 3 + 10) });
    expect(((await parseJson(new NextRequest("http://h/api", { method: "POST", body }), schema).catch((e: unknown) => e)) as ApiError).code).toBe("too_large");
  });
});

describe("per-user rate limits", () => {
  const saved = { ...process.env };
  beforeEach(() => {
    Object.assign(process.env, { CKAN_URL: "http://ckan.test", S3_BUCKET: "ckan-uploads", CREDENTIALS_MODE: "presigned", NEXTAUTH_SECRET: "x".repeat(32), RATE_LIMIT_UPLOADS_PER_MINUTE: "3", RATE_LIMIT_SIGN_PER_MINUTE: "5" });
    resetConfigForTests();
    resetRateLimitsForTests();
  });
  afterEach(() => {
    process.env = { ...saved };
    resetConfigForTests();
    resetRateLimitsForTests();
  });

  it("the 4th upload start in a minute gets 429 with Retry-After; another user is unaffected", async () => {
    for (let i = 0; i < 3; i++) await consumeRateLimit("uploads", "user-a");
    const err = (await consumeRateLimit("uploads", "user-a").catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe("rate_limited");
    const res = toErrorResponse(err);
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await res.json()).toEqual({ error: { code: "rate_limited", message: expect.stringMatching(/Too many upload starts: try again in \d+ s\./) } });
    await expect(consumeRateLimit("uploads", "user-b")).resolves.toBeUndefined();
    // Signing has its own budget.
    await expect(consumeRateLimit("sign", "user-a")).resolves.toBeUndefined();
  });

  it("credential and sign calls share RATE_LIMIT_SIGN_PER_MINUTE", async () => {
    for (let i = 0; i < 5; i++) await consumeRateLimit("sign", "user-a");
    expect(((await consumeRateLimit("sign", "user-a").catch((e: unknown) => e)) as ApiError).status).toBe(429);
  });
});

describe("secrets (NODE_ENV=production refuses demo secrets and credentials)", () => {
  const prod = { NODE_ENV: "production", NEXTAUTH_SECRET: "a-real-random-secret-of-enough-length-123", AWS_ACCESS_KEY_ID: "AKIAREALKEY", AWS_SECRET_ACCESS_KEY: "real" };
  it("accepts real secrets", () => {
    expect(productionSecretIssues(prod)).toEqual([]);
  });
  it("refuses the demo NEXTAUTH_SECRET and the demo S3 keys, naming the variables and not the values", () => {
    const issues = productionSecretIssues({ ...prod, NEXTAUTH_SECRET: DEMO_NEXTAUTH_SECRET, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" });
    expect(issues.map((i) => i.split(":")[0])).toEqual(["NEXTAUTH_SECRET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
    expect(issues.join("\n")).not.toContain(DEMO_NEXTAUTH_SECRET);
  });
  it("allows them outside production, and in the demo (PORTAL_DEMO=true)", () => {
    expect(productionSecretIssues({ ...prod, NODE_ENV: "development", NEXTAUTH_SECRET: DEMO_NEXTAUTH_SECRET })).toEqual([]);
    expect(productionSecretIssues({ ...prod, PORTAL_DEMO: "true", NEXTAUTH_SECRET: DEMO_NEXTAUTH_SECRET })).toEqual([]);
  });
  it("NEXTAUTH_SECRET is required", () => {
    expect(() => parseConfig({ CKAN_URL: "http://c", S3_BUCKET: "bucket", CREDENTIALS_MODE: "presigned" })).toThrow(/NEXTAUTH_SECRET: is required/);
  });
});

// Each test spawns tsx (1–2 s on an idle machine, 10 s and more on a loaded one): the default 5 s
// test timeout is a margin these tests do not control, so they get a last-resort guard instead.
describe("start-up under NODE_ENV=production", { timeout: 120_000 }, () => {
  const ROOT = path.resolve(__dirname, "../..");
  const run = (env: Record<string, string>) =>
    spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), ["-e", "require('./lib/startup').checkConfigAtStartup(); console.log('started')"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, CKAN_URL: "https://ckan.example.org", S3_BUCKET: "ckan-uploads", CREDENTIALS_MODE: "presigned", NODE_ENV: "production", ...env },
      encoding: "utf8",
    });

  it("refuses to start on the demo secret and demo S3 keys, naming them", () => {
    const r = run({ NEXTAUTH_SECRET: DEMO_NEXTAUTH_SECRET, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/NEXTAUTH_SECRET: is the demo secret or a placeholder.*refusing to start with NODE_ENV=production/);
    expect(r.stderr).toMatch(/AWS_ACCESS_KEY_ID: is a demo or documentation example key/);
    expect(r.stdout).not.toContain("started");
  });

  it("refuses to start without NEXTAUTH_SECRET", () => {
    const r = run({});
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("NEXTAUTH_SECRET: is required");
  });

  it("starts with real secrets, and the demo (PORTAL_DEMO=true) starts on its own", () => {
    expect(run({ NEXTAUTH_SECRET: "a-real-random-secret-of-enough-length-123" }).stdout).toContain("started");
    expect(run({ NEXTAUTH_SECRET: DEMO_NEXTAUTH_SECRET, PORTAL_DEMO: "true" }).stdout).toContain("started");
  });
});
