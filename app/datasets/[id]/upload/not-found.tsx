import Link from "next/link";
import { headers } from "next/headers";
import { getTranslations } from "next-intl/server";
import { ApiError } from "@/lib/api/errors";
import { getCaller } from "@/lib/auth";
import { loadEditableDataset } from "@/lib/uploads/access";

/**
 * Why the deep link answered 404, when the reason is that the dataset was deleted in CKAN: the
 * dataset's answer (cached at most CKAN_AUTHZ_MAX_AGE_SECONDS, as for the page) says `state: "deleted"`.
 * The path comes from the `x-portal-pathname` request header that proxy.ts sets (boundaries get no params).
 * @returns the deleted dataset's title, or null for every other reason (unknown, invisible, CKAN failing).
 */
async function deletedTitle(): Promise<string | null> {
  const match = /^\/datasets\/([^/]+)\/upload\/?$/.exec((await headers()).get("x-portal-pathname") ?? "");
  const caller = match ? await getCaller().catch(() => null) : null;
  if (!match || !caller) return null;
  try {
    await loadEditableDataset(caller, decodeURIComponent(match[1]!));
  } catch (err) {
    if (err instanceof ApiError && err.code === "dataset_deleted") return (err.details as { title?: string } | undefined)?.title ?? "";
  }
  return null;
}

/**
 * HTTP 404 of the deep link: the dataset does not exist, is private and invisible to the caller, or was
 * deleted in CKAN (then the page says so: a deleted dataset accepts no uploads; the API answers 410).
 */
export default async function DatasetNotFound() {
  const deleted = await deletedTitle();
  const t = await getTranslations("datasetNotFound");
  return (
    <div>
      <h1 className="mb-2 text-2xl font-semibold">{deleted !== null ? t("deletedHeading") : t("heading")}</h1>
      <p role="alert" className="mb-4 text-slate-700" data-testid="not-found-reason">
        {deleted !== null ? t("deletedBody", { title: deleted }) : t("body")}
      </p>
      <Link href="/" className="text-blue-800 underline">{t("backToDatasets")}</Link>
    </div>
  );
}
