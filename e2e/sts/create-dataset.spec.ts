/**
 * Creating a dataset from the portal (issue 12; sts stack: RGW, demo CKAN, SQLite): an editor opens "Create a
 * dataset" from the home page, the name follows the title and is checked live, the dataset is created in CKAN as
 * a draft and the browser lands on its upload page; the first completed upload makes it active in CKAN. A name
 * already in use is shown next to the name field (live, and from CKAN's 409 on submit). A user with no editor
 * role sees why and whom to ask. axe on each page.
 */
import { expect, test } from "@playwright/test";
import { ckanAction, datasetState } from "../support/ckan";
import { makeFile } from "../support/files";
import { DEMO_TOKENS, expectNoSeriousA11yViolations, openDb, signIn } from "../support/portal";

const DB_URL = "file:./.tmp/e2e-sts.db";

test("an editor creates a dataset (a draft in CKAN), lands on its upload page, and the first upload makes it active", async ({ page }) => {
  const stamp = Date.now();
  await signIn(page, DEMO_TOKENS.editor_user);
  await page.getByRole("link", { name: "Create a dataset" }).click();
  await expect(page).toHaveURL(/\/datasets\/new$/);
  await expect(page.getByRole("heading", { name: "Create a dataset" })).toBeVisible();

  await page.getByLabel("Title", { exact: true }).fill(`Données été ${stamp}`);
  const name = page.getByLabel("Name (URL)");
  await expect(name).toHaveValue(`donnees-ete-${stamp}`);
  await expect(page.getByText("This name is available.")).toBeVisible();
  await page.getByLabel("Description (optional)").fill("Summer figures.");
  await expect(page.getByLabel("Organization", { exact: true })).toHaveValue("f1b320fb-a460-46a9-9336-ab3d0a8eb2a4");
  await page.getByLabel("Public", { exact: true }).check();
  await page.getByLabel("License", { exact: true }).selectOption({ label: "Creative Commons Attribution" });
  await expectNoSeriousA11yViolations(page);
  await page.getByRole("button", { name: "Create dataset and add files" }).click();

  const slug = `donnees-ete-${stamp}`;
  await page.waitForURL(`**/datasets/${slug}/upload`);
  await expect(page.getByTestId("dataset-state")).toHaveText("Draft");
  const created = (await ckanAction(DEMO_TOKENS.editor_user, "package_show", { id: slug })) as Record<string, unknown>;
  expect(created).toMatchObject({ state: "draft", private: false, title: `Données été ${stamp}`, notes: "Summer figures.", license_id: "cc-by" });
  const db = openDb(DB_URL);
  try {
    const rows = db.prepare("SELECT detail FROM AuditEvent WHERE type = 'dataset.created'").all() as Array<{ detail: string }>;
    expect(rows.map((r) => JSON.parse(r.detail) as { name: string }).filter((d) => d.name === slug)).toHaveLength(1);
  } finally {
    db.close();
  }

  const file = makeFile(`first-${stamp}.csv`, 2048);
  await page.getByLabel("Choose files").setInputFiles(file.path);
  await expect(page.getByTestId("upload-row")).toHaveAttribute("data-state", "completed", { timeout: 120_000 });
  expect(await datasetState(DEMO_TOKENS.editor_user, slug)).toBe("active");
});

test("a name already in use is shown next to the name field, live and after submitting", async ({ page }) => {
  await signIn(page, DEMO_TOKENS.editor_user);
  await page.goto("/datasets/new");
  await page.getByLabel("Title", { exact: true }).fill("Test Dataset");
  const name = page.getByLabel("Name (URL)");
  await expect(name).toHaveValue("test-dataset");
  await expect(name).toHaveAttribute("aria-invalid", "true");
  await expect(name).toHaveAccessibleDescription(/That URL is already in use\./);
  await name.fill("Bad Name");
  await expect(name).toHaveAccessibleDescription(/Must be purely lowercase alphanumeric/);
  await name.fill("test-dataset");
  await expect(name).toHaveAccessibleDescription(/That URL is already in use\./);
  await expectNoSeriousA11yViolations(page);
  await page.getByRole("button", { name: "Create dataset and add files" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The dataset was not created" })).toHaveText("The dataset was not created: correct the fields marked above.");
  await expect(name).toHaveAccessibleDescription(/That URL is already in use\./);
  await expect(page).toHaveURL(/\/datasets\/new$/);
});

test("a user with no editor role gets no link and a page saying why and whom to ask", async ({ page }) => {
  await signIn(page, DEMO_TOKENS.plain_user);
  await expect(page.getByRole("heading", { name: "Datasets you can add files to" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Create a dataset" })).toHaveCount(0);
  await page.goto("/datasets/new");
  await expect(page.getByRole("heading", { name: "You cannot create datasets yet" })).toBeVisible();
  await expect(page.getByText(/Ask an admin of the organization/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Create dataset and add files" })).toHaveCount(0);
  await expectNoSeriousA11yViolations(page);
});
