/**
 * The portal's locales: English plus three of CKAN's core locales, one of them right-to-left.
 * Adding one: a `messages/{locale}.json` with every key of en.json, an entry here and in
 * LOCALE_NAMES (docs/i18n.md, "Adding a locale").
 */
export const LOCALES = ["en", "de", "es", "ar"] as const;
export type Locale = (typeof LOCALES)[number];

/** Cookie that keeps the user's choice of language (set by the header's language switcher). */
export const LOCALE_COOKIE = "NEXT_LOCALE";

/** Each locale's name in its own language, as the language switcher lists it. */
export const LOCALE_NAMES: Record<Locale, string> = { en: "English", de: "Deutsch", es: "Español", ar: "العربية" };

const RTL_LOCALES: ReadonlySet<Locale> = new Set(["ar"]);

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** Text direction of a locale, for `<html dir>`. */
export function localeDirection(locale: Locale): "ltr" | "rtl" {
  return RTL_LOCALES.has(locale) ? "rtl" : "ltr";
}
