/**
 * The publisher's whole task in German and in Arabic (issue 12, "Done means": the whole flow in German and
 * in Arabic (RTL) with axe), in Chromium against the sts stack (Ceph RGW, demo CKAN): choose the language
 * in the header of the sign-in page, sign in, open a dataset's upload page by its deep link, set the
 * resource's name, description and format before the upload starts, upload a small file and see it
 * complete, edit the description after completion (CKAN resource_patch), and find the resource in CKAN
 * through its action API. On every page: `<html lang dir>`, the catalogue's words (never English ones
 * hard-coded here), axe with no serious or critical violation; in Arabic the layout mirrors (start-aligned
 * items on the right, end-aligned ones on the left).
 */
import { expect, test, type Locator, type Page } from "@playwright/test";
import en from "../../messages/en.json";
import de from "../../messages/de.json";
import ar from "../../messages/ar.json";
import { LOCALE_NAMES } from "../../lib/i18n/locales";
import { ckanAction } from "../support/ckan";
import { makeFile } from "../support/files";
import { DEMO_TOKENS, expectNoSeriousA11yViolations, newestSession } from "../support/portal";

const DB_URL = "file:./.tmp/e2e-sts.db";

/** The visible part of a rich message ("Save<sr> (<bdi>{file}</bdi>)</sr>" → "Save"). */
const visible = (message: string) => message.split("<sr>")[0]!;
/** The plain text after a rich message's `<b>{name}</b>` ("<b>{name}</b>: upload complete" → ": upload complete"). */
const afterName = (message: string) => message.split("</b>")[1]!;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The horizontal centre of an element, as a fraction of the viewport width (0 = left edge). */
async function centreOf(page: Page, locator: Locator): Promise<number> {
  const box = await locator.boundingBox();
  if (!box) throw new Error("element not visible");
  return (box.x + box.width / 2) / (page.viewportSize()?.width ?? 1280);
}

/** `<html lang dir>` of the locale, and the header's first item (the portal's name) at the start edge. */
async function expectLocaleLayout(page: Page, locale: "de" | "ar"): Promise<void> {
  const rtl = locale === "ar";
  await expect(page.locator("html")).toHaveAttribute("lang", locale);
  await expect(page.locator("html")).toHaveAttribute("dir", rtl ? "rtl" : "ltr");
  const appName = page.locator("header a").first();
  await expect(appName).toHaveText(locale === "ar" ? ar.meta.appName : de.meta.appName);
  const centre = await centreOf(page, appName);
  expect(rtl ? centre > 0.5 : centre < 0.5, `portal name centred at ${centre} of the width (${locale})`).toBe(true);
}

const FLOWS = [
  { locale: "de", m: de, name: "Niederschlag, November 2026", description: "Tagessummen in mm.", edited: "Tagessummen in mm, geprüft." },
  { locale: "ar", m: ar, name: "هطول الأمطار، نوفمبر 2026", description: "المجاميع اليومية بالمليمتر.", edited: "المجاميع اليومية بالمليمتر، بعد التدقيق." },
] as const;

for (const { locale, m, name, description, edited } of FLOWS) {
  test(`the whole publisher flow in ${LOCALE_NAMES[locale]} (${locale}): language, sign-in, deep link, describe, upload, edit, CKAN`, async ({ page }) => {
    const file = makeFile(`locale-${locale}-${Date.now()}.csv`, 300 * 1024 + 7);
    const fileName = file.path.split("/").pop()!;

    // Sign-in page, as a browser asking for English sees it; the header's switcher changes the language.
    await page.goto("/login");
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await page.getByLabel(en.localeSwitcher.label).selectOption({ label: LOCALE_NAMES[locale] });
    await page.getByRole("button", { name: en.localeSwitcher.apply }).click();
    await expectLocaleLayout(page, locale);
    await expect(page.getByRole("heading", { level: 1, name: m.login.heading })).toBeVisible();
    await expectNoSeriousA11yViolations(page);

    await page.getByLabel(m.login.tokenLabel).fill(DEMO_TOKENS.editor_user);
    await page.getByRole("button", { name: m.login.submit }).click();
    await page.waitForURL((u) => u.pathname === "/");
    await expectLocaleLayout(page, locale);
    await expect(page.getByRole("heading", { level: 1, name: m.home.heading })).toBeVisible();
    await expectNoSeriousA11yViolations(page);

    // The deep link CKAN's dataset page points to.
    await page.goto("/datasets/test-dataset/upload");
    await expectLocaleLayout(page, locale);
    await expect(page).toHaveTitle(new RegExp(escape(m.uploadPage.title)));
    await expect(page.getByRole("heading", { level: 2, name: m.uploader.heading })).toBeVisible();
    await expect(page.getByRole("heading", { level: 2, name: m.dataset.existingResources })).toBeVisible();
    await expect(page.getByTestId("drop-zone")).toContainText(m.uploader.folderNames);
    await expectNoSeriousA11yViolations(page);

    // Session creation waits until the fields are saved: they are set before the upload starts.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/uploads", async (route) => {
      if (route.request().method() === "POST") await held;
      await route.continue();
    });
    const picker = page.getByLabel(m.uploader.chooseFiles);
    await expect(picker).toBeEnabled();
    await picker.setInputFiles(file.path);
    const row = page.getByTestId("upload-row").filter({ hasText: fileName });
    await expect(row.getByTestId("status")).toHaveText(m.fileRow.state.preparing);
    await row.getByText(visible(m.resourceFields.describe)).click();
    await expect(row.getByLabel(m.resourceFields.format)).toHaveValue("CSV"); // guessed from the file
    await row.getByLabel(m.resourceFields.name).fill(name);
    await row.getByLabel(m.resourceFields.description).fill(description);
    await row.getByRole("button", { name: new RegExp(`^${escape(visible(m.resourceFields.save))}`) }).click();
    await expect(row.getByTestId("resource-fields-outcome")).toHaveText(m.resourceFields.saved);
    await expect(row).toHaveAttribute("data-bytes-sent", "0"); // nothing sent yet
    await expectNoSeriousA11yViolations(page);

    // In Arabic the row mirrors: the file name (start) on the right, its size (end) on the left.
    const nameCentre = await centreOf(page, row.locator(`[id^="name-"]`));
    const sizeCentre = await centreOf(page, row.locator(`[id^="name-"] + p`));
    expect(locale === "ar" ? nameCentre > sizeCentre : nameCentre < sizeCentre, `name at ${nameCentre}, size at ${sizeCentre}`).toBe(true);

    release();
    await expect(row).toHaveAttribute("data-state", "completed", { timeout: 120_000 });
    await expect(row.getByTestId("status")).toHaveText(m.fileRow.state.completed);
    await expect(page.getByText(m.uploader.allFinished)).toBeVisible();
    await expect(page.getByTestId("announcer")).toContainText(afterName(m.uploader.announce.completed));
    await expect(row.getByRole("link", { name: new RegExp(`^${escape(visible(m.fileRow.openInCkan))}`) })).toBeVisible();

    // The CKAN resource: the fields set before the upload, the file's size.
    const session = newestSession(DB_URL, fileName)!;
    expect(session.status).toBe("COMPLETED");
    const show = (id: string) => ckanAction(DEMO_TOKENS.editor_user, "resource_show", { id }) as Promise<Record<string, unknown>>;
    expect(await show(session.resourceId!)).toMatchObject({ name, description, format: "CSV", size: file.size });
    // "Existing resources" shows it without a reload.
    await expect(page.getByRole("region", { name: m.dataset.existingResources })).toContainText(name);

    // After completion the same fields edit the CKAN resource.
    await expect(row.getByText(visible(m.resourceFields.edit))).toBeVisible();
    await row.getByLabel(m.resourceFields.description).fill(edited);
    await row.getByRole("button", { name: new RegExp(`^${escape(visible(m.resourceFields.saveInCkan))}`) }).click();
    await expect(row.getByTestId("resource-fields-outcome")).toHaveText(m.resourceFields.savedInCkan);
    expect(await show(session.resourceId!)).toMatchObject({ id: session.resourceId, name, description: edited, format: "CSV", size: file.size });
    await expectNoSeriousA11yViolations(page);

    // No English words of the page's own are left on it (user data and CKAN's texts aside).
    const text = (await page.locator("main").innerText()).replaceAll(fileName, "");
    for (const english of [en.uploader.heading, en.uploader.chooseFiles, en.uploader.allFinished, en.fileRow.state.completed, en.dataset.existingResources]) {
      expect([english, text.includes(english)]).toEqual([english, false]);
    }
  });
}
