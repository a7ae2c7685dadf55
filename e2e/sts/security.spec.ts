/**
 * Web hardening, end to end against the real portal (sts mode, Ceph RGW): security headers and a
 * working nonce CSP, cross-site refusal, rate-limit-free normal use, and the CKAN token never leaving
 * the server — searched for in every response the browser receives (HTML, JS bundles, API JSON,
 * error bodies, headers) and in the portal's server log.
 */
import fs from "node:fs";
import path from "node:path";
import { expect, test, type Response } from "@playwright/test";
import { DEMO_TOKENS, expectNoSeriousA11yViolations, signIn } from "../support/portal";

const LOG_FILE = path.resolve(__dirname, "../..", ".tmp/e2e-sts-portal.log");

test("pages carry the security headers, and the nonce CSP lets the app run with no violation", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  const login = await page.goto("/login");
  const h = login!.headers();
  const csp = h["content-security-policy"];
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}' 'strict-dynamic'/);
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toMatch(new RegExp(`connect-src 'self' ${process.env.S3_ENDPOINT!.replace(/[.]/g, "\\.")}`));
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(h["strict-transport-security"]).toBeUndefined(); // plain http: HSTS only under https
  const nonce = /'nonce-([^']+)'/.exec(csp)![1];
  const scripts = await page.locator("script").evaluateAll((els) => els.map((e) => (e as HTMLScriptElement).nonce));
  expect(scripts.length).toBeGreaterThan(0);
  expect(new Set(scripts)).toEqual(new Set([nonce]));
  // Each response gets its own nonce.
  const again = (await page.request.get("/login")).headers()["content-security-policy"];
  expect(/'nonce-([^']+)'/.exec(again)![1]).not.toBe(nonce);

  // The app is interactive under the CSP: sign-in works and the deep link's uploader renders.
  await signIn(page, DEMO_TOKENS.editor_user);
  await page.goto("/datasets/test-dataset/upload");
  await expect(page.getByLabel("Choose files")).toBeAttached();
  await expectNoSeriousA11yViolations(page);
  expect(violations).toEqual([]);
});

test("HSTS is sent when the portal is reached over https (X-Forwarded-Proto)", async ({ request }) => {
  const res = await request.get("/login", { headers: { "x-forwarded-proto": "https" } });
  expect(res.headers()["strict-transport-security"]).toMatch(/^max-age=\d+; includeSubDomains$/);
});

test("state-changing API routes refuse cross-site requests", async ({ page }) => {
  await signIn(page, DEMO_TOKENS.editor_user);
  const data = { datasetId: "test-dataset", fileName: "x.bin", size: 10, contentType: "" };
  const variants: Array<Record<string, string>> = [{ origin: "https://evil.example" }, { "sec-fetch-site": "cross-site" }, { "sec-fetch-site": "same-site" }];
  for (const headers of variants) {
    const res = await page.request.post("/api/uploads", { data, headers });
    expect(res.status()).toBe(403);
    expect((await res.json()).error.code).toBe("cross_site_request");
  }
  // The portal's own page (same origin) still works: fetch from the page itself.
  const status = await page.evaluate(async () => (await fetch("/api/uploads/00000000-0000-0000-0000-000000000000/abort", { method: "POST" })).status);
  expect(status).toBe(404);
});

test("open redirects are refused: callbackUrl goes only to the portal or to CKAN_URL", async ({ page, request }) => {
  const base = String(test.info().project.use.baseURL);
  await signIn(page, DEMO_TOKENS.editor_user, "/login?callbackUrl=https%3A%2F%2Fevil.example%2F", "/");
  expect(new URL(page.url()).origin).toBe(new URL(base).origin);

  // next-auth's own redirect target, as its sign-in endpoint answers it.
  const ckanUrl = `http://127.0.0.1:${5151 + (Number(process.env.E2E_PORT_BASE ?? 3100) - 3100)}`;
  const target = async (callbackUrl: string) => {
    const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const res = await request.post("/api/auth/callback/ckan-token", { form: { token: DEMO_TOKENS.editor_user, csrfToken, callbackUrl, json: "true" } });
    return ((await res.json()) as { url: string }).url;
  };
  expect(await target("https://evil.example/steal")).toBe(`${base}/`);
  expect(await target("//evil.example/steal")).toBe(`${base}/`);
  expect(await target("/uploads")).toBe(`${base}/uploads`);
  expect(await target(`${ckanUrl}/dataset/test-dataset`)).toBe(`${ckanUrl}/dataset/test-dataset`);
});

test("request bodies over 256 KiB get 413", async ({ page }) => {
  await signIn(page, DEMO_TOKENS.editor_user);
  const res = await page.request.post("/api/uploads", { data: { datasetId: "test-dataset", fileName: "x".repeat(300 * 1024), size: 1, contentType: "" } });
  expect(res.status()).toBe(413);
  expect((await res.json()).error.code).toBe("too_large");
});

test("the CKAN token never appears in page HTML, JS bundles, API JSON, headers or the server log", async ({ page }) => {
  const token = DEMO_TOKENS.editor_user;
  const leaks: string[] = [];
  const pending: Array<Promise<void>> = [];
  let searched = 0;
  page.on("response", (res: Response) => {
    pending.push(
      (async () => {
        const headers = JSON.stringify(await res.allHeaders());
        const body = await res.body().catch(() => Buffer.alloc(0));
        searched++;
        if (headers.includes(token) || body.includes(token)) leaks.push(res.url());
      })(),
    );
  });

  // Sign-in (the token is sent once, in the sign-in POST, and must never come back).
  await signIn(page, token);
  for (const url of ["/", "/datasets/test-dataset/upload", "/uploads", "/datasets/no-such-dataset/upload", "/datasets/private-dataset/upload"]) {
    await page.goto(url);
  }
  // API answers: success, validation error, not found, conflict, CKAN-backed errors.
  const calls = await page.evaluate(async () => {
    const post = async (url: string, body?: unknown) => {
      const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: r.status, text: await r.text() };
    };
    const created = await post("/api/uploads", { datasetId: "test-dataset", fileName: "leak-check.bin", size: 10, contentType: "" });
    const id = (JSON.parse(created.text) as { sessionId: string }).sessionId;
    return [
      created,
      await post(`/api/uploads/${id}/credentials`),
      await post(`/api/uploads/${id}/parts`, { parts: [{ partNumber: 9, size: 1, etag: "x" }] }),
      await post(`/api/uploads/${id}/complete`, {}),
      await post(`/api/uploads/${id}/abort`),
      await post("/api/uploads", { datasetId: "no-such-dataset", fileName: "x", size: 1, contentType: "" }),
      await post("/api/uploads", "not json"),
    ];
  });
  expect(calls.map((c) => c.status)).toEqual([200, 200, 400, 409, 200, 404, 400]);
  for (const c of calls) expect(c.text).not.toContain(token);
  // Secrets the server log must never hold either (issue 14): STS secrets and the session cookie.
  const granted = JSON.parse(calls[0]!.text) as { credentials: { secretAccessKey: string; sessionToken: string } };
  const sessionCookie = (await page.context().cookies()).find((c) => c.name.includes("session-token"))!.value;
  const secrets = [granted.credentials.secretAccessKey, granted.credentials.sessionToken, sessionCookie];
  expect(secrets.every((x) => x.length > 10)).toBe(true);
  // A wrong token on sign-in is not echoed either.
  await page.context().clearCookies();
  await page.goto("/login");
  await page.getByLabel("CKAN API token").fill(`${token}-wrong`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#login-error")).toContainText(/CKAN did not accept this API token/);

  await Promise.all(pending);
  expect(searched).toBeGreaterThan(10);
  expect(leaks).toEqual([]);
  const jsBundles = await page.evaluate(() => performance.getEntriesByType("resource").filter((e) => e.name.endsWith(".js")).length);
  expect(jsBundles).toBeGreaterThan(0);

  const log = fs.readFileSync(LOG_FILE, "utf8");
  expect(log.length).toBeGreaterThan(0);
  expect(log).not.toContain(token);
  for (const secret of secrets) expect(log).not.toContain(secret);
  // The entry server logs one JSON line per request, with its request id (issue 14).
  const requestLines = log.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { msg?: string; path?: string; requestId?: string }).filter((l) => l.msg === "request");
  expect(requestLines.some((l) => l.path === "/api/uploads" && /^[0-9a-f-]{36}$/.test(l.requestId ?? ""))).toBe(true);
});
