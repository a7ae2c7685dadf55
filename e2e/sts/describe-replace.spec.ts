/**
 * Describe and replace (issue 12) in Chromium against the sts stack (Ceph RGW, demo CKAN): the
 * publisher names, describes and sets the format of a file's resource before its upload starts and
 * edits them after completion (CKAN resource_patch); and replaces the file of a resource from the
 * deep link /datasets/{id}/resources/{resourceId}/replace (same resource id, new size and hash in
 * CKAN, earlier object kept, the link between the two uploads on the admin session page).
 */
import { expect, test, type Page } from "@playwright/test";
import { ckanAction } from "../support/ckan";
import { makeFile } from "../support/files";
import { auditTypes, DEMO_TOKENS, expectNoSeriousA11yViolations, newestSession, openDb, signIn } from "../support/portal";
import { objectSha256, rgwClient } from "../support/s3";

const DB_URL = "file:./.tmp/e2e-sts.db";
const MB = 1000 * 1000;

async function resourceShow(id: string): Promise<Record<string, unknown>> {
  return (await ckanAction(DEMO_TOKENS.editor_user, "resource_show", { id })) as Record<string, unknown>;
}

function row(page: Page, fileName: string) {
  return page.getByTestId("upload-row").filter({ hasText: fileName });
}

test("describe a file's resource before its upload starts, then edit it after completion", async ({ page }) => {
  const first = makeFile(`first-${Date.now()}.bin`, 60 * MB); // uploads first: the second waits in the queue
  const second = makeFile(`rain-${Date.now()}.csv`, 3 * MB + 5);
  await signIn(page, DEMO_TOKENS.editor_user);
  await page.goto("/datasets/test-dataset/upload");
  await expect(page.getByLabel("Choose files")).toBeEnabled();
  await page.getByLabel("Choose files").setInputFiles([first.path, second.path]);

  const secondName = second.path.split("/").pop()!;
  const r = row(page, secondName);
  await r.getByText("Describe the resource: name, description, format").click();
  await expect(r.getByLabel("Format")).toHaveValue("CSV"); // prefilled from the file
  await r.getByLabel("Resource name").fill("Rainfall, November 2026");
  await r.getByLabel("Description").fill("Daily totals in mm.");
  await r.getByRole("button", { name: /^Save/ }).click();
  await expect(r.getByTestId("resource-fields-outcome")).toContainText("Saved");
  await expectNoSeriousA11yViolations(page);

  await expect(r).toHaveAttribute("data-state", "completed", { timeout: 240_000 });
  const session = newestSession(DB_URL, secondName)!;
  expect(await resourceShow(session.resourceId!)).toMatchObject({ name: "Rainfall, November 2026", description: "Daily totals in mm.", format: "CSV", size: second.size });

  // After completion: the same fields edit the CKAN resource (resource_patch as the user).
  // The <details> opened before the upload stays open; its summary now says the fields edit CKAN.
  await expect(r.getByText("Edit the resource's name, description and format")).toBeVisible();
  await r.getByLabel("Description").fill("Daily totals in mm, checked.");
  await r.getByLabel("Format").fill("Text CSV");
  await r.getByRole("button", { name: /^Save in CKAN/ }).click();
  await expect(r.getByTestId("resource-fields-outcome")).toHaveText("Saved in CKAN.");
  expect(await resourceShow(session.resourceId!)).toMatchObject({ id: session.resourceId, name: "Rainfall, November 2026", description: "Daily totals in mm, checked.", format: "Text CSV", size: second.size });
  const db = openDb(DB_URL);
  expect(auditTypes(db, session.id)).toContain("resource.described");
  db.close();
  await expectNoSeriousA11yViolations(page);
  await expect(row(page, first.path.split("/").pop()!)).toHaveAttribute("data-state", "completed", { timeout: 240_000 });
});

test("replace a resource's file from the deep link: same resource id, new size and hash, earlier object kept, audit link", async ({ page }) => {
  const original = makeFile(`monthly-${Date.now()}.csv`, 6 * MB + 1);
  const replacement = makeFile(`monthly-new-${Date.now()}.csv`, 7 * MB + 3);
  await signIn(page, DEMO_TOKENS.editor_user);
  await page.goto("/datasets/test-dataset/upload");
  await expect(page.getByLabel("Choose files")).toBeEnabled();
  await page.getByLabel("Choose files").setInputFiles([original.path]);
  await expect(row(page, original.path.split("/").pop()!)).toHaveAttribute("data-state", "completed", { timeout: 240_000 });
  const old = newestSession(DB_URL, original.path.split("/").pop()!)!;
  const resourceId = old.resourceId!;

  // The Existing resources row links to the replace page (after a reload: the list is server-rendered).
  await page.reload();
  await expect(page.getByRole("link", { name: new RegExp(`Replace file of ${old.fileName}`) })).toHaveAttribute("href", `/datasets/test-dataset/resources/${resourceId}/replace`);

  await page.goto(`/datasets/test-dataset/resources/${resourceId}/replace`);
  await expect(page.getByTestId("replace-resource-id")).toHaveText(resourceId);
  await expect(page.getByTestId("replace-stored")).toHaveText("Yes");
  await expect(page.getByTestId("replace-consequence")).toContainText("the resource keeps its id");
  await expect(page.getByTestId("replace-consequence")).toContainText("The earlier file stays in storage");
  await expectNoSeriousA11yViolations(page);
  await page.getByLabel(/Choose the new file for/).setInputFiles([replacement.path]);
  const r = row(page, replacement.path.split("/").pop()!);
  await expect(r).toHaveAttribute("data-state", "completed", { timeout: 240_000 });
  await expectNoSeriousA11yViolations(page);

  const fresh = newestSession(DB_URL, replacement.path.split("/").pop()!)!;
  expect(fresh.resourceId).toBe(resourceId);
  const res = await resourceShow(resourceId);
  expect(res).toMatchObject({ id: resourceId, size: replacement.size, hash: `sha256:${replacement.sha256}`, name: old.fileName });
  expect(String(res.url)).toContain(`/download/${fresh.id}/`);
  const s3 = rgwClient();
  expect(await objectSha256(s3, fresh.bucket, fresh.key)).toEqual({ sha256: replacement.sha256, size: replacement.size });
  expect(await objectSha256(s3, old.bucket, old.key)).toEqual({ sha256: original.sha256, size: original.size }); // kept
  const db = openDb(DB_URL);
  expect(auditTypes(db, fresh.id)).toContain("resource.replaced");
  expect(auditTypes(db, old.id)).toContain("object.replaced");
  db.close();

  // The admin session page links the two uploads.
  await page.context().clearCookies();
  await signIn(page, DEMO_TOKENS.ckan_admin);
  await page.goto(`/admin/uploads/${fresh.id}`);
  await expect(page.getByTestId("previous-session-link")).toHaveText(old.id);
  await expect(page.getByText("Replaced the file of an existing CKAN resource")).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await page.getByTestId("previous-session-link").click();
  await expect(page).toHaveURL(new RegExp(`/admin/uploads/${old.id}$`));
  await expect(page.getByTestId("replaced-by-link")).toHaveText(fresh.id);
});
