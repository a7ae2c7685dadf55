import { useTranslations } from "next-intl";

/**
 * The "Replace file" link of one row of "Existing resources": opens the replace page of that resource
 * (`/datasets/{dataset}/resources/{resourceId}/replace`, issue 12). A server component: a plain link.
 */
export function ReplaceLink({ datasetName, resourceId, resourceName }: { datasetName: string; resourceId: string; resourceName: string }) {
  const t = useTranslations("replace");
  return (
    <a href={`/datasets/${encodeURIComponent(datasetName)}/resources/${encodeURIComponent(resourceId)}/replace`} className="ms-2 text-sm text-blue-800 underline" data-testid="replace-link">
      {t.rich("link", { name: resourceName, sr: (chunks) => <span className="sr-only"> {chunks}</span>, bdi: (chunks) => <bdi>{chunks}</bdi> })}
    </a>
  );
}
