/**
 * The command line behind a corporate proxy and with a private CA (issue 13), on `npm run demo`'s stack
 * (presigned mode: the part PUTs go to s3rver on 127.0.0.1). A counting forward proxy
 * (tests/support/forward-proxy.ts) sees the CLI's portal calls and S3 part PUTs when HTTP_PROXY is set,
 * and none of a NO_PROXY host's; a TLS front with a certificate from a CA made at test time
 * (e2e/support/tls.ts) is refused at once — exit 4, the certificate problem named — unless
 * NODE_EXTRA_CA_CERTS names the CA, and HTTPS_PROXY tunnels it with CONNECT.
 */
import path from "node:path";
import { expect, test } from "@playwright/test";
import { DEMO_PORT, DEMO_S3_PORT } from "../../playwright.config";
import { startForwardProxy, type ForwardProxy } from "../../tests/support/forward-proxy";
import { cliHome, runCli, type CliRun } from "../support/cli";
import { makeFile } from "../support/files";
import { DEMO_TOKENS } from "../support/portal";
import { makeTestCa, startTlsFront, type TestCa, type TlsFront } from "../support/tls";

const PORTAL = `127.0.0.1:${DEMO_PORT}`;
const S3 = `127.0.0.1:${DEMO_S3_PORT}`;
const PART = 5 * 1024 * 1024;

let proxy: ForwardProxy;
let ca: TestCa;
let front: TlsFront;

test.beforeAll(async () => {
  proxy = await startForwardProxy();
  ca = makeTestCa(path.resolve(__dirname, "../../.tmp/e2e-tls", String(Date.now())));
  front = await startTlsFront(ca, DEMO_PORT);
});
test.afterAll(async () => {
  await proxy?.close();
  await front?.close();
});
test.beforeEach(() => {
  proxy.requests.length = 0;
  front.requests.length = 0;
});

/** Uploads a fresh 3-part file (the last one partial) to test-dataset with `env`; `portal` is the --portal URL. */
async function put(portal: string, env: Record<string, string>): Promise<{ run: CliRun; file: ReturnType<typeof makeFile> }> {
  const file = makeFile(`cli-proxy-${Date.now()}-${Math.round(Math.random() * 1e6)}.bin`, 2 * PART + 1234);
  const run = await runCli(["--portal", portal, "--json", "--outage-tolerance", "120", "put", "test-dataset", file.path], { token: DEMO_TOKENS.editor_user, home: cliHome(), env });
  return { run, file };
}

function expectCompleted(r: { run: CliRun; file: ReturnType<typeof makeFile> }): void {
  expect(r.run.code, r.run.stderr + r.run.stdout).toBe(0);
  expect(r.run.events.find((e) => e.event === "completed")).toMatchObject({ size: r.file.size, sha256: r.file.sha256 });
}

const through = (host: string, method?: string) => proxy.requests.filter((r) => r.host === host && (!method || r.method === method));

test("HTTP_PROXY carries the portal calls and the part PUTs; a NO_PROXY host is reached directly", async () => {
  const proxied = await put(`http://${PORTAL}`, { HTTP_PROXY: proxy.url });
  expectCompleted(proxied);
  expect(through(PORTAL, "POST").map((r) => r.path)).toEqual(expect.arrayContaining(["/api/uploads", expect.stringMatching(/^\/api\/uploads\/[0-9a-f-]{36}\/complete$/)]));
  expect(through(PORTAL).some((r) => r.path.startsWith("/api/uploads?"))).toBe(true); // the start-up check
  expect(through(S3, "PUT")).toHaveLength(3); // every part, through the proxy

  proxy.requests.length = 0;
  const storeDirect = await put(`http://${PORTAL}`, { http_proxy: proxy.url, NO_PROXY: S3 }); // lower case works too
  expectCompleted(storeDirect);
  expect(through(PORTAL, "POST").length).toBeGreaterThanOrEqual(3);
  expect(through(S3)).toHaveLength(0);

  proxy.requests.length = 0;
  const allDirect = await put(`http://${PORTAL}`, { HTTP_PROXY: proxy.url, NO_PROXY: "example.org,127.0.0.1" });
  expectCompleted(allDirect);
  expect(proxy.requests).toHaveLength(0);
});

test("a portal with a private CA's certificate: refused at once without NODE_EXTRA_CA_CERTS (exit 4, the certificate problem named); trusted with it; HTTPS_PROXY tunnels it", async () => {
  const started = Date.now();
  const untrusted = await put(front.url, {});
  expect(untrusted.run.code, untrusted.run.stderr).toBe(4);
  const error = untrusted.run.events.find((e) => e.event === "error");
  expect(error?.message).toMatch(/certificate/i);
  expect(error?.message).toContain("NODE_EXTRA_CA_CERTS");
  expect(untrusted.run.events.some((e) => e.event === "waiting")).toBe(false); // not mistaken for an outage
  expect(Date.now() - started).toBeLessThan(60_000); // --outage-tolerance is 120 s: it did not wait it out
  expect(front.requests).toHaveLength(0);

  const trusted = await put(front.url, { NODE_EXTRA_CA_CERTS: ca.caFile });
  expectCompleted(trusted);
  expect(front.requests.some((r) => r.method === "POST" && r.path === "/api/uploads")).toBe(true);

  front.requests.length = 0;
  const tunnelled = await put(front.url, { NODE_EXTRA_CA_CERTS: ca.caFile, HTTPS_PROXY: proxy.url });
  expectCompleted(tunnelled);
  expect(proxy.requests.filter((r) => r.method === "CONNECT").map((r) => r.host)).toContain(`127.0.0.1:${front.port}`);
  expect(front.requests.some((r) => r.method === "POST" && r.path === "/api/uploads")).toBe(true);
  // HTTPS_PROXY is for https:// targets only: the http:// store is reached directly (HTTP_PROXY would carry it).
  expect(through(S3)).toHaveLength(0);
});
