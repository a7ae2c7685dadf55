import type { CkanPackage } from "@/lib/ckan";
import { formatBytes } from "@/lib/format";
import { ReplaceLink } from "@/components/replace/replace-link";

function datasetPageUrl(pkg: CkanPackage, ckanUrl: string): string {
  return `${ckanUrl}/dataset/${encodeURIComponent(pkg.name)}`;
}

/**
 * Dataset title, organization, visibility (or "Draft") and a link back to CKAN (the top of the deep-link
 * page). `activatesDrafts`: ACTIVATE_DRAFT_DATASETS, to say what the first upload does to a draft.
 */
export function DatasetHeader({ pkg, ckanUrl, activatesDrafts = true }: { pkg: CkanPackage; ckanUrl: string; activatesDrafts?: boolean }) {
  return (
    <section aria-labelledby="dataset-title" className="rounded border border-slate-200 bg-white p-6">
      <h1 id="dataset-title" className="text-2xl font-semibold">{pkg.title}</h1>
      <p className="mt-1 text-slate-700">
        {pkg.organization ? pkg.organization.title : "No organization"} ·{" "}
        {pkg.state === "draft" ? (
          // A draft is hidden from CKAN's search and lists whatever its `private` flag says: never call it "Public".
          <span className="font-medium text-amber-900" data-testid="dataset-state">Draft{pkg.private ? " · Private" : ""}</span>
        ) : (
          <span className={pkg.private ? "font-medium text-amber-900" : "text-slate-700"}>{pkg.private ? "Private" : "Public"}</span>
        )}
      </p>
      {pkg.state === "draft" && (
        <p className="mt-2 text-sm text-slate-700" data-testid="draft-note">
          This dataset is a draft in CKAN: hidden from search until it is finished.
          {activatesDrafts ? " The first completed upload makes it active, as CKAN's own “Finish” step does." : " Finish it in CKAN to publish it."}
        </p>
      )}
      <p className="mt-2">
        <a href={datasetPageUrl(pkg, ckanUrl)} className="text-blue-800 underline">View this dataset in CKAN</a>
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
  return (
    <section aria-labelledby="resources-heading" className="rounded border border-slate-200 bg-white p-6">
      <h2 id="resources-heading" className="text-lg font-semibold">Existing resources</h2>
      {pkg.resources.length === 0 ? (
        <p className="text-slate-700">This dataset has no resources yet.</p>
      ) : (
        <ul className="mt-2 list-disc pl-6">
          {pkg.resources.map((r) => (
            <li key={r.id}>
              <a href={`${datasetUrl}/resource/${encodeURIComponent(r.id)}`} className="text-blue-800 underline"><bdi>{r.name || r.id}</bdi></a>
              {r.format ? ` · ${r.format}` : ""}
              {typeof r.size === "number" ? ` · ${formatBytes(r.size)}` : ""}
              <ReplaceLink datasetName={pkg.name} resourceId={r.id} resourceName={r.name || r.id} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
