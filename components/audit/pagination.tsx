import Link from "next/link";
import { useTranslations } from "next-intl";
import { filterQuery, type UploadFilter } from "@/lib/admin/filters";

/** Previous / next page links that keep the filter and sort in the URL. */
export function Pagination({ filter, pages, basePath }: { filter: UploadFilter; pages: number; basePath: string }) {
  const t = useTranslations("pagination");
  if (pages <= 1) return null;
  const page = Math.min(filter.page, pages);
  return (
    <nav aria-label={t("label")} className="mt-4 flex gap-4">
      {page > 1 && <Link href={`${basePath}${filterQuery(filter, { page: page - 1 })}`} className="text-blue-800 underline">{t("previous")}</Link>}
      <span>{t("pageOf", { page, pages })}</span>
      {page < pages && <Link href={`${basePath}${filterQuery(filter, { page: page + 1 })}`} className="text-blue-800 underline">{t("next")}</Link>}
    </nav>
  );
}
