/**
 * The `ckan-upload` command line (issue 13) against the faults stack: sts mode, Ceph RGW behind the
 * fault proxy (tests/support/fault-proxy.ts), which counts every part PUT. The CLI is the bundle that
 * `npm pack` ships, in a child process with its own XDG folders; the token comes from CKAN_API_TOKEN.
 */
import fs from "node:fs";
import net, { type AddressInfo } from "node:net";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { ListPartsCommand } from "@aws-sdk/client-s3";
import { FAULT_PROXY_PORT, FAULTS_CKAN_PORT, FAULTS_PORT } from "../../playwright.config";
import { startFaultProxy, type FaultProxy } from "../../tests/support/fault-proxy";
import { cliHome, psArgs, readTree, runCli, type CliRun } from "../support/cli";
import { makeFile } from "../support/files";
import { DEMO_TOKENS, newestSession, openDb, signIn } from "../support/portal";
import { objectSha256, rgwClient } from "../support/s3";

const DB_URL = "file:./.tmp/e2e-faults.db";
const PORTAL = `http://127.0.0.1:${FAULTS_PORT}`;
const TOKEN = DEMO_TOKENS.editor_user;
const MiB = 1024 * 1024;

let proxy: FaultProxy;
test.beforeAll(async () => {
  if (!process.env.S3_ENDPOINT) throw new Error("S3_ENDPOINT is not set: start Ceph RGW (npm test does)");
  proxy = await startFaultProxy({ target: process.env.S3_ENDPOINT, port: FAULT_PROXY_PORT });
});
test.afterAll(async () => proxy?.close());
test.beforeEach(() => proxy.reset());

const baseName = (p: string) => path.basename(p);
const session = (fileName: string) => newestSession(DB_URL, fileName)!;
function count(sql: string, ...args: unknown[]): number {
  const db = openDb(DB_URL);
  try {
    return (db.prepare(sql).get(...args) as { n: number }).n;
  } finally {
    db.close();
  }
}
const recordedParts = (name: string) =>
  count(`SELECT COUNT(*) AS n FROM UploadPart p JOIN UploadSession s ON s.id = p.sessionId WHERE s.fileName = ?`, name);

/** The CKAN resource `id` as CKAN itself answers it (the stack's demo CKAN). */
async function ckanResource(id: string): Promise<{ name: string; size: number; hash: string; package_id: string }> {
  const res = await fetch(`http://127.0.0.1:${FAULTS_CKAN_PORT}/api/3/action/resource_show?id=${id}`, { headers: { authorization: TOKEN } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { result: { name: string; size: number; hash: string; package_id: string } }).result;
}

/** The object's parts in RGW right now (ListParts), by number. */
async function storedPartNumbers(fileName: string): Promise<number[]> {
  const s = session(fileName);
  const db = openDb(DB_URL);
  const uploadId = (db.prepare(`SELECT uploadId FROM UploadSession WHERE id = ?`).get(s.id) as { uploadId: string }).uploadId;
  db.close();
  const out = await rgwClient().send(new ListPartsCommand({ Bucket: s.bucket, Key: s.key, UploadId: uploadId }));
  return (out.Parts ?? []).map((p) => p.PartNumber!).sort((a, b) => a - b);
}

/** Part numbers PUT (and stored) since `before`. */
function sentSince(before: Record<number, number>): number[] {
  const after = proxy.stats().storedParts;
  return Object.keys(after).map(Number).filter((n) => (after[n] ?? 0) > (before[n] ?? 0)).sort((a, b) => a - b);
}

const put = (args: string[], o: Parameters<typeof runCli>[1]) => runCli(["--portal", PORTAL, "--json", ...args], o);

function expectNoToken(run: CliRun, home: { config: string; state: string }): void {
  expect(run.stdout).not.toContain(TOKEN);
  expect(run.stderr).not.toContain(TOKEN);
  expect(readTree(home.state)).not.toContain(TOKEN);
}

test("put --json: one resource with size and hash, object SHA-256 = file's, parsed events, token nowhere", async () => {
  const home = cliHome();
  const file = makeFile(`cli-${Date.now()}.nc`, 23 * MiB + 17); // 5 parts
  const name = baseName(file.path);
  let psDuringRun = "";
  const run = await put(["put", "test-dataset", file.path], {
    token: TOKEN,
    home,
    onEvent: (e) => {
      if (e.event === "progress" && !psDuringRun) psDuringRun = psArgs();
    },
  });
  expect(run.code, run.stderr).toBe(0);
  const kinds = run.events.map((e) => e.event);
  expect(kinds).toEqual(expect.arrayContaining(["file", "session", "progress", "completed", "summary"]));
  const done = run.events.find((e) => e.event === "completed")!;
  expect(done).toMatchObject({ name, size: file.size, sha256: file.sha256 });
  expect(run.events.at(-1)).toMatchObject({ event: "summary", files: 1, completed: 1, failed: 0, exitCode: 0 });

  const s = session(name);
  expect(s.status).toBe("COMPLETED");
  expect(s.sha256).toBe(file.sha256);
  expect(await objectSha256(rgwClient(), s.bucket, s.key)).toEqual({ sha256: file.sha256, size: file.size });
  const r = await ckanResource(String(done.resourceId));
  expect(r).toMatchObject({ name, size: file.size, hash: `sha256:${file.sha256}` });
  expect(count(`SELECT COUNT(*) AS n FROM UploadSession WHERE fileName = ?`, name)).toBe(1);

  expect(psDuringRun).toContain("ckan-upload.js");
  expect(psDuringRun).not.toContain(TOKEN);
  expectNoToken(run, home);
  expect(readTree(home.state).trim()).toBe(""); // a completed upload leaves no state behind
});

test("kill -9 at ~40 %, then the same command: only the missing parts are sent, SHA-256 matches", async () => {
  const home = cliHome();
  const file = makeFile(`cli-kill-${Date.now()}.bin`, 100 * MiB); // 20 parts of 5 MiB
  const name = baseName(file.path);
  proxy.stallPartsAfter(8); // parts 9+ hang: the upload sits at 40 %
  let killed = false;
  const first = await put(["put", "test-dataset", file.path], {
    token: TOKEN,
    home,
    onSpawn: (child) => {
      const timer = setInterval(() => {
        if (Object.keys(proxy.stats().storedParts).length >= 8 && recordedParts(name) >= 1) {
          clearInterval(timer);
          killed = child.kill("SIGKILL");
        }
      }, 100);
      child.on("close", () => clearInterval(timer));
    },
  });
  expect(killed).toBe(true);
  expect(first.signal).toBe("SIGKILL");
  expect(readTree(home.state)).toContain(session(name).id); // the local state names the session
  proxy.stallPartsAfter(null);
  const stored = await storedPartNumbers(name);
  expect(stored).toHaveLength(8);
  const before = proxy.stats().storedParts;

  const second = await put(["put", "test-dataset", file.path], { token: TOKEN, home });
  expect(second.code, second.stderr).toBe(0);
  expect(second.events.find((e) => e.event === "resuming")).toMatchObject({ from: "state", skippedParts: 8, partCount: 20 });
  const missing = Array.from({ length: 20 }, (_, i) => i + 1).filter((n) => !stored.includes(n));
  expect(sentSince(before)).toEqual(missing); // exactly the 12 missing parts, none of the stored ones
  expect(count(`SELECT COUNT(*) AS n FROM UploadSession WHERE fileName = ?`, name)).toBe(1);
  const s = session(name);
  expect(s.status).toBe("COMPLETED");
  expect(s.sha256).toBe(file.sha256);
  expect(await objectSha256(rgwClient(), s.bucket, s.key)).toEqual({ sha256: file.sha256, size: file.size });
  expectNoToken(second, home);
});

test("Ctrl-C pauses cleanly (state saved, a line says how to resume), `resume` sends the rest", async () => {
  const home = cliHome();
  const file = makeFile(`cli-int-${Date.now()}.bin`, 50 * MiB); // 10 parts
  const name = baseName(file.path);
  proxy.stallPartsAfter(4); // parts in flight hang: Ctrl-C must abort them
  const interrupted = await put(["put", "test-dataset", file.path], {
    token: TOKEN,
    home,
    onSpawn: (child) => {
      const timer = setInterval(() => {
        if (Object.keys(proxy.stats().storedParts).length >= 4 && recordedParts(name) >= 1) {
          clearInterval(timer);
          child.kill("SIGINT");
        }
      }, 100);
      child.on("close", () => clearInterval(timer));
    },
  });
  expect(interrupted.code).toBe(130);
  expect(interrupted.stderr).toContain("pausing");
  expect(interrupted.stderr).toMatch(/Paused\. To continue, run the same command again .*or: ckan-upload resume/);
  expect(interrupted.events.find((e) => e.event === "paused")).toMatchObject({ name, sessionId: session(name).id });
  expect(readTree(home.state)).toContain(session(name).id);
  proxy.stallPartsAfter(null);
  const stored = await storedPartNumbers(name);
  const before = proxy.stats().storedParts;

  const resumed = await runCli(["--portal", PORTAL, "--json", "resume"], { token: TOKEN, home });
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(sentSince(before)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1).filter((n) => !stored.includes(n)));
  expect(session(name).status).toBe("COMPLETED");
  expect(await objectSha256(rgwClient(), session(name).bucket, session(name).key)).toEqual({ sha256: file.sha256, size: file.size });

});

async function openUploader(page: Page): Promise<void> {
  await signIn(page, DEMO_TOKENS.editor_user);
  await page.goto("/datasets/test-dataset/upload");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Test Dataset");
}

test("the browser starts (reload at ~30 %), the command line finishes from the portal's record", async ({ page }) => {
  const home = cliHome(); // empty: no local state, the CLI must ask the portal
  const file = makeFile(`browser-to-cli-${Date.now()}.bin`, 100 * MiB); // 20 parts
  const name = baseName(file.path);
  await openUploader(page);
  proxy.stallPartsAfter(6); // 30 %
  await page.getByLabel("Choose files").setInputFiles(file.path);
  await expect.poll(() => Object.keys(proxy.stats().storedParts).length, { timeout: 60_000 }).toBe(6);
  await expect.poll(() => recordedParts(name), { timeout: 20_000 }).toBe(6);
  page.on("dialog", (d) => void d.accept());
  await page.reload(); // the page is gone; the user goes to the server instead
  proxy.stallPartsAfter(null);
  const stored = await storedPartNumbers(name);
  const before = proxy.stats().storedParts;

  const run = await put(["put", "test-dataset", file.path], { token: TOKEN, home });
  expect(run.code, run.stderr).toBe(0);
  expect(run.events.find((e) => e.event === "resuming")).toMatchObject({ from: "portal", skippedParts: stored.length });
  const missing = Array.from({ length: 20 }, (_, i) => i + 1).filter((n) => !stored.includes(n));
  expect(sentSince(before)).toEqual(missing);
  expect(count(`SELECT COUNT(*) AS n FROM UploadSession WHERE fileName = ?`, name)).toBe(1);
  const s = session(name);
  expect(s.status).toBe("COMPLETED");
  expect(await objectSha256(rgwClient(), s.bucket, s.key)).toEqual({ sha256: file.sha256, size: file.size });
});

test("the command line starts (kill -9 at ~30 %), the browser finishes from the portal's record", async ({ page }) => {
  const home = cliHome();
  const file = makeFile(`cli-to-browser-${Date.now()}.bin`, 50 * MiB); // 10 parts
  const name = baseName(file.path);
  proxy.stallPartsAfter(3);
  const first = await put(["put", "test-dataset", file.path], {
    token: TOKEN,
    home,
    onSpawn: (child) => {
      const timer = setInterval(() => {
        if (Object.keys(proxy.stats().storedParts).length >= 3 && recordedParts(name) >= 1) {
          clearInterval(timer);
          child.kill("SIGKILL");
        }
      }, 100);
      child.on("close", () => clearInterval(timer));
    },
  });
  expect(first.signal).toBe("SIGKILL");
  proxy.stallPartsAfter(null);
  const id = session(name).id;

  // A browser that never saw this upload: the page finds it in the portal's record and offers to resume it.
  await openUploader(page);
  await page.getByLabel("Choose files").setInputFiles(file.path);
  const row = page.getByTestId("upload-row");
  await expect(row).toHaveAttribute("data-state", "offer");
  await page.getByRole("button", { name: /Resume upload/ }).click();
  await expect(row).toHaveAttribute("data-state", "completed", { timeout: 120_000 });
  expect(count(`SELECT COUNT(*) AS n FROM UploadSession WHERE fileName = ?`, name)).toBe(1); // the same session
  const s = session(name);
  expect(s.id).toBe(id);
  expect(s.status).toBe("COMPLETED");
  expect(await objectSha256(rgwClient(), s.bucket, s.key)).toEqual({ sha256: file.sha256, size: file.size });
});

test("wrong token, no permission, unknown dataset → exit 3 in words; portal down → waits, exit 4; usage → 2", async () => {
  const home = cliHome();
  const file = makeFile(`cli-denied-${Date.now()}.csv`, 1000);

  const wrong = await put(["put", "test-dataset", file.path], { token: "not-a-valid-token-0000000000", home });
  expect(wrong.code).toBe(3);
  expect(wrong.stderr).toContain("CKAN did not accept this API token");
  expect(wrong.events.at(-1)).toMatchObject({ event: "error", exitCode: 3 });

  const noRights = await put(["put", "test-dataset", file.path], { token: DEMO_TOKENS.plain_user, home });
  expect(noRights.code).toBe(3);
  expect(noRights.stderr).toMatch(/may not add files to the dataset "Test Dataset"/);
  expect(noRights.events.find((e) => e.event === "failed")).toMatchObject({ exitCode: 3, error: { apiCode: "forbidden" } });

  const unknown = await put(["put", "no-such-dataset-13", file.path], { token: TOKEN, home });
  expect(unknown.code).toBe(3);
  expect(unknown.stderr).toContain(`Dataset "no-such-dataset-13" was not found`);

  const free = net.createServer();
  await new Promise<void>((r) => free.listen(0, "127.0.0.1", r));
  const port = (free.address() as AddressInfo).port;
  await new Promise<void>((r) => free.close(() => r())); // nothing listens there now
  const started = Date.now();
  const down = await runCli(["--portal", `http://127.0.0.1:${port}`, "--json", "--outage-tolerance", "3", "put", "test-dataset", file.path], { token: TOKEN, home });
  expect(down.code).toBe(4);
  expect(down.events.filter((e) => e.event === "waiting").length).toBeGreaterThanOrEqual(2); // it waited, then gave up
  expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
  expect(down.stderr).toContain("could not be reached");

  expect((await runCli(["put", "test-dataset"], { token: TOKEN, home })).code).toBe(2); // no files
  expect((await runCli(["put", "test-dataset", file.path, "--bogus"], { token: TOKEN, home })).code).toBe(2);
  const loose = path.join(path.dirname(file.path), "token.txt");
  fs.writeFileSync(loose, TOKEN + "\n", { mode: 0o644 });
  fs.chmodSync(loose, 0o644);
  const tokenFile = await runCli(["--portal", PORTAL, "--token-file", loose, "put", "test-dataset", file.path], { home });
  expect(tokenFile.code).toBe(2);
  expect(tokenFile.stderr).toContain("chmod 600");
  for (const r of [wrong, noRights, unknown, down, tokenFile]) expectNoToken(r, home);
  expect(count(`SELECT COUNT(*) AS n FROM UploadSession WHERE fileName = ?`, baseName(file.path))).toBe(0);
});

test("a folder of 200 small files and 3 large ones: all registered, names from relative paths, total time printed", async () => {
  test.setTimeout(600_000);
  const home = cliHome();
  const stamp = Date.now();
  const root = path.resolve(__dirname, `../../.tmp/e2e-files/folder-${stamp}`);
  const names: string[] = [];
  for (let i = 0; i < 200; i++) {
    const rel = `s${stamp % 100_000}-${Math.floor(i / 50)}/row-${String(i).padStart(3, "0")}.csv`;
    fs.mkdirSync(path.join(root, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), `id,value\n${i},${stamp}\n`);
    names.push(rel);
  }
  for (let i = 0; i < 3; i++) {
    const big = makeFile(`large-${i}.bin`, 12 * MiB + i);
    const rel = `large-${stamp % 100_000}/large-${i}.bin`;
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.renameSync(big.path, path.join(root, rel));
    names.push(rel);
  }
  const run = await runCli(["--portal", PORTAL, "put", "test-dataset", root, "--recursive"], { token: TOKEN, home });
  expect(run.code, run.stderr.slice(-2000)).toBe(0);
  expect(run.stderr).toMatch(/Total: 203 of 203 file\(s\) uploaded, [\d.]+ MiB in [\d.]+ s/);
  const db = openDb(DB_URL);
  try {
    const rows = db
      .prepare(`SELECT fileName, status, resourceId FROM UploadSession WHERE fileName IN (${names.map(() => "?").join(",")})`)
      .all(...names) as Array<{ fileName: string; status: string; resourceId: string | null }>;
    expect(rows.map((r) => r.fileName).sort()).toEqual([...names].sort());
    expect(rows.every((r) => r.status === "COMPLETED" && r.resourceId)).toBe(true);
  } finally {
    db.close();
  }
  const res = await fetch(`http://127.0.0.1:${FAULTS_CKAN_PORT}/api/3/action/package_show?id=test-dataset`, { headers: { authorization: TOKEN } });
  const resources = ((await res.json()) as { result: { resources: Array<{ name: string }> } }).result.resources.map((r) => r.name);
  for (const n of names) expect(resources).toContain(n);
});
