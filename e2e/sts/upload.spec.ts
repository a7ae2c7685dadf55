/**
 * The walking slice end to end in sts mode: Chromium → portal → Ceph RGW with one-object STS
 * credentials → demo CKAN resource → audit rows in SQLite. Bytes are checked in the bucket.
 */
import { expect, test } from "@playwright/test";
import { makeFile } from "../support/files";
import { auditTypes, DEMO_TOKENS, expectNoSeriousA11yViolations, openDb, sessionsNamed, signIn } from "../support/portal";
import { objectSha256, rgwClient } from "../support/s3";

const DB_URL = "file:./.tmp/e2e-sts.db";

test("an editor uploads a 300 MB file, a 0-byte file and 日本語データ.csv to a dataset", async ({ page }) => {
  const big = makeFile(`big-${Date.now()}.bin`, 300 * 1000 * 1000);
  const empty = makeFile(`empty-${Date.now()}.txt`, 0);
  const japanese = makeFile("日本語データ.csv", 3 * 1024 * 1024 + 17);

  await signIn(page, DEMO_TOKENS.editor_user);
  await page.goto("/datasets/test-dataset/upload");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Test Dataset");
  await expect(page.getByText("Test Org")).toBeVisible();
  await expect(page.getByRole("link", { name: "View this dataset in CKAN" })).toHaveAttribute("href", /\/dataset\/test-dataset$/);
  await expectNoSeriousA11yViolations(page);

  await expect(page.getByLabel("Choose files")).toBeEnabled();
  await page.getByLabel("Choose files").setInputFiles([big.path, empty.path, japanese.path]);
  const rows = page.getByTestId("upload-row");
  await expect(rows).toHaveCount(3);
  const bigRow = rows.filter({ hasText: big.path.split("/").pop()! });

  const started = Date.now();
  // Progress advances: a value strictly between 0 and 100 % is shown while the big file is sent.
  await expect
    .poll(async () => {
      const p = Number.parseFloat((await bigRow.getByTestId("percent").textContent()) ?? "0");
      return p > 0 && p < 100;
    }, { timeout: 120_000, intervals: [50] })
    .toBe(true);
  await expect(page.getByTestId("announcer")).toContainText(/percent uploaded|upload complete/);
  await expect(bigRow).toHaveAttribute("data-state", "completed", { timeout: 240_000 });
  const seconds = (Date.now() - started) / 1000;
  console.log(`300 MB upload through STS credentials to RGW: ${seconds.toFixed(1)} s, ${(big.size / 1e6 / seconds).toFixed(1)} MB/s (including session start and completion)`);
  for (const f of [empty, japanese]) {
    await expect(rows.filter({ hasText: f.path.split("/").pop()! })).toHaveAttribute("data-state", "completed", { timeout: 60_000 });
  }
  await expect(bigRow.getByRole("link", { name: /Open the resource in CKAN/ })).toHaveAttribute("href", /\/dataset\/test-dataset\/resource\/[0-9a-f-]{36}$/);
  await expectNoSeriousA11yViolations(page);

  const db = openDb(DB_URL);
  const s3 = rgwClient();
  for (const f of [big, empty, japanese]) {
    const [session] = sessionsNamed(db, f.path.split("/").pop()!);
    expect(session.status).toBe("COMPLETED");
    expect(session.size).toBe(f.size);
    expect(session.resourceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await objectSha256(s3, session.bucket, session.key)).toEqual({ sha256: f.sha256, size: f.size });
    expect(auditTypes(db, session.id)).toContain("session.completed");
  }
  db.close();

  // The user's history lists them.
  await page.getByRole("link", { name: "My uploads" }).click();
  await expect(page.getByRole("heading", { name: "My uploads" })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "日本語データ.csv" }).first()).toContainText("Completed");
  await expectNoSeriousA11yViolations(page);
});

test("a user who may not edit the dataset sees a 403 page; an unknown dataset is 404", async ({ page }) => {
  await signIn(page, DEMO_TOKENS.plain_user);
  const res = await page.goto("/datasets/test-dataset/upload");
  expect(res?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You cannot add files to this dataset" })).toBeVisible();
  await expect(page.getByLabel("Choose files")).toHaveCount(0);
  await expectNoSeriousA11yViolations(page);

  const missing = await page.goto("/datasets/no-such-dataset/upload");
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();

  // The API gives them nothing either.
  const api = await page.request.post("/api/uploads", { data: { datasetId: "test-dataset", fileName: "x.bin", size: 10 } });
  expect(api.status()).toBe(403);
  expect((await api.json()).error.code).toBe("forbidden");
});

test("a signed-out visitor is sent to /login and back to the deep link after sign-in", async ({ page }) => {
  await page.goto("/datasets/test-dataset/upload");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fdatasets%2Ftest-dataset%2Fupload/);
  await expectNoSeriousA11yViolations(page);
  await page.getByLabel("CKAN API token").fill(DEMO_TOKENS.editor_user);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/datasets\/test-dataset\/upload$/);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/uploads");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fuploads/);
});

test("an invalid CKAN token is refused with a clear message (CASES 24)", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("CKAN API token").fill("this-is-not-a-valid-token");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "CKAN" })).toContainText("CKAN did not accept this API token");
  await expect(page).toHaveURL(/\/login/);
  // A token that could not even travel in an HTTP header gets the same message, not "unreachable".
  await page.getByLabel("CKAN API token").fill("tok€n\u200b");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "CKAN" })).toContainText("CKAN did not accept this API token");
});

test("the home page lists the datasets the user may edit, with search", async ({ page }) => {
  await signIn(page, DEMO_TOKENS.editor_user);
  await expect(page.getByRole("heading", { name: "Datasets you can add files to" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Upload files to Test Dataset" })).toBeVisible();
  await expect(page.getByText("Other Dataset")).toHaveCount(0);
  await expectNoSeriousA11yViolations(page);
  await page.getByLabel("Search datasets").fill("zzz-nothing");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("No datasets found.")).toBeVisible();
});

test("the API answers JSON errors with the right status codes", async ({ page, request }) => {
  const anon = await request.post("/api/uploads", { data: { datasetId: "test-dataset", fileName: "x", size: 1 } });
  expect(anon.status()).toBe(401);
  expect((await anon.json()).error).toMatchObject({ code: "unauthenticated" });

  await signIn(page, DEMO_TOKENS.editor_user);
  const cases: Array<[string, unknown, number, string]> = [
    ["/api/uploads", "{not json", 400, "invalid_json"],
    ["/api/uploads", { datasetId: "test-dataset", fileName: "", size: 1 }, 400, "validation_failed"],
    ["/api/uploads", { datasetId: "test-dataset", fileName: "x", size: -1 }, 400, "validation_failed"],
    ["/api/uploads", { datasetId: "no-such-dataset", fileName: "x", size: 1 }, 404, "not_found"],
    ["/api/uploads", { datasetId: "test-dataset", fileName: "x", size: 10_000 * 5 * 1024 ** 3 + 1 }, 413, "too_large"],
    ["/api/uploads/00000000-0000-0000-0000-000000000000/complete", {}, 404, "not_found"],
    ["/api/uploads/not-a-uuid/abort", {}, 404, "not_found"],
    ["/api/uploads", { datasetId: "test-dataset", fileName: "x", size: 1, lastModified: 8.64e15 + 1 }, 400, "validation_failed"],
    ["/api/uploads", { datasetId: "test-dataset", fileName: "x".repeat(300_000), size: 1 }, 413, "too_large"],
    ["/api/nothing-here", {}, 404, "not_found"],
    ["/api/uploads", { datasetId: "test-dataset", fileName: "weird\n=cmd.csv", size: 1 }, 400, "validation_failed"],
  ];
  for (const [url, body, status, code] of cases) {
    const res = await page.request.post(url, typeof body === "string" ? { data: Buffer.from(body), headers: { "content-type": "application/json" } } : { data: body });
    expect([url, res.status()]).toEqual([url, status]);
    expect((await res.json()).error.code).toBe(code);
  }
  // GET /api/uploads lists the caller's own uploads (issue 13); other methods stay 405.
  const wrongMethod = await page.request.delete("/api/uploads");
  expect(wrongMethod.status()).toBe(405);
  expect(wrongMethod.headers()["allow"]).toBe("GET, POST");
  expect((await wrongMethod.json()).error.code).toBe("method_not_allowed");
});
