/**
 * Names shown safely (CASES 39) and links that work (issue 9 item 5), end to end in sts mode:
 * - `‮vsc.exe` (U+202E RIGHT-TO-LEFT OVERRIDE) is refused by the API with 400 naming the character,
 *   and the uploader shows that message;
 * - an older session whose name holds U+202E (inserted in the database, as if stored before the rule)
 *   renders inside <bdi> (computed `unicode-bidi: isolate`) on every page that shows it, and the CSV
 *   export carries a visible `<U+202E>` instead;
 * - a CKAN resource name with U+202E is isolated in the "Existing resources" list;
 * - in the configuration the docs recommend (no S3_PUBLIC_BASE_URL), a public dataset's resource
 *   `url` is the portal's /download/ link and answers 200 anonymously with the uploaded bytes.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test, type Page } from "@playwright/test";
import { makeFile } from "../support/files";
import { DEMO_TOKENS, expectNoSeriousA11yViolations, newestSession, signIn } from "../support/portal";

const DB_URL = "file:./.tmp/e2e-sts.db";
const CKAN = `http://127.0.0.1:${5151 + (Number(process.env.E2E_PORT_BASE ?? 3100) - 3100)}`;
const RLO = "\u202e";
const DISGUISED = `${RLO}vsc.exe`; // displays as "exe.csv" without isolation

/** Every <bdi> on the page whose text is exactly `name`, with its computed unicode-bidi. */
async function isolatedNames(page: Page, name: string): Promise<string[]> {
  return page.locator("bdi").evaluateAll(
    (els, n) => els.filter((e) => e.textContent === n).map((e) => getComputedStyle(e).unicodeBidi),
    name,
  );
}

/** Shown elements whose own text holds `name` outside any <bdi> (in the page body; scripts excluded), as `tag#id.class: text` for the failure message. */
async function unisolated(page: Page, name: string): Promise<string[]> {
  return page.evaluate((n) => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const found: string[] = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || ["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT"].includes(el.tagName)) continue; // React's payload, not shown
      if (node.textContent?.includes(n) && !el.closest("bdi")) found.push(`${el?.tagName.toLowerCase()}#${el?.id}.${el?.className}: ${node.textContent}`);
    }
    return found;
  }, name);
}

test("‮vsc.exe is refused at upload start with the character named, by the API and in the uploader", async ({ page }) => {
  await signIn(page, DEMO_TOKENS.editor_user);
  const res = await page.request.post("/api/uploads", { data: { datasetId: "test-dataset", fileName: DISGUISED, size: 10, contentType: "" } });
  expect(res.status()).toBe(400);
  const body = await res.json();
  expect(body.error.code).toBe("validation_failed");
  expect(body.error.message).toContain("U+202E RIGHT-TO-LEFT OVERRIDE at position 1");
  expect(newestSession(DB_URL, DISGUISED)).toBeUndefined(); // nothing was created

  await page.goto("/datasets/test-dataset/upload");
  await expect(page.getByLabel("Choose files")).toBeEnabled();
  await page.getByLabel("Choose files").setInputFiles([{ name: DISGUISED, mimeType: "application/octet-stream", buffer: Buffer.from("not really a csv") }]);
  const row = page.getByTestId("upload-row").filter({ hasText: "vsc.exe" });
  await expect(row.getByRole("alert")).toContainText("U+202E RIGHT-TO-LEFT OVERRIDE");
  expect(await isolatedNames(page, DISGUISED)).not.toHaveLength(0);
  expect(await unisolated(page, DISGUISED)).toEqual([]);
});

test("a public dataset's resource URL answers 200 anonymously with the uploaded bytes (no S3_PUBLIC_BASE_URL: the portal's /download/)", async ({ page, playwright }) => {
  const file = makeFile(`public-link-${Date.now()}.csv`, 64 * 1024 + 3);
  const name = path.basename(file.path);
  await signIn(page, DEMO_TOKENS.editor_user);
  await page.goto("/datasets/test-dataset/upload");
  await expect(page.getByLabel("Choose files")).toBeEnabled();
  await page.getByLabel("Choose files").setInputFiles([file.path]);
  await expect(page.getByTestId("upload-row").filter({ hasText: name })).toHaveAttribute("data-state", "completed", { timeout: 120_000 });

  const session = newestSession(DB_URL, name)!;
  const shown = await (await fetch(`${CKAN}/api/3/action/resource_show?id=${session.resourceId}`)).json();
  const url: string = shown.result.url;
  expect(url).toBe(`${new URL(page.url()).origin}/download/${session.id}/${encodeURIComponent(name)}`);

  // A visitor with no cookies follows the link the CKAN dataset page shows.
  const anonymous = await playwright.request.newContext();
  const got = await anonymous.get(url, { maxRedirects: 5 });
  expect(got.status()).toBe(200);
  expect(Buffer.compare(await got.body(), fs.readFileSync(file.path))).toBe(0);
  await anonymous.dispose();
});

test("an older row named ‮vsc.exe renders bidi-isolated on every page and neutralised in the CSV; CKAN resource names are isolated", async ({ page }) => {
  // A completed session for test-dataset by editor_user, as stored before the name rule existed.
  const db = new Database(path.resolve(__dirname, "../..", DB_URL.replace(/^file:/, "")), { fileMustExist: true });
  const ref = db.prepare(`SELECT s.userId, s.datasetId, s.bucket FROM UploadSession s JOIN User u ON u.id = s.userId JOIN Dataset d ON d.id = s.datasetId WHERE u.name = 'editor_user' AND d.name = 'test-dataset' LIMIT 1`).get() as { userId: string; datasetId: string; bucket: string } | undefined;
  expect(ref, "an earlier test in this file uploads to test-dataset as editor_user").toBeDefined();
  const id = randomUUID();
  const now = new Date().toISOString().replace("Z", "+00:00");
  db.prepare(
    `INSERT INTO UploadSession (id, userId, datasetId, fileName, size, contentType, bucket, key, partSize, partCount, mode, status, bytesConfirmed, createdAt, updatedAt, completedAt)
     VALUES (?, ?, ?, ?, 7, 'text/csv', ?, ?, 5242880, 1, 'STS', 'COMPLETED', 7, ?, ?, ?)`,
  ).run(id, ref!.userId, ref!.datasetId, DISGUISED, ref!.bucket, `uploads/test-org/test-dataset/${id}/vsc.exe`, now, now, now);
  db.prepare(`INSERT INTO AuditEvent (id, sessionId, userId, actorName, type, detail, createdAt) VALUES (?, ?, ?, 'editor_user', 'session.created', ?, ?)`).run(
    randomUUID(), id, ref!.userId, JSON.stringify({ fileName: DISGUISED, dataset: "test-dataset" }), now,
  );
  db.close();

  // A CKAN resource whose name carries the override (created in CKAN directly, not through the portal).
  const created = await fetch(`${CKAN}/api/3/action/resource_create`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: DEMO_TOKENS.editor_user },
    body: JSON.stringify({ package_id: "test-dataset", name: DISGUISED, url: "https://example.org/x" }),
  });
  expect(created.status).toBe(200);

  // The uploader's own views: /uploads history and the dataset page (earlier uploads + existing resources).
  await signIn(page, DEMO_TOKENS.editor_user);
  for (const pathName of ["/uploads", "/datasets/test-dataset/upload"]) {
    await page.goto(pathName);
    const isolated = await isolatedNames(page, DISGUISED);
    expect([pathName, isolated.length >= (pathName === "/uploads" ? 1 : 2)]).toEqual([pathName, true]);
    expect(isolated.every((v) => v === "isolate")).toBe(true);
    expect([pathName, await unisolated(page, DISGUISED)]).toEqual([pathName, []]);
  }
  await expectNoSeriousA11yViolations(page);

  // The admin's views: the table, the detail page (heading, field, timeline), and the CSV export.
  await page.context().clearCookies();
  await signIn(page, DEMO_TOKENS.ckan_admin);
  for (const pathName of ["/admin/uploads", `/admin/uploads/${id}`]) {
    await page.goto(pathName);
    const isolated = await isolatedNames(page, DISGUISED);
    expect([pathName, isolated.length >= (pathName === "/admin/uploads" ? 1 : 3)]).toEqual([pathName, true]);
    expect(isolated.every((v) => v === "isolate")).toBe(true);
    expect([pathName, await unisolated(page, DISGUISED)]).toEqual([pathName, []]);
  }
  const csv = await page.request.get("/api/admin/uploads/export");
  expect(csv.status()).toBe(200);
  const text = await csv.text();
  expect(text).not.toContain(RLO);
  expect(text).toContain(`,<U+202E>vsc.exe,`);
});
