/**
 * The publisher's language (issue 12): the header's language switcher keeps the choice in a cookie and the
 * page re-renders in it, `<html lang dir>` follow (Arabic right-to-left), and axe finds no serious or
 * critical violation in German or Arabic. Also: Accept-Language chooses the language when there is no cookie.
 */
import { expect, test } from "@playwright/test";
import de from "../../messages/de.json";
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
