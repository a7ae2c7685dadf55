/**
 * The publisher's language (issue 12): the header's language switcher keeps the choice in a cookie and the
 * page re-renders in it, `<html lang dir>` follow (Arabic right-to-left), and axe finds no serious or
 * critical violation in German or Arabic. Also: Accept-Language chooses the language when there is no cookie;
 * /uploads and the admin list in German and Arabic (mirrored layout in Arabic); sign-in errors arrive as
 * codes and follow a change of language.
 */
import { expect, test, type Page } from "@playwright/test";
import de from "../../messages/de.json";
import es from "../../messages/es.json";
import ar from "../../messages/ar.json";
import en from "../../messages/en.json";
import { DEMO_TOKENS, expectNoSeriousA11yViolations, signIn } from "../support/portal";

test("choosing Deutsch then العربية translates the header and sets <html lang dir>", async ({ page, context }) => {
  await signIn(page, DEMO_TOKENS.editor_user);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.locator("html")).toHaveAttribute("dir", "ltr");

  // Choosing in the select changes nothing yet; the button (here pressed with Enter) applies it.
  await page.getByLabel(en.localeSwitcher.label).selectOption({ label: "Deutsch" });
  await page.getByRole("button", { name: en.localeSwitcher.apply }).press("Enter");
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  const nav = page.getByRole("navigation", { name: de.layout.mainNav });
  await expect(nav.getByRole("link", { name: de.layout.myUploads })).toBeVisible();
  await expect(nav.getByRole("button", { name: de.layout.signOut })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: de.home.heading })).toBeVisible();
  expect((await context.cookies()).find((c) => c.name === "NEXT_LOCALE")?.value).toBe("de");
  await expectNoSeriousA11yViolations(page);

  // The choice outlives navigation (cookie), including to another page.
  await page.goto("/uploads");
  await expect(page.locator("html")).toHaveAttribute("lang", "de");

  await page.getByLabel(de.localeSwitcher.label).selectOption({ label: "العربية" });
  await page.getByRole("button", { name: de.localeSwitcher.apply }).click();
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.locator("html")).toHaveAttribute("lang", "ar");
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: ar.home.heading })).toBeVisible();
  await expectNoSeriousA11yViolations(page);
});

test("without a choice, Accept-Language picks the language (sign-in page in Spanish)", async ({ browser }) => {
  const context = await browser.newContext({ locale: "es-MX" });
  const page = await context.newPage();
  await page.goto("/login");
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Iniciar sesión");
  await page.getByRole("button", { name: "Iniciar sesión" }).click();
  await expect(page.locator("#login-error")).toHaveText("Introduzca su token de API de CKAN.");
  await context.close();
});

/** The horizontal centre of an element, as a fraction of the viewport width (0 = left edge). */
async function centreOf(page: Page, selector: ReturnType<Page["locator"]>): Promise<number> {
  const box = await selector.boundingBox();
  const width = page.viewportSize()?.width ?? 1280;
  if (!box) throw new Error("element not visible");
  return (box.x + box.width / 2) / width;
}

test("/uploads and the admin upload list in German and Arabic: translated, axe-clean, mirrored in Arabic", async ({ page, context, baseURL }) => {
  await signIn(page, DEMO_TOKENS.ckan_admin);
  for (const [locale, m] of [["de", de], ["ar", ar]] as const) {
    await context.addCookies([{ name: "NEXT_LOCALE", value: locale, url: baseURL! }]);

    await page.goto("/uploads");
    await expect(page.locator("html")).toHaveAttribute("lang", locale);
    await expect(page.getByRole("heading", { level: 1, name: m.myUploads.title })).toBeVisible();
    await expect(page).toHaveTitle(new RegExp(m.myUploads.title));
    const filter = page.getByRole("form", { name: m.uploadFilter.label });
    await expect(filter.getByRole("button", { name: m.uploadFilter.apply })).toBeVisible();
    await expect(filter.getByLabel(m.uploadFilter.status)).toContainText(m.uploadStatus.completed);
    await expectNoSeriousA11yViolations(page);

    await page.goto("/admin/uploads");
    await expect(page.getByRole("heading", { level: 1, name: m.adminUploads.title })).toBeVisible();
    await expect(page).toHaveTitle(new RegExp(m.adminUploads.title));
    const totals = page.getByRole("region", { name: m.adminUploads.totalsLabel });
    await expect(totals.getByText(m.adminUploads.failures, { exact: true })).toBeVisible();
    const exportLink = totals.getByRole("link", { name: m.adminUploads.exportCsv });
    await expect(exportLink).toBeVisible();
    await expect(page.getByRole("form", { name: m.uploadFilter.label }).getByLabel(m.uploadFilter.integrity)).toBeVisible();
    await expectNoSeriousA11yViolations(page);

    // Layout sanity: the header's first item (the portal's name) sits at the start edge, the export
    // link (ms-auto) at the end edge: left/right in German, right/left in Arabic.
    const appName = page.locator("header a").first();
    const rtl = locale === "ar";
    await expect(page.locator("html")).toHaveAttribute("dir", rtl ? "rtl" : "ltr");
    expect(await centreOf(page, appName)).toBeGreaterThan(rtl ? 0.5 : 0);
    expect(await centreOf(page, appName)).toBeLessThan(rtl ? 1 : 0.5);
    expect(await centreOf(page, exportLink)).toBeGreaterThan(rtl ? 0 : 0.5);
    expect(await centreOf(page, exportLink)).toBeLessThan(rtl ? 0.5 : 1);
  }
});

test("a sign-in error is translated by its code and follows a change of language", async ({ page }) => {
  // A rejected token, submitted: the server sends the code token_rejected, the form shows it in English.
  await page.goto("/login");
  await page.getByLabel(en.login.tokenLabel).fill("not-a-valid-token");
  await page.getByRole("button", { name: en.login.submit }).click();
  await expect(page.locator("#login-error")).toHaveText(en.ckanErrors.token_rejected);
  // Switching the language re-renders the same error in German.
  await page.getByLabel(en.localeSwitcher.label).selectOption({ label: "Deutsch" });
  await page.getByRole("button", { name: en.localeSwitcher.apply }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  await expect(page.locator("#login-error")).toHaveText(de.ckanErrors.token_rejected);

  // After a redirect with ?error= (next-auth without JavaScript): the code, translated, and again after a switch.
  await page.goto("/login?error=token_rejected");
  await expect(page.locator("#login-error")).toHaveText(de.ckanErrors.token_rejected);
  await page.getByLabel(de.localeSwitcher.label).selectOption({ label: "Español" });
  await page.getByRole("button", { name: de.localeSwitcher.apply }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
  await expect(page.locator("#login-error")).toHaveText(es.ckanErrors.token_rejected);
  await page.goto(`/login?error=${encodeURIComponent("ckan_not_api?url=https://ckan.example.org&status=503&type=text/html")}`);
  await expect(page.locator("#login-error")).toHaveText(es.ckanErrors.ckan_not_api.replace("{url}", "https://ckan.example.org").replace("{status}", "503").replace("{type}", "text/html"));
  // next-auth's own generic code stays the generic message.
  await page.goto("/login?error=CredentialsSignin");
  await expect(page.locator("#login-error")).toHaveText(es.login.failed);
});
