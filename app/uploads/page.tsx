import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { filterQuery, hasFilter, parseUploadFilter } from "@/lib/admin/filters";
import { listUploadPage } from "@/lib/admin/uploads";
import { requireCaller } from "@/lib/page-auth";
import { UploadHistoryTable } from "@/components/upload-history-table";
import { Pagination } from "@/components/audit/pagination";
import { UploadFilterForm } from "@/components/audit/upload-filter-form";

/** The page title in the user's language. */
export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("myUploads");
  return { title: t("title") };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/**
 * `/uploads`: the caller's upload sessions, newest first, with status, size, dataset and resource
 * links, filtered like `/admin/uploads` (organization, dataset, status, dates, sizes, file name; the
 * filter is kept in the URL). Always scoped to the caller's own sessions.
 */
export default async function MyUploadsPage({ searchParams }: { searchParams: SearchParams }) {
  const { filter: parsed, invalid } = parseUploadFilter(await searchParams);
  const filter = { ...parsed, user: undefined };
  const caller = await requireCaller(`/uploads${filterQuery(filter, { page: filter.page })}`);
  const { total, rows, pages } = await listUploadPage(filter, { userCkanId: caller.id });
  const t = await getTranslations("myUploads");
  return (
    <div>
      <h1 className="mb-4 text-2xl font-semibold">{t("title")}</h1>
      <UploadFilterForm filter={filter} action="/uploads" invalid={invalid} />
      <p className="mb-2 text-sm text-slate-700" role="status">{t("count", { count: total })}</p>
      <UploadHistoryTable rows={rows} ownRows caption={t("caption")} emptyText={hasFilter(filter) ? t("noMatch") : t("none")} />
      <Pagination filter={filter} pages={pages} basePath="/uploads" />
    </div>
  );
}
