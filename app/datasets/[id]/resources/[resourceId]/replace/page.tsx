import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { getLocale, getTimeZone, getTranslations } from "next-intl/server";
import { formattersFor } from "@/lib/i18n/format";
import { ApiError } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";
import { requireCaller } from "@/lib/page-auth";
import { ckanAs, loadEditableDataset } from "@/lib/uploads/access";
import { resolveReplaceTarget } from "@/lib/uploads/replace";
import { DatasetHeader } from "@/components/dataset-header";
import { ReplaceUploader } from "@/components/replace/replace-uploader";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("replace");
  return { title: t("title") };
}

/**
 * `/datasets/{id-or-name}/resources/{resourceId}/replace` (issue 12): the deep link CKAN's resource
 * page can point to. Shows the resource, says what replacing it will do (in place for a file this
 * portal stored, keeping or deleting the earlier object per REPLACED_OBJECTS; otherwise the URL is
 * pointed at the new upload after the user confirms), and uploads one file that becomes the
 * resource's file (CKAN resource_patch: same resource id). 404 for an unknown/invisible dataset or a
 * resource of another dataset, 403 when the caller may not edit the dataset.
 */
export default async function ReplacePage({ params }: { params: Promise<{ id: string; resourceId: string }> }) {
  const { id, resourceId } = await params;
  const caller = await requireCaller(`/datasets/${id}/resources/${resourceId}/replace`);
  const config = getConfig();
  let pkg;
  let target;
  try {
    pkg = await loadEditableDataset(caller, decodeURIComponent(id));
    target = await resolveReplaceTarget(ckanAs(caller), pkg, decodeURIComponent(resourceId), config.REPLACED_OBJECTS);
  } catch (err) {
    if (err instanceof ApiError && (err.code === "not_found" || err.code === "dataset_deleted")) notFound();
    if (err instanceof ApiError && err.code === "forbidden") forbidden();
    throw err;
  }
  const t = await getTranslations("replace");
  const format = formattersFor(await getLocale(), await getTimeZone());
  const r = target.resource;
  const label = r.name || r.id;
  return (
    <div className="space-y-8">
      <DatasetHeader pkg={pkg} ckanUrl={config.CKAN_URL} activatesDrafts={config.ACTIVATE_DRAFT_DATASETS} />
      <section aria-labelledby="replace-heading" className="space-y-3 rounded border border-slate-200 bg-white p-6">
        <h2 id="replace-heading" className="text-xl font-semibold">{t("heading", { name: label })}</h2>
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="font-medium">{t("resourceId")}</dt>
          <dd className="break-all" data-testid="replace-resource-id">{r.id}</dd>
          <dt className="font-medium">{t("currentFile")}</dt>
          <dd className="break-all"><bdi>{r.url || "—"}</bdi></dd>
          <dt className="font-medium">{t("size")}</dt>
          <dd>{typeof r.size === "number" ? format.bytes(r.size) : "—"}</dd>
          <dt className="font-medium">{t("storedByPortal")}</dt>
          <dd data-testid="replace-stored">{target.previous ? t("yes") : t("no")}</dd>
        </dl>
        <p className="rounded border border-blue-300 bg-blue-50 p-2 text-sm text-blue-900" data-testid="replace-consequence">{target.previous ? t(config.REPLACED_OBJECTS === "keep" ? "inPlaceKeep" : "inPlaceDelete", { name: label }) : t("external", { name: label, url: r.url || "—" })}</p>
      </section>
      <ReplaceUploader
        datasetId={pkg.id}
        resourceId={r.id}
        resourceName={label}
        external={!target.previous}
        concurrency={config.PART_CONCURRENCY}
        refreshMarginMs={config.STS_REFRESH_MARGIN_SECONDS * 1000}
      />
    </div>
  );
}
