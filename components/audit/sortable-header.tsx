import Link from "next/link";
import { useTranslations } from "next-intl";
import { filterQuery, type SortValue, type UploadFilter } from "@/lib/admin/filters";

/**
 * A column header that sorts the table server-side: a link to the same filter with `sort` = this column
 * (a second click flips the direction). `aria-sort` tells screen readers the current order.
 */
export function SortableHeader({ label, column, filter, basePath }: { label: string; column: SortValue; filter: UploadFilter; basePath: string }) {
  const t = useTranslations("sortableHeader");
  const active = filter.sort === column;
  const nextDir = active && filter.dir === "desc" ? "asc" : active ? "desc" : column === "time" || column === "size" ? "desc" : "asc";
  return (
    <th scope="col" className="p-2 whitespace-nowrap" aria-sort={active ? (filter.dir === "asc" ? "ascending" : "descending") : "none"}>
      <Link href={`${basePath}${filterQuery(filter, { sort: column, dir: nextDir })}`} className="text-blue-800 underline">
        {label}
        {active ? (filter.dir === "asc" ? " ▲" : " ▼") : ""}
        <span className="sr-only">{nextDir === "asc" ? t("sortAscending") : t("sortDescending")}</span>
      </Link>
    </th>
  );
}
