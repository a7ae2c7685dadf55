import { getLocale, getTranslations } from "next-intl/server";
import { setLocale } from "@/lib/i18n/actions";
import { LOCALE_NAMES, LOCALES } from "@/lib/i18n/locales";

/**
 * The header's language switcher: a labelled select and a submit button (choosing with the arrow keys
 * changes nothing until the button is pressed, WCAG 3.2.2). The server action keeps the choice in the
 * NEXT_LOCALE cookie and the page re-renders in that language; works without JavaScript too.
 * Each language is named in its own language, with its `lang`.
 */
export async function LocaleSwitcher() {
  const [t, locale] = await Promise.all([getTranslations("localeSwitcher"), getLocale()]);
  return (
    <form action={setLocale} className="flex items-center gap-2 text-sm">
      <label htmlFor="locale-select" className="text-slate-700">{t("label")}</label>
      <select
        id="locale-select"
        name="locale"
        defaultValue={locale}
        key={locale}
        className="rounded border border-slate-400 bg-white px-2 py-1 text-slate-900"
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>{LOCALE_NAMES[l]}</option>
        ))}
      </select>
      <button type="submit" className="rounded border border-slate-300 px-3 py-1 text-slate-800 hover:bg-slate-100">
        {t("apply")}
      </button>
    </form>
  );
}
