/**
 * CKAN fails after the object is stored (CASES 13): the row says "stored, not yet registered in
 * CKAN", and the registration is retried — from the row or from /uploads — without uploading again.
 * The faults stack's demo CKAN accepts fault commands (CKAN_DEMO_FAULT_CONTROL=1).
 */
import { expect, test } from "@playwright/test";
import { FAULT_PROXY_PORT, FAULTS_CKAN_PORT } from "../../playwright.config";
import { startFaultProxy, type FaultProxy } from "../../tests/support/fault-proxy";
import { makeFile } from "../support/files";
import { DEMO_TOKENS, expectNoSeriousA11yViolations, newestSession, signIn } from "../support/portal";
import { objectSha256, rgwClient } from "../support/s3";

const DB_URL = "file:./.tmp/e2e-faults.db";
let proxy: FaultProxy;

test.beforeAll(async () => {
  if (!process.env.S3_ENDPOINT) throw new Error("S3_ENDPOINT is not set: start Ceph RGW (npm test does)");
  proxy = await startFaultProxy({ target: process.env.S3_ENDPOINT, port: FAULT_PROXY_PORT });
});
test.afterAll(async () => proxy?.close());

/** Makes the stack's demo CKAN answer the next `count` calls of `action` with HTTP `status`. */
async function ckanFailNext(action: string, status: number, count: number): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${FAULTS_CKAN_PORT}/_demo/fail-next`, { method: "POST", body: JSON.stringify({ action, status, count }) });
  expect(res.status).toBe(204);
}

/** The newest session of `fileName` in the stack's database. */
const session = (fileName: string) => newestSession(DB_URL, fileName)!;

test("CKAN fails after the upload: stored, not yet registered; Retry registration sends no bytes again (CASES 13)", async ({ page }) => {
  const file = makeFile(`late-ckan-${Date.now()}.csv`, 7 * 1024 * 1024);
  const name = file.path.split("/").pop()!;
  await signIn(page, DEMO_TOKENS.editor_user);
  await page.goto("/datasets/test-dataset/upload");
  await ckanFailNext("resource_create", 500, 6); // every attempt of the engine's complete (6)
  await page.getByLabel("Choose files").setInputFiles(file.path);
  const row = page.getByTestId("upload-row");
  await expect(row.getByTestId("status")).toHaveText("Stored, not yet registered in CKAN", { timeout: 120_000 });
  await expect(row.getByRole("alert")).toContainText("does not need to be uploaded again");
  await expect(row.getByRole("button", { name: /Retry registration/ })).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  expect(session(name).status).toBe("UPLOADED");
  const putsBefore = proxy.stats().partPutsSeen;

  // From the history page (what a user who closed the tab would use).
  await page.goto("/uploads");
  const historyRow = page.getByRole("row").filter({ hasText: name });
  await expect(historyRow).toContainText("Stored, not yet registered in CKAN");
  await expectNoSeriousA11yViolations(page);
  await historyRow.getByRole("button", { name: /Retry registration/ }).click();
  await expect(historyRow).toContainText("Completed");
  await expect(historyRow.getByRole("link", { name: /Open in CKAN/ })).toBeVisible();

  const s = session(name);
  expect(s.status).toBe("COMPLETED");
  expect(s.resourceId).toMatch(/^[0-9a-f-]{36}$/);
  expect(proxy.stats().partPutsSeen).toBe(putsBefore); // nothing uploaded again
  expect(await objectSha256(rgwClient(), s.bucket, s.key)).toEqual({ sha256: file.sha256, size: file.size });
});
