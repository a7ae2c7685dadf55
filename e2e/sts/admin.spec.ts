/**
 * The admin audit end to end (sts stack: RGW, demo CKAN, SQLite): an editor uploads files (one named
 * like a spreadsheet formula); a sysadmin filters /admin/uploads, opens a session's page, exports the
 * filter as CSV and checks its rows, and aborts a stuck upload; an editor gets 403 on admin pages and
 * admin API routes, and sees the dataset's earlier uploads on the deep link.
 */
import fs from "node:fs";
import { parse } from "csv-parse/sync";
import { expect, test, type Page } from "@playwright/test";
import { makeFile } from "../support/files";
import { auditTypes, DEMO_TOKENS, expectNoSeriousA11yViolations, openDb, sessionsNamed, signIn } from "../support/portal";

const DB_URL = "file:./.tmp/e2e-sts.db";
const stamp = `audit${Date.now()}`;

async function uploadAs(page: Page, files: Array<{ path: string }>): Promise<void> {
  await page.goto("/datasets/test-dataset/upload");
  await page.getByLabel("Choose files").setInputFiles(files.map((f) => f.path));
  for (const f of files) {
    await expect(page.getByTestId("upload-row").filter({ hasText: f.path.split("/").pop()! })).toHaveAttribute("data-state", "completed", { timeout: 120_000 });
  }
}

test("a sysadmin filters the upload audit, opens a session, exports the filter as CSV and aborts a stuck upload", async ({ page, browser }) => {
  const formula = makeFile(`=HYPERLINK(${stamp}).csv`, 6 * 1024 * 1024 + 5);
  const plain = makeFile(`${stamp}-plain.bin`, 1234);
  await signIn(page, DEMO_TOKENS.editor_user);
  await uploadAs(page, [formula, plain]);

  // The deep link lists the dataset's earlier uploads (the editor may edit it).
  await page.reload();
  const history = page.getByRole("region", { name: "Earlier uploads to this dataset" });
  await expect(history.getByRole("row").filter({ hasText: `${stamp}-plain.bin` })).toContainText("editor_user");
  // A stuck upload: started through the API, no parts ever sent.
  const stuck = await page.request.post("/api/uploads", { data: { datasetId: "test-dataset", fileName: `${stamp}-stuck.bin`, size: 10 * 1024 * 1024, contentType: "" } });
  expect(stuck.status()).toBe(200);
  const stuckId = ((await stuck.json()) as { sessionId: string }).sessionId;

  const admin = await (await browser.newContext({ baseURL: test.info().project.use.baseURL, acceptDownloads: true })).newPage();
  await signIn(admin, DEMO_TOKENS.ckan_admin);
  await admin.getByRole("link", { name: "Upload audit" }).click();
  await expect(admin.getByRole("heading", { level: 1, name: "Upload audit" })).toBeVisible();
  await expectNoSeriousA11yViolations(admin);

  // Filter: text in the file name + status; the filter lands in the URL.
  await admin.getByLabel("File name contains").fill(stamp.toUpperCase());
  await admin.getByLabel("Status").selectOption("completed");
  await admin.getByRole("button", { name: "Apply filters" }).click();
  await admin.waitForURL((u) => u.searchParams.get("q") === stamp.toUpperCase() && u.searchParams.get("status") === "completed");
  const table = admin.getByRole("table", { name: "Upload sessions matching the filter" });
  await expect(table.getByRole("row")).toHaveCount(3);
  await expect(admin.getByTestId("total-count")).toHaveText("2");
  await expect(admin.getByTestId("total-failures")).toHaveText("0");
  await expect(admin.getByRole("figure", { name: /Bytes uploaded per day/ }).locator("svg.recharts-surface")).toBeVisible();
  // Sort by size, ascending: the 1,234-byte file comes first.
  await table.getByRole("link", { name: /^Size/ }).click();
  await admin.waitForURL((u) => u.searchParams.get("sort") === "size");
  await table.getByRole("link", { name: /^Size/ }).click();
  await admin.waitForURL((u) => u.searchParams.get("dir") === "asc");
  await expect(table.getByRole("row").nth(1)).toContainText(`${stamp}-plain.bin`);
  await expectNoSeriousA11yViolations(admin);

  // Export the filter: a streamed CSV whose rows are the two sessions, the formula neutralised.
  const [download] = await Promise.all([admin.waitForEvent("download"), admin.getByRole("link", { name: "Export CSV" }).click()]);
  const csv = fs.readFileSync((await download.path())!, "utf8").replace(/^\uFEFF/, "");
  const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
  const db = openDb(DB_URL);
  const [formulaRow] = sessionsNamed(db, formula.path.split("/").pop()!);
  const [plainRow] = sessionsNamed(db, plain.path.split("/").pop()!);
  expect(rows.map((r) => r.session_id).sort()).toEqual([formulaRow.id, plainRow.id].sort());
  const exported = rows.find((r) => r.session_id === formulaRow.id)!;
  expect(exported.file_name).toBe(`'=HYPERLINK(${stamp}).csv`);
  expect(exported).toMatchObject({ user: "editor_user", dataset: "test-dataset", organization: "test-org", status: "completed", size_bytes: String(formula.size), sha256: formulaRow.sha256 ?? "", key: formulaRow.key, resource_id: formulaRow.resourceId });

  // The session's page: every field and the timeline.
  await table.getByRole("link", { name: formula.path.split("/").pop()!, exact: true }).click();
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText(`=HYPERLINK(${stamp}).csv`);
  const fields = admin.getByRole("region", { name: "Session" });
  await expect(fields.getByText(formulaRow.key, { exact: true })).toBeVisible();
  await expect(fields.getByText(formulaRow.id, { exact: true })).toBeVisible();
  const timeline = admin.getByRole("list", { name: "Audit timeline" });
  for (const title of ["Upload started", "Temporary credentials granted", "Parts recorded", "Object stored in S3", "Registered in CKAN: completed"]) {
    await expect(timeline.getByText(title, { exact: true })).toBeVisible();
  }
  await expect(timeline.getByText("Access key id")).toBeVisible();
  await expect(timeline.getByText(/2 \(numbers 1–2\)/)).toBeVisible();
  await expectNoSeriousA11yViolations(admin);

  // Abort the stuck upload, as an admin; the timeline names the admin.
  await admin.goto(`/admin/uploads/${stuckId}`);
  admin.once("dialog", (d) => void d.accept());
  await admin.getByRole("button", { name: "Abort this upload" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Upload aborted" })).toBeVisible();
  await expect(admin.getByTestId("session-status")).toHaveText("Cancelled");
  await expect(admin.getByRole("list", { name: "Audit timeline" }).getByText(/by ckan_admin/).first()).toBeVisible();
  await expectNoSeriousA11yViolations(admin);
  expect(auditTypes(db, stuckId).slice(-2)).toEqual(["admin.upload_aborted", "session.aborted"]);
  db.close();
  await admin.context().close();
});

test("an editor gets 403 on admin pages and admin API routes", async ({ page }) => {
  await signIn(page, DEMO_TOKENS.editor_user);
  for (const path of ["/admin/uploads", "/admin/uploads?status=failed", "/admin/uploads/00000000-0000-0000-0000-000000000000"]) {
    const res = await page.goto(path);
    expect(res?.status()).toBe(403);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Administrators only");
  }
  await expectNoSeriousA11yViolations(page);
  await expect(page.getByRole("link", { name: "Upload audit" })).toHaveCount(0);
  const calls = [
    page.request.get("/api/admin/uploads"),
    page.request.get("/api/admin/uploads/export"),
    page.request.post("/api/admin/uploads/00000000-0000-0000-0000-000000000000/abort"),
    page.request.post("/api/admin/uploads/00000000-0000-0000-0000-000000000000/retry-registration"),
  ];
  for (const res of await Promise.all(calls)) {
    expect(res.status()).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
  }
  // Filters on the user's own history, kept in the URL.
  await page.goto("/uploads?status=aborted&q=zzz-no-such-file");
  await expect(page.getByLabel("Status")).toHaveValue("aborted");
  await expect(page.getByText("No uploads match this filter.")).toBeVisible();
  await expectNoSeriousA11yViolations(page);
});
