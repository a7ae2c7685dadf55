import { getLocale, getTimeZone, getTranslations } from "next-intl/server";
import { parseUploadFilter } from "@/lib/admin/filters";
import { listUploadPage } from "@/lib/admin/uploads";
import { formattersFor } from "@/lib/i18n/format";
import { UploadHistoryTable } from "@/components/upload-history-table";

/**
 * Earlier uploads to one dataset (CKAN package id), newest 50, by any user: rendered on the deep-link
 * upload page, which only users who may edit the dataset reach (others get 403 before this runs).
 */
export async function DatasetHistory({ datasetCkanId }: { datasetCkanId: string }) {
  const { rows, total } = await listUploadPage(parseUploadFilter({}).filter, { datasetCkanId });
  const t = await getTranslations("datasetHistory");
  const format = formattersFor(await getLocale(), await getTimeZone());
  return (
    <section aria-labelledby="dataset-history">
      <h2 id="dataset-history" className="mb-2 text-lg font-semibold">{t("heading")}</h2>
      {total > rows.length && <p className="mb-2 text-sm text-slate-700">{t("newestOf", { shown: rows.length, total: format.number(total) })}</p>}
      <UploadHistoryTable rows={rows} caption={t("caption")} showDataset={false} showUser />
    </section>
  );
}
