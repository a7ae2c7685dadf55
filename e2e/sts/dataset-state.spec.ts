/**
 * CKAN's dataset states and withdrawn permissions in the UI (sts stack: RGW, demo CKAN with
 * CKAN_AUTHZ_MAX_AGE_SECONDS=0, SQLite): a draft is shown as "Draft" (never "Public") and its first
 * completed upload makes it active in CKAN (package_patch), audited; a deleted dataset's deep link says
 * it was deleted (404); an upload refused at completion because CKAN withdrew the user's rights is
 * listed on /uploads as failed with the reason and cancelled from there.
 */
import { expect, test } from "@playwright/test";
import { PERSONA_TOKENS } from "../../scripts/ckan-demo/personas";
import { ckanAction, datasetState } from "../support/ckan";
import { makeFile } from "../support/files";
import { auditTypes, DEMO_TOKENS, expectNoSeriousA11yViolations, openDb, sessionsNamed, signIn } from "../support/portal";

const DB_URL = "file:./.tmp/e2e-sts.db";

test("a draft dataset is shown as Draft, and the first completed upload makes it active in CKAN (audited)", async ({ page }) => {
  expect(await datasetState(DEMO_TOKENS.editor_user, "draft-dataset")).toBe("draft");
  await signIn(page, DEMO_TOKENS.editor_user);
  await page.goto("/datasets/draft-dataset/upload");
  const header = page.getByRole("region", { name: "Draft Dataset" });
  await expect(header.getByTestId("dataset-state")).toHaveText("Draft");
  await expect(header).not.toContainText("Public");
  await expect(header.getByTestId("draft-note")).toContainText("The first completed upload makes it active");
  await expectNoSeriousA11yViolations(page);

  const file = makeFile(`draft-first-${Date.now()}.csv`, 4321);
  await page.getByLabel("Choose files").setInputFiles(file.path);
  await expect(page.getByTestId("upload-row")).toHaveAttribute("data-state", "completed", { timeout: 120_000 });
  expect(await datasetState(DEMO_TOKENS.editor_user, "draft-dataset")).toBe("active");
  const db = openDb(DB_URL);
  try {
    const session = sessionsNamed(db, file.path.split("/").pop()!)[0]!;
    expect(auditTypes(db, session.id)).toContain("dataset.activated");
  } finally {
    db.close();
  }
  await page.reload();
  await expect(page.getByRole("region", { name: "Draft Dataset" })).toContainText("Public");
});

test("a deleted dataset's deep link answers 404 and says the dataset was deleted in CKAN", async ({ page }) => {
  await signIn(page, DEMO_TOKENS.editor_user);
  const res = await page.goto("/datasets/deleted-dataset/upload");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Dataset deleted" })).toBeVisible();
  await expect(page.getByTestId("not-found-reason")).toHaveText(/The dataset "Deleted Dataset" was deleted in CKAN, so it accepts no uploads/);
  await expect(page.getByLabel("Choose files")).toHaveCount(0);
  await expectNoSeriousA11yViolations(page);
});

test("an upload refused at completion (permission withdrawn) is listed as failed with the reason and cancelled from /uploads", async ({ page }) => {
  await signIn(page, PERSONA_TOKENS.withdrawn_editor);
  const fileName = `withdrawn-${Date.now()}.bin`;
  const started = await page.request.post("/api/uploads", { data: { datasetId: "test-dataset", fileName, size: 10, contentType: "" } });
  expect(started.status()).toBe(200);
  const id = ((await started.json()) as { sessionId: string }).sessionId;
  await ckanAction(DEMO_TOKENS.ckan_admin, "organization_member_delete", { id: "test-org", username: "withdrawn_editor" });
  expect((await page.request.post(`/api/uploads/${id}/complete`, { data: {} })).status()).toBe(403);

  await page.goto("/uploads");
  const row = page.locator(`tr[data-session-id="${id}"]`);
  await expect(row).toContainText("Failed");
  await expect(row).toContainText('CKAN no longer allows you to add files to the dataset "Test Dataset"');
  await expectNoSeriousA11yViolations(page);
  page.once("dialog", (d) => void d.accept());
  await row.getByRole("button", { name: `Cancel upload of ${fileName}` }).click();
  await expect(row).toContainText("Cancelled");
  const db = openDb(DB_URL);
  try {
    expect(sessionsNamed(db, fileName)[0]!.status).toBe("ABORTED");
  } finally {
    db.close();
  }
});
