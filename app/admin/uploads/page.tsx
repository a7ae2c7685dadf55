import type { Metadata } from "next";
import { getLocale, getTimeZone, getTranslations } from "next-intl/server";
import { requireAdminPage } from "@/lib/admin/access";
import { filterQuery, parseUploadFilter } from "@/lib/admin/filters";
import { listUploadPage, uploadTotals } from "@/lib/admin/uploads";
import { formattersFor } from "@/lib/i18n/format";
import { AdminUploadTable } from "@/components/audit/admin-upload-table";
import { BytesPerDayChart } from "@/components/audit/bytes-per-day-chart";
import { Pagination } from "@/components/audit/pagination";
import { UploadFilterForm } from "@/components/audit/upload-filter-form";

/** The page title in the user's language. */
export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("adminUploads");
  return { title: t("title") };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/**
 * `/admin/uploads` (portal admins; others get 403): every upload session, server-side paginated (50 a
 * page) and sortable, with the filter in the URL, totals for the filter (sessions, bytes, failures), a
 * chart of bytes per day, and a CSV export of the filter.
 */
export default async function AdminUploadsPage({ searchParams }: { searchParams: SearchParams }) {
  const { filter, invalid } = parseUploadFilter(await searchParams);
  await requireAdminPage(`/admin/uploads${filterQuery(filter, { page: filter.page })}`);
  const [page, totals] = await Promise.all([listUploadPage(filter), uploadTotals(filter)]);
  const t = await getTranslations("adminUploads");
  const format = formattersFor(await getLocale(), await getTimeZone());
  return (
    <div>
      <h1 className="mb-4 text-2xl font-semibold">{t("title")}</h1>
      <UploadFilterForm filter={filter} action="/admin/uploads" showUser invalid={invalid} />
      <section aria-label={t("totalsLabel")} className="mb-4 flex flex-wrap items-center gap-6 rounded border border-slate-200 bg-white p-4">
        <dl className="flex flex-wrap gap-6">
          <div><dt className="text-sm text-slate-700">{t("uploads")}</dt><dd className="text-xl font-semibold" data-testid="total-count">{format.number(totals.count)}</dd></div>
          <div><dt className="text-sm text-slate-700">{t("bytes")}</dt><dd className="text-xl font-semibold" data-testid="total-bytes" title={t("exactBytes", { bytes: totals.bytes })}>{format.bytes(totals.bytes)}</dd></div>
          <div><dt className="text-sm text-slate-700">{t("failures")}</dt><dd className="text-xl font-semibold" data-testid="total-failures">{format.number(totals.failures)}</dd></div>
        </dl>
        <a href={`/api/admin/uploads/export${filterQuery(filter)}`} download className="ms-auto rounded border border-blue-800 px-3 py-1.5 text-blue-800">{t("exportCsv")}</a>
      </section>
      <BytesPerDayChart days={totals.days} />
      <AdminUploadTable rows={page.rows} filter={filter} basePath="/admin/uploads" />
      <Pagination filter={filter} pages={page.pages} basePath="/admin/uploads" />
    </div>
  );
}
