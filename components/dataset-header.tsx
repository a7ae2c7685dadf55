import { useTranslations } from "next-intl";
import type { CkanPackage } from "@/lib/ckan";
import { useFormat } from "@/lib/i18n/format";
import { ReplaceLink } from "@/components/replace/replace-link";

function datasetPageUrl(pkg: CkanPackage, ckanUrl: string): string {
  return `${ckanUrl}/dataset/${encodeURIComponent(pkg.name)}`;
}

/**
 * Dataset title, organization, visibility (or "Draft") and a link back to CKAN (the top of the deep-link
 * page). `activatesDrafts`: ACTIVATE_DRAFT_DATASETS, to say what the first upload does to a draft.
 */
export function DatasetHeader({ pkg, ckanUrl, activatesDrafts = true }: { pkg: CkanPackage; ckanUrl: string; activatesDrafts?: boolean }) {
  const t = useTranslations("dataset");
  return (
    <section aria-labelledby="dataset-title" className="rounded border border-slate-200 bg-white p-6">
      <h1 id="dataset-title" className="text-2xl font-semibold"><bdi>{pkg.title}</bdi></h1>
      <p className="mt-1 text-slate-700">
        <bdi>{pkg.organization ? pkg.organization.title : t("noOrganization")}</bdi> ·{" "}
        {pkg.state === "draft" ? (
          // A draft is hidden from CKAN's search and lists whatever its `private` flag says: never call it "Public".
          <span className="font-medium text-amber-900" data-testid="dataset-state">{pkg.private ? t("draftPrivate") : t("draft")}</span>
        ) : (
          <span className={pkg.private ? "font-medium text-amber-900" : "text-slate-700"}>{pkg.private ? t("private") : t("public")}</span>
        )}
      </p>
      {pkg.state === "draft" && (
        <p className="mt-2 text-sm text-slate-700" data-testid="draft-note">
          {activatesDrafts ? t("draftNoteActivates") : t("draftNoteFinishInCkan")}
        </p>
      )}
      <p className="mt-2">
        <a href={datasetPageUrl(pkg, ckanUrl)} className="text-blue-800 underline">{t("viewInCkan")}</a>
      </p>
    </section>
  );
}

/**
 * The dataset's existing resources. Rendered after the uploader, so keyboard users reach the file
 * picker without tabbing through a long list first.
 */
export function DatasetResources({ pkg, ckanUrl }: { pkg: CkanPackage; ckanUrl: string }) {
  const datasetUrl = datasetPageUrl(pkg, ckanUrl);
  const t = useTranslations("dataset");
  const format = useFormat();
  return (
    <section aria-labelledby="resources-heading" className="rounded border border-slate-200 bg-white p-6">
      <h2 id="resources-heading" className="text-lg font-semibold">{t("existingResources")}</h2>
      {pkg.resources.length === 0 ? (
        <p className="text-slate-700">{t("noResources")}</p>
      ) : (
        <ul className="mt-2 list-disc ps-6">
          {pkg.resources.map((r) => (
            <li key={r.id}>
              <a href={`${datasetUrl}/resource/${encodeURIComponent(r.id)}`} className="text-blue-800 underline"><bdi>{r.name || r.id}</bdi></a>
              {r.format ? ` · ${r.format}` : ""}
              {typeof r.size === "number" ? ` · ${format.bytes(r.size)}` : ""}
              <ReplaceLink datasetName={pkg.name} resourceId={r.id} resourceName={r.name || r.id} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
