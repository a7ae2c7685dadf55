/** Locale negotiation, locale-aware formatting and the API error-code → UI text mapping (issue 12). */
import { createTranslator } from "next-intl";
import { describe, expect, it } from "vitest";
import en from "@/messages/en.json";
import de from "@/messages/de.json";
import ar from "@/messages/ar.json";
import { formatBytes, formatDateTime, formatDuration, formatSpeed } from "@/lib/format";
import { apiErrorMessage } from "@/lib/i18n/api-errors";
import { localeDirection } from "@/lib/i18n/locales";
import { negotiateLocale } from "@/lib/i18n/negotiate";

describe("negotiateLocale: cookie, else Accept-Language, else DEFAULT_LOCALE", () => {
  it.each([
    [{ cookie: "ar", acceptLanguage: "de-DE,de;q=0.9", defaultLocale: "en" }, "ar"],
    [{ cookie: "fr", acceptLanguage: "de-DE,de;q=0.9", defaultLocale: "en" }, "de"], // unsupported choice: ignored
    [{ cookie: null, acceptLanguage: "de-AT", defaultLocale: "en" }, "de"], // region → language
    [{ cookie: null, acceptLanguage: "fr-CH, fr;q=0.9, es;q=0.8, en;q=0.7", defaultLocale: "de" }, "es"], // quality order
    [{ cookie: null, acceptLanguage: "en;q=0.1, ar-EG;q=0.9", defaultLocale: "de" }, "ar"],
    [{ cookie: null, acceptLanguage: "fr, ja", defaultLocale: "es" }, "es"], // nothing matches
    [{ cookie: null, acceptLanguage: "*", defaultLocale: "de" }, "de"],
    [{ cookie: null, acceptLanguage: "not a language;;; q=x", defaultLocale: "de" }, "de"], // malformed
    [{ cookie: undefined, acceptLanguage: undefined, defaultLocale: "en" }, "en"],
  ] as const)("%o → %s", (input, expected) => {
    expect(negotiateLocale(input)).toBe(expected);
  });

  it("Arabic is right-to-left, the others left-to-right", () => {
    expect([localeDirection("ar"), localeDirection("de"), localeDirection("en"), localeDirection("es")]).toEqual(["rtl", "ltr", "ltr", "ltr"]);
  });
});

describe("formatting follows the locale; English output is unchanged", () => {
  it("bytes, rates, durations and dates", () => {
    expect([formatBytes(5 * 1024 * 1024), formatBytes(5 * 1024 * 1024, "de"), formatBytes(1536, "es")]).toEqual(["5.0 MiB", "5,0 MiB", "1,5 KiB"]);
    expect([formatBytes(1000), formatBytes(1000, "de")]).toEqual(["1,000 B", "1.000 B"]);
    expect([formatSpeed(12_345_678), formatSpeed(12_345_678, "de")]).toEqual(["12.3 MB/s", "12,3 MB/s"]);
    expect([formatDuration(3725), formatDuration(3725, "de"), formatDuration(null, "de")]).toEqual(["1 h 2 min", "1 Std. 2 Min.", "—"]);
    const d = new Date("2026-11-29T22:03:00Z");
    expect(formatDateTime(d, "en")).toBe("Nov 29, 2026, 10:03 PM");
    expect(formatDateTime(d, "de")).toBe("29.11.2026, 22:03");
  });

  it("ICU plurals choose the language's forms", () => {
    const tEn = createTranslator({ locale: "en", messages: en, namespace: "home" });
    const tDe = createTranslator({ locale: "de", messages: de, namespace: "home" });
    const tAr = createTranslator({ locale: "ar", messages: ar, namespace: "home" });
    expect([0, 1, 2].map((count) => tEn("count", { count }))).toEqual(["No datasets found.", "1 dataset", "2 datasets"]);
    expect([1, 3].map((count) => tDe("resources", { count }))).toEqual(["1 Ressource", "3 Ressourcen"]);
    expect([1, 2, 3, 11].map((count) => tAr("resources", { count }))).toEqual(["مورد واحد", "موردان", "3 موارد", "11 موردًا"]);
  });
});

describe("apiErrorMessage: the UI translates the API's error code", () => {
  const tDe = createTranslator({ locale: "de", messages: de, namespace: "apiErrors" });
  const tEn = createTranslator({ locale: "en", messages: en, namespace: "apiErrors" });

  it("a known code is shown in the user's language, not the API's English message", () => {
    expect(apiErrorMessage(tDe, { error: { code: "dataset_deleted", message: "The dataset was deleted." } })).toBe(de.apiErrors.dataset_deleted);
  });

  it("an unknown code falls back to the API's English message, then to the generic text", () => {
    expect(apiErrorMessage(tDe, { error: { code: "brand_new_code", message: "Something new happened." } })).toBe("Something new happened.");
    expect(apiErrorMessage(tDe, { error: { code: "toString", message: "Prototype keys are not codes." } })).toBe("Prototype keys are not codes.");
    expect(apiErrorMessage(tEn, null)).toBe(en.apiErrors.internal);
    expect(apiErrorMessage(tDe, { error: { code: 42 } } as never)).toBe(de.apiErrors.internal);
  });

  it("every API error code has a translation", async () => {
    const { API_ERROR_STATUS } = await import("@/lib/api/errors");
    expect(Object.keys(API_ERROR_STATUS).filter((code) => !(code in en.apiErrors))).toEqual([]);
  });
});
