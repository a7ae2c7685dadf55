import { parseUploadFilter } from "@/lib/admin/filters";
import { listUploadPage } from "@/lib/admin/uploads";
import { UploadHistoryTable } from "@/components/upload-history-table";

/**
 * Earlier uploads to one dataset (CKAN package id), newest 50, by any user: rendered on the deep-link
 * upload page, which only users who may edit the dataset reach (others get 403 before this runs).
 */
export async function DatasetHistory({ datasetCkanId }: { datasetCkanId: string }) {
  const { rows, total } = await listUploadPage(parseUploadFilter({}).filter, { datasetCkanId });
  return (
    <section aria-labelledby="dataset-history">
      <h2 id="dataset-history" className="mb-2 text-lg font-semibold">Earlier uploads to this dataset</h2>
      {total > rows.length && <p className="mb-2 text-sm text-slate-700">The newest {rows.length} of {total.toLocaleString("en")}.</p>}
      <UploadHistoryTable rows={rows} caption="Earlier uploads to this dataset, newest first" showDataset={false} showUser />
    </section>
  );
}
