import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { ApiError } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";
import { requireCaller } from "@/lib/page-auth";
import { loadEditableDataset } from "@/lib/uploads/access";
import { Uploader } from "@/components/uploader/uploader";
import { DatasetHeader, DatasetResources } from "@/components/dataset-header";
import { DatasetHistory } from "@/components/audit/dataset-history";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("uploadPage");
  return { title: t("title") };
}

/**
 * `/datasets/{id-or-name}/upload`: the deep link CKAN dataset pages point to. 404 when the dataset does
 * not exist (or is private and invisible to the caller) and 404 with "deleted in CKAN" when it was deleted
 * (`state: "deleted"`; the API answers 410), 403 when the caller may not edit it. A `draft` shows "Draft". Below the
 * uploader: earlier uploads to this dataset by anyone (shown only to users who may edit it).
 */
export default async function UploadPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const caller = await requireCaller(`/datasets/${id}/upload`);
  let pkg;
  try {
    pkg = await loadEditableDataset(caller, decodeURIComponent(id));
  } catch (err) {
    // A deleted dataset: 404 too (a page cannot answer 410); not-found.tsx says it was deleted.
    if (err instanceof ApiError && (err.code === "not_found" || err.code === "dataset_deleted")) notFound();
    if (err instanceof ApiError && err.code === "forbidden") forbidden();
    throw err;
  }
  const config = getConfig();
  return (
    <div className="space-y-8">
      <DatasetHeader pkg={pkg} ckanUrl={config.CKAN_URL} activatesDrafts={config.ACTIVATE_DRAFT_DATASETS} />
      <Uploader
        datasetId={pkg.id}
        datasetName={pkg.name}
        partSize={config.PART_SIZE_BYTES}
        concurrency={config.PART_CONCURRENCY}
        partTuning={config.PART_TUNING}
        maxBytes={config.MAX_UPLOAD_BYTES}
        checksum="CRC32C"
        refreshMarginMs={config.STS_REFRESH_MARGIN_SECONDS * 1000}
      />
      <DatasetResources pkg={pkg} ckanUrl={config.CKAN_URL} />
      <DatasetHistory datasetCkanId={pkg.id} />
    </div>
  );
}
