import Link from "next/link";
import { useTranslations } from "next-intl";
import { STATUS_VALUES, type UploadFilter } from "@/lib/admin/filters";

const input = "mt-1 block w-full rounded border border-slate-400 bg-white px-2 py-1";

/**
 * Filter form of the upload tables (`/admin/uploads`, `/uploads`): a plain GET form, so the filter lives
 * in the URL (shareable, works without JavaScript). `showUser` adds the user field (admins only).
 * Sizes are bytes; dates are UTC days, both ends inclusive.
 */
export function UploadFilterForm({ filter, action, showUser = false, invalid = [] }: { filter: UploadFilter; action: string; showUser?: boolean; invalid?: string[] }) {
  const t = useTranslations("uploadFilter");
  const tStatus = useTranslations("uploadStatus");
  const text = (name: keyof UploadFilter, label: string, type = "text", extra: Record<string, string> = {}) => (
    <label className="text-sm">
      {label}
      <input name={name} type={type} defaultValue={filter[name] === undefined ? "" : String(filter[name])} className={input} {...extra} />
    </label>
  );
  return (
    <form method="get" action={action} aria-label={t("label")} className="mb-4 rounded border border-slate-200 bg-white p-4">
      {invalid.length > 0 && (
        <p role="status" className="mb-2 text-sm text-red-800">{t("ignoredInvalid", { values: invalid.join(", ") })}</p>
      )}
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
        {text("q", t("fileName"), "search")}
        {showUser && text("user", t("user"))}
        {text("org", t("organization"))}
        {text("dataset", t("dataset"))}
        <label className="text-sm">
          {t("status")}
          <select name="status" defaultValue={filter.status ?? ""} className={input}>
            <option value="">{t("any")}</option>
            {STATUS_VALUES.map((s) => <option key={s} value={s}>{tStatus(s)}</option>)}
          </select>
        </label>
        {showUser && (
          <label className="text-sm">
            {t("integrity")}
            <select name="integrity" defaultValue={filter.integrity ?? ""} className={input}>
              <option value="">{t("any")}</option>
              <option value="changed">{t("integrityChanged")}</option>
            </select>
          </label>
        )}
        {text("from", t("from"), "date")}
        {text("to", t("to"), "date")}
        {text("minSize", t("minSize"), "number", { min: "0", step: "1" })}
        {text("maxSize", t("maxSize"), "number", { min: "0", step: "1" })}
      </div>
      {filter.sort !== "time" && <input type="hidden" name="sort" value={filter.sort} />}
      {filter.dir !== "desc" && <input type="hidden" name="dir" value={filter.dir} />}
      <div className="mt-3 flex items-center gap-4">
        <button type="submit" className="rounded bg-blue-800 px-3 py-1.5 text-white">{t("apply")}</button>
        <Link href={action} className="text-blue-800 underline">{t("clear")}</Link>
      </div>
    </form>
  );
}
