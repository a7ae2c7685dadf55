import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { getConfig } from "@/lib/config";
import { LOCALE_COOKIE, type Locale } from "@/lib/i18n/locales";
import { negotiateLocale } from "@/lib/i18n/negotiate";

/** DEFAULT_LOCALE; "en" while the configuration cannot be read (the build; start-up refuses a bad one anyway). */
function defaultLocale(): Locale {
  try {
    return getConfig().DEFAULT_LOCALE;
  } catch {
    return "en";
  }
}

/**
 * next-intl's per-request configuration (found by the plugin in next.config.js). No locale in the URL:
 * the NEXT_LOCALE cookie, else Accept-Language, else DEFAULT_LOCALE (lib/i18n/negotiate.ts; docs/i18n.md).
 * Dates are shown in UTC unless TZ says otherwise, the same on the server and in the browser.
 */
export default getRequestConfig(async () => {
  const [jar, hdrs] = await Promise.all([cookies(), headers()]);
  const locale = negotiateLocale({
    cookie: jar.get(LOCALE_COOKIE)?.value,
    acceptLanguage: hdrs.get("accept-language"),
    defaultLocale: defaultLocale(),
  });
  return {
    locale,
    messages: (await import(`../messages/${locale}.json`)).default,
    timeZone: process.env.TZ || "UTC",
  };
});
