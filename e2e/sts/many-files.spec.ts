/**
 * Many files at once on the deep-link page (issue 12): a folder picker and a folder drop add every file named
 * by its relative path; the page stays live (Existing resources and Earlier uploads update without a
 * reload); finished rows can be cleared; Cancel of a started upload asks first; after a reload mid-upload
 * the page lists the interrupted upload with the bytes the storage holds and continues from there.
 */
import fs from "node:fs";
import path from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { expect, type Page, type Route, test } from "@playwright/test";
import { makeFile } from "../support/files";
import { ckanAction } from "../support/ckan";
import { DEMO_TOKENS, expectNoSeriousA11yViolations, openDb, sessionsNamed, signIn } from "../support/portal";
import { objectSha256, rgwClient } from "../support/s3";

const DB_URL = "file:./.tmp/e2e-sts.db";
const MiB = 1024 * 1024;

function session(fileName: string) {
  const db = openDb(DB_URL);
  try {
    return sessionsNamed(db, fileName)[0];
  } finally {
    db.close();
  }
}

function partRows(sessionId: string): number {
  const db = openDb(DB_URL);
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM UploadPart WHERE sessionId = ?`).get(sessionId) as { n: number }).n;
  } finally {
    db.close();
  }
}

async function expectStored(fileName: string, file: { sha256: string; size: number }): Promise<void> {
  const s = session(fileName);
  expect(s.status).toBe("COMPLETED");
  expect(await objectSha256(rgwClient(), s.bucket, s.key)).toEqual({ sha256: file.sha256, size: file.size });
}

/** A folder on disk: `files` maps relative paths to contents; `emptyDirs` are created without files. */
function makeFolder(name: string, files: Record<string, string>, emptyDirs: string[] = []): string {
  const root = path.resolve(__dirname, "../../.tmp/e2e-files", randomBytes(6).toString("hex"), name);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  for (const d of emptyDirs) fs.mkdirSync(path.join(root, d), { recursive: true });
  return root;
}

/** Marks the document: the mark survives router.refresh() and client updates, never a reload. */
const markDocument = (page: Page) => page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
const stillSameDocument = (page: Page) => page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload === true);

test("a folder picked with the folder picker: every file named by its path; Existing resources and Earlier uploads update without a reload; rows are cleared", async ({ page }) => {
  const top = `survey-${Date.now()}`;
  const contents = { "a.csv": "a,b\n1,2\n", "2026/march.csv": "m,n\n3,4\n", "2026/deep/notes.txt": randomBytes(70_000).toString("hex") };
  const dir = makeFolder(top, contents, ["2026/empty"]);
  await signIn(page, DEMO_TOKENS.editor_user);
  await page.goto("/datasets/test-dataset/upload");
  await markDocument(page);
  await expect(page.getByLabel("Choose a folder")).toBeEnabled();
  await page.getByLabel("Choose a folder").setInputFiles(dir);

  const rows = page.getByTestId("upload-row");
  await expect(rows).toHaveCount(3);
  const names = Object.keys(contents).map((rel) => `${top}/${rel}`);
  for (const name of names) await expect(rows.filter({ hasText: name })).toHaveAttribute("data-state", "completed", { timeout: 60_000 });

  // Live: CKAN's resource list and the dataset's history show the new files — same document, no reload.
  const resources = page.locator("section[aria-labelledby=resources-heading]");
  const history = page.locator("section[aria-labelledby=dataset-history]");
  for (const name of names) {
    await expect(resources.getByRole("link", { name, exact: true })).toBeVisible();
    await expect(history.getByRole("row").filter({ hasText: name })).toContainText("Completed");
  }
  expect(await stillSameDocument(page)).toBe(true);

  // The CKAN resource is named by the relative path; the bytes are in the bucket.
  for (const [rel, content] of Object.entries(contents)) {
    const s = session(`${top}/${rel}`);
    const resource = (await ckanAction(DEMO_TOKENS.editor_user, "resource_show", { id: s.resourceId })) as { name: string };
    expect(resource.name).toBe(`${top}/${rel}`);
    await expectStored(`${top}/${rel}`, { sha256: createHash("sha256").update(content).digest("hex"), size: Buffer.byteLength(content) });
  }
  await expectNoSeriousA11yViolations(page);

  // Clear one row: it goes, focus stays in the list; then "Clear finished" empties it.
  await rows.filter({ hasText: names[0] }).getByRole("button", { name: `Clear ${names[0]} from the list` }).click();
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toBeFocused();
  await page.getByRole("button", { name: /^Clear finished/ }).click();
  await expect(rows).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Add files" })).toBeFocused();
  expect(await stillSameDocument(page)).toBe(true);

  // A folder without files: said so, nothing added.
  await page.getByLabel("Choose a folder").setInputFiles(makeFolder(`nothing-${Date.now()}`, {}, ["sub"]));
  await expect(page.getByTestId("drop-problems")).toContainText("The folder you chose has no files");
  await expect(rows).toHaveCount(0);
});

test("a dropped folder is walked through its entries (nested, empty and unreadable ones named)", async ({ page }) => {
  const top = `dropped-${Date.now()}`;
  await signIn(page, DEMO_TOKENS.editor_user);
  await page.goto("/datasets/test-dataset/upload");
  await expect(page.getByLabel("Choose files")).toBeEnabled();
  // A drop whose item is a folder entry (the shape webkitGetAsEntry() answers), read in batches of ≤ 100.
  await page.getByTestId("drop-zone").evaluate((zone, top) => {
    const file = (fullPath: string, content: string, fail?: string) => ({
      name: fullPath.split("/").pop(), fullPath, isFile: true, isDirectory: false,
      file: (ok: (f: File) => void, err: (e: unknown) => void) =>
        fail ? setTimeout(() => err(new DOMException("gone", fail))) : setTimeout(() => ok(new File([content], fullPath.split("/").pop()!, { type: "text/csv" }))),
    });
    const dir = (fullPath: string, children: unknown[]) => ({
      name: fullPath.split("/").pop(), fullPath, isFile: false, isDirectory: true,
      createReader: () => {
        let pos = 0;
        return { readEntries: (ok: (e: unknown[]) => void) => setTimeout(() => ok(children.slice(pos, (pos += 100)))) };
      },
    });
    const root = dir(`/${top}`, [file(`/${top}/one.csv`, "1\n"), dir(`/${top}/sub`, [file(`/${top}/sub/two.csv`, "2\n"), dir(`/${top}/sub/empty`, [])]), file(`/${top}/locked.csv`, "", "NotReadableError")]);
    const dataTransfer = { items: [{ kind: "file", webkitGetAsEntry: () => root, getAsFile: () => null }], files: [], types: ["Files"] };
    const drop = new Event("drop", { bubbles: true, cancelable: true });
    Object.defineProperty(drop, "dataTransfer", { value: dataTransfer });
    zone.dispatchEvent(drop);
  }, top);
  const rows = page.getByTestId("upload-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText(`${top}/one.csv`);
  await expect(rows.nth(1)).toContainText(`${top}/sub/two.csv`);
  const problems = page.getByTestId("drop-problems");
  await expect(problems).toContainText(`The folder “${top}/sub/empty” is empty`);
  await expect(problems).toContainText(`“${top}/locked.csv” could not be read (NotReadableError)`);
  for (const name of [`${top}/one.csv`, `${top}/sub/two.csv`]) await expect(rows.filter({ hasText: name })).toHaveAttribute("data-state", "completed", { timeout: 60_000 });
  expect(session(`${top}/sub/two.csv`).status).toBe("COMPLETED");
  await expectNoSeriousA11yViolations(page);
});

test("cancel asks first and 'Keep uploading' keeps it going; after a reload at 30 % the stored bytes are shown and the upload continues from them", async ({ page }) => {
  const file = makeFile(`resume30-${Date.now()}.bin`, 100 * MiB); // 20 parts of 5 MiB
  const name = path.basename(file.path);
  await signIn(page, DEMO_TOKENS.editor_user);
  await page.goto("/datasets/test-dataset/upload");
  // Parts 7 and later get no answer (held here): the upload stops at 30 %, as a dying connection would leave it.
  const HELD_FROM = 7;
  const held: Route[] = [];
  await page.route(
    (url) => Number(url.searchParams.get("partNumber") ?? 0) >= HELD_FROM,
    (route) => void held.push(route), // not answered while the test holds it
  );
  await expect(page.getByLabel("Choose files")).toBeEnabled();
  await page.getByLabel("Choose files").setInputFiles(file.path);
  const row = page.getByTestId("upload-row");
  await expect(row).toHaveAttribute("data-state", "uploading", { timeout: 60_000 });

  // Cancel asks: a modal dialog, axe-clean; "Keep uploading" closes it, focus returns, the upload goes on.
  const cancelButton = row.getByRole("button", { name: /^Cancel/ });
  await cancelButton.click();
  const dialog = page.getByRole("dialog", { name: `Cancel the upload of ${name}?` });
  await expect(dialog).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await dialog.getByRole("button", { name: "Keep uploading" }).click();
  await expect(dialog).toBeHidden();
  await expect(cancelButton).toBeFocused();
  await expect(row).toHaveAttribute("data-state", "uploading");
  const s = await expect.poll(() => session(name)?.id ?? null, { timeout: 20_000 }).not.toBeNull().then(() => session(name));
  await expect.poll(() => partRows(s.id), { timeout: 60_000 }).toBe(HELD_FROM - 1); // it kept going: 6 parts stored and recorded

  // Reload (the page asks first; the user confirms). The held requests are then dropped, not let through.
  page.on("dialog", (d) => void d.accept());
  await page.reload();
  await Promise.all(held.map((r) => r.abort().catch(() => undefined))); // none of them reaches the store
  await page.unrouteAll({ behavior: "ignoreErrors" });

  const interrupted = page.getByTestId("interrupted-row").filter({ hasText: name });
  await expect(interrupted).toBeVisible();
  const server = (await (await page.request.get(`/api/uploads/${s.id}`)).json()) as { recordedParts: Array<{ size: number }>; partSize: number };
  const storedOnServer = server.recordedParts.reduce((sum, p) => sum + p.size, 0);
  expect(storedOnServer).toBe((HELD_FROM - 1) * server.partSize);
  const stored = interrupted.getByTestId("stored");
  await expect(stored).toHaveAttribute("data-stored-bytes", String(storedOnServer));
  await expect(stored).toContainText(`Stored: 30.0 MiB of 100.0 MiB (${HELD_FROM - 1} of 20 parts)`);
  await expectNoSeriousA11yViolations(page);

  // Every progress value the row shows once it uploads again, recorded as the page renders it.
  await page.evaluate(() => {
    const seen: Array<{ state: string; bytes: number }> = [];
    (window as unknown as { __seen: typeof seen }).__seen = seen;
    new MutationObserver(() => {
      for (const r of document.querySelectorAll("[data-testid=upload-row]")) seen.push({ state: r.getAttribute("data-state") ?? "", bytes: Number(r.getAttribute("data-bytes-sent")) });
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state", "data-bytes-sent"] });
  });
  await page.getByLabel(`Choose ${name} again`).setInputFiles(file.path);
  await expect(interrupted).toHaveCount(0);
  await expect(row).toHaveAttribute("data-state", "completed", { timeout: 120_000 });
  const seen = await page.evaluate(() => (window as unknown as { __seen: Array<{ state: string; bytes: number }> }).__seen);
  const uploading = seen.filter((v) => v.state === "uploading");
  expect(uploading.length).toBeGreaterThan(0);
  expect(Math.min(...uploading.map((v) => v.bytes))).toBeGreaterThanOrEqual(storedOnServer); // never from 0
  const db = openDb(DB_URL);
  expect(sessionsNamed(db, name)).toHaveLength(1); // the same session, no new upload
  db.close();
  await expectStored(name, file);
});
