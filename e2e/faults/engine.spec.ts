/**
 * The upload engine under faults (issue 3), in Chromium, sts mode, against Ceph RGW through the
 * fault-injecting proxy (tests/support/fault-proxy.ts): the portal hands browsers the proxy as their
 * S3 endpoint (S3_BROWSER_ENDPOINT) and talks to RGW directly. Bytes are checked in the bucket.
 * Credentials on this stack are refreshed 890 s before their 900 s expiry: each lives 10 s.
 */
import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { ListPartsCommand } from "@aws-sdk/client-s3";
import { FAULT_PROXY_PORT } from "../../playwright.config";
import { startFaultProxy, type FaultProxy } from "../../tests/support/fault-proxy";
import { makeFile } from "../support/files";
import { DEMO_TOKENS, expectNoSeriousA11yViolations, newestSession, openDb, signIn } from "../support/portal";
import { objectSha256, rgwClient } from "../support/s3";

const DB_URL = "file:./.tmp/e2e-faults.db";
const MiB = 1024 * 1024;
/**
 * Length of the injected outage, seconds (the 90 s shortened for the suite; E2E_OUTAGE_SECONDS
 * to change). Over 60 s, because the engine refreshes credentials at most once a minute: the parts
 * signed after the outage need fresh credentials on this stack.
 */
const OUTAGE_SECONDS = Number(process.env.E2E_OUTAGE_SECONDS ?? 65);

let proxy: FaultProxy;

test.beforeAll(async () => {
  if (!process.env.S3_ENDPOINT) throw new Error("S3_ENDPOINT is not set: start Ceph RGW (npm test does)");
  proxy = await startFaultProxy({ target: process.env.S3_ENDPOINT, port: FAULT_PROXY_PORT });
});
test.afterAll(async () => proxy?.close());
test.beforeEach(() => proxy.reset());

const baseName = (p: string) => p.split("/").pop()!;

async function openUploader(page: Page): Promise<void> {
  await signIn(page, DEMO_TOKENS.editor_user);
  await page.goto("/datasets/test-dataset/upload");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Test Dataset");
}

/** The newest session of `fileName` in the stack's database. */
const session = (fileName: string) => newestSession(DB_URL, fileName)!;

function count(sql: string, ...args: unknown[]): number {
  const db = openDb(DB_URL);
  try {
    return (db.prepare(sql).get(...args) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Part numbers whose CRC32C the page has kept in IndexedDB for resume. */
async function keptDigests(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open("ckan-upload-portal");
        open.onerror = () => resolve(0);
        open.onsuccess = () => {
          const tx = open.result.transaction("resume", "readonly");
          const all = tx.objectStore("resume").getAll();
          all.onsuccess = () => resolve(Math.max(0, ...all.result.map((r: { digests: Record<string, string> }) => Object.keys(r.digests).length)));
          all.onerror = () => resolve(0);
        };
      }),
  );
}

async function expectStored(fileName: string, file: { sha256: string; size: number }): Promise<void> {
  const s = session(fileName);
  expect(s.status).toBe("COMPLETED");
  expect(s.sha256).toBe(file.sha256); // the whole-file SHA-256 from the page's Web Worker
  expect(await objectSha256(rgwClient(), s.bucket, s.key)).toEqual({ sha256: file.sha256, size: file.size });
}

test("sizes at part boundaries upload byte-identical with the whole-file SHA-256 (CASES 1, 21, 22)", async ({ page }) => {
  const stamp = Date.now();
  const files = [1, 5 * MiB - 1, 5 * MiB, 5 * MiB + 1, 10 * MiB, 10 * MiB + 1].map((size) => makeFile(`edge-${stamp}-${size}.bin`, size));
  await openUploader(page);
  await page.getByLabel("Choose files").setInputFiles(files.map((f) => f.path));
  const rows = page.getByTestId("upload-row");
  await expect(rows).toHaveCount(files.length);
  for (const f of files) await expect(rows.filter({ hasText: baseName(f.path) })).toHaveAttribute("data-state", "completed", { timeout: 60_000 });
  for (const f of files) await expectStored(baseName(f.path), f);
  // RGW 16 ignores x-amz-checksum-crc32c (no echo): the engine sent them, saw no confirmation and recorded
  // no unverified checksum; nothing failed (CASES 21).
  expect(proxy.stats().withChecksum).toBeGreaterThanOrEqual(1);
  for (const f of files) {
    expect(count(`SELECT COUNT(*) AS n FROM UploadPart p JOIN UploadSession s ON s.id = p.sessionId WHERE s.fileName = ? AND p.checksum IS NOT NULL`, baseName(f.path))).toBe(0);
  }
});

test("10 % failed part PUTs, two mid-body resets and an outage: completes intact, with credential refreshes (CASES 8, 9, 10)", async ({ page }) => {
  const file = makeFile(`faults-${Date.now()}.bin`, 60 * MiB); // 12 parts
  await openUploader(page);
  proxy.failParts({ fraction: 0.1 });
  proxy.resetParts(2);
  proxy.outageAtPart(6, OUTAGE_SECONDS * 1000);
  const started = Date.now();
  await page.getByLabel("Choose files").setInputFiles(file.path);
  const row = page.getByTestId("upload-row");
  const percents: number[] = [];
  // Sample the bar while waiting for the outcome.
  await expect
    .poll(async () => {
      percents.push(Number.parseFloat((await row.getByTestId("percent").textContent()) ?? "0"));
      return row.getAttribute("data-state");
    }, { timeout: 280_000, intervals: [250] })
    .toMatch(/^(completed|failed)$/);
  await expect(row).toHaveAttribute("data-state", "completed");
  console.log(`60 MiB through faults (${OUTAGE_SECONDS} s outage): ${((Date.now() - started) / 1000).toFixed(1)} s; injected ${JSON.stringify(proxy.stats().injected)}`);
  const st = proxy.stats();
  expect(st.injected.reset).toBe(2);
  expect(st.injected.failed).toBeGreaterThanOrEqual(1);
  expect(st.injected.refused).toBeGreaterThanOrEqual(1);
  for (let i = 1; i < percents.length; i++) expect(percents[i]).toBeGreaterThanOrEqual(percents[i - 1]); // never backwards
  expect(Math.max(...percents)).toBeLessThanOrEqual(100);
  await expectStored(baseName(file.path), file);
  const s = session(baseName(file.path));
  const grants = count(`SELECT COUNT(*) AS n FROM AuditEvent WHERE sessionId = ? AND type = 'credentials.granted'`, s.id);
  expect(grants).toBeGreaterThanOrEqual(2); // the first grant plus at least one refresh
});

test("reload at ~40 %, select the file again: resumes, and only the missing parts are sent (CASES 14, 18)", async ({ page }) => {
  const file = makeFile(`reload-${Date.now()}.bin`, 100 * MiB); // 20 parts
  const name = baseName(file.path);
  await openUploader(page);
  proxy.stallPartsAfter(8); // parts 9+ hang: the upload sits at 40 %
  await page.getByLabel("Choose files").setInputFiles(file.path);
  await expect.poll(() => Object.keys(proxy.stats().storedParts).length, { timeout: 60_000 }).toBe(8);
  await expect.poll(() => count(`SELECT COUNT(*) AS n FROM UploadPart p JOIN UploadSession s ON s.id = p.sessionId WHERE s.fileName = ?`, name), { timeout: 20_000 }).toBe(8);
  await expect.poll(() => keptDigests(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(8);
  const before = proxy.stats().storedParts;

  // Leaving the page asks first (CASES 18); the test accepts, as a user who reloads would.
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.type());
    void d.accept();
  });
  proxy.stallPartsAfter(null);
  await page.reload();
  expect(dialogs).toContain("beforeunload");
  await page.getByLabel("Choose files").setInputFiles(file.path);
  const row = page.getByTestId("upload-row");
  await expect(row).toHaveAttribute("data-state", "offer");
  await expect(page.getByTestId("resume-offer")).toContainText("interrupted");
  await expectNoSeriousA11yViolations(page);
  await page.getByRole("button", { name: /Resume upload/ }).click();
  await expect(row).toHaveAttribute("data-state", "completed", { timeout: 120_000 });

  const after = proxy.stats().storedParts;
  const sentAfterReload = Object.keys(after).map(Number).filter((n) => (after[n] ?? 0) > (before[n] ?? 0)).sort((a, b) => a - b);
  const storedBefore = Object.keys(before).map(Number);
  expect(storedBefore).toHaveLength(8); // 40 % of 20 parts (any 8: four parts are in flight at a time)
  const missingBefore = Array.from({ length: 20 }, (_, i) => i + 1).filter((n) => !storedBefore.includes(n));
  expect(sentAfterReload).toEqual(missingBefore); // exactly the 12 missing parts, none of the stored ones
  expect(count(`SELECT COUNT(*) AS n FROM UploadSession WHERE fileName = ?`, name)).toBe(1); // no second session
  await expectStored(name, file);
});

test("a different file with the same name, size and date is not merged, and the user is told (CASES 15)", async ({ page }) => {
  const original = makeFile(`same-${Date.now()}.csv`, 12 * MiB); // 3 parts
  const name = baseName(original.path);
  const impostor = makeFile(name, original.size); // same name and size, other bytes
  const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000); // whole seconds: utimes keeps them exactly
  fs.utimesSync(original.path, mtime, mtime);
  fs.utimesSync(impostor.path, mtime, mtime);
  await openUploader(page);
  proxy.stallPartsAfter(2);
  await page.getByLabel("Choose files").setInputFiles(original.path);
  await expect.poll(() => count(`SELECT COUNT(*) AS n FROM UploadPart p JOIN UploadSession s ON s.id = p.sessionId WHERE s.fileName = ?`, name), { timeout: 60_000 }).toBe(2);
  await expect.poll(() => keptDigests(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  page.on("dialog", (d) => void d.accept());
  proxy.stallPartsAfter(null);
  await page.reload();

  await page.getByLabel("Choose files").setInputFiles(impostor.path);
  const row = page.getByTestId("upload-row");
  await expect(row).toHaveAttribute("data-state", "offer");
  await page.getByRole("button", { name: /Resume upload/ }).click();
  await expect(page.getByTestId("notice")).toContainText(/different content.*not merged into the old upload/);
  await expect(row).toHaveAttribute("data-state", "completed", { timeout: 60_000 });
  expect(count(`SELECT COUNT(*) AS n FROM UploadSession WHERE fileName = ?`, name)).toBe(2);
  await expectStored(name, impostor); // the new session holds the new file's bytes
});

test("ETag not exposed by CORS: the upload stops within seconds with the named fix (CASES 19)", async ({ page }) => {
  const file = makeFile(`no-etag-${Date.now()}.bin`, 6 * MiB);
  await openUploader(page);
  proxy.stripEtag(true);
  await page.getByLabel("Choose files").setInputFiles(file.path);
  const row = page.getByTestId("upload-row");
  await expect(row).toHaveAttribute("data-state", "failed", { timeout: 15_000 });
  await expect(row.getByRole("alert")).toContainText("ExposeHeaders");
  await expect(row.getByRole("alert")).not.toContainText("undefined");
});

test("pause with parts in flight, then resume: completes (CASES 16)", async ({ page }) => {
  const file = makeFile(`pause-${Date.now()}.bin`, 30 * MiB);
  await openUploader(page);
  proxy.stallPartsAfter(2); // parts 3+ are in flight, unanswered
  await page.getByLabel("Choose files").setInputFiles(file.path);
  await expect.poll(() => proxy.stats().partPutsSeen, { timeout: 30_000 }).toBeGreaterThanOrEqual(4);
  await page.getByRole("button", { name: /^Pause/ }).click();
  const row = page.getByTestId("upload-row");
  await expect(row).toHaveAttribute("data-state", "paused");
  proxy.stallPartsAfter(null);
  await page.getByRole("button", { name: /^Resume/ }).click();
  await expect(row).toHaveAttribute("data-state", "completed", { timeout: 60_000 });
  await expectStored(baseName(file.path), file);
});

test("cancel: the multipart upload is gone from RGW and the session is aborted (CASES 17)", async ({ page }) => {
  const file = makeFile(`cancel-${Date.now()}.bin`, 30 * MiB);
  await openUploader(page);
  proxy.stallPartsAfter(2);
  await page.getByLabel("Choose files").setInputFiles(file.path);
  await expect.poll(() => Object.keys(proxy.stats().storedParts).length, { timeout: 30_000 }).toBe(2);
  await page.getByRole("button", { name: /^Cancel/ }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel upload" }).click(); // a started upload: asked first
  const row = page.getByTestId("upload-row");
  await expect(row).toHaveAttribute("data-state", "cancelled");
  await expect.poll(() => session(baseName(file.path)).status, { timeout: 20_000 }).toBe("ABORTED");
  const s = session(baseName(file.path));
  const db = openDb(DB_URL);
  const uploadId = (db.prepare(`SELECT uploadId FROM UploadSession WHERE id = ?`).get(s.id) as { uploadId: string }).uploadId;
  db.close();
  const listed = await rgwClient()
    .send(new ListPartsCommand({ Bucket: s.bucket, Key: s.key, UploadId: uploadId }))
    .then(() => "still there", (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode);
  expect(listed).toBe(404); // RGW: NoSuchKey after an abort
});
