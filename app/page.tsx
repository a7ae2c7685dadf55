import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { isCkanError, listEditableDatasets } from "@/lib/ckan";
import { CKAN_DOWN_KINDS } from "@/lib/ckan/errors";
import { requireCaller } from "@/lib/page-auth";
import { currentCkanUser } from "@/lib/authz/ckan-authz";
import { ckanAs } from "@/lib/uploads/access";
import { creatableOrganizations } from "@/lib/datasets/create";

const PAGE_SIZE = 20;

/**
 * `/`: the datasets the caller may add files to (sysadmin: all; others: datasets of organizations
 * where they have update_dataset, plus editor/admin collaborations), searchable with CKAN package_search.
 */
export default async function HomePage({ searchParams }: { searchParams: Promise<{ q?: string; page?: string }> }) {
  const sp = await searchParams;
  const caller = await requireCaller("/");
  const t = await getTranslations("home");
  const q = (sp.q ?? "").slice(0, 200);
  const page = Math.max(1, Number.parseInt(sp.page ?? "1", 10) || 1);
  let result: Awaited<ReturnType<typeof listEditableDatasets>> | null = null;
  let error: string | null = null;
  // "Create a dataset" only for users CKAN lets create one somewhere (a failure here just hides the link).
  const canCreate = creatableOrganizations(caller).then((orgs) => orgs.length > 0, () => false);
  try {
    // The sysadmin flag as CKAN says now (cached at most CKAN_AUTHZ_MAX_AGE_SECONDS), not the sign-in cookie's.
    const user = await currentCkanUser(caller);
    result = await listEditableDatasets(ckanAs(caller), user, { q, rows: PAGE_SIZE, start: (page - 1) * PAGE_SIZE });
  } catch (err) {
    // CKAN not answering as its API: the error boundary (app/error.tsx) says so, with a 5xx status.
    if (isCkanError(err, ...CKAN_DOWN_KINDS)) throw err;
    error = t("listFailed", { message: (err as Error).message });
  }
  const pages = result ? Math.max(1, Math.ceil(result.count / PAGE_SIZE)) : 1;
  const link = (p: number) => `/?${new URLSearchParams({ ...(q ? { q } : {}), page: String(p) })}`;

  return (
    <div>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-semibold">{t("heading")}</h1>
        {(await canCreate) && (
          <Link href="/datasets/new" prefetch={false} className="rounded border border-blue-700 px-3 py-1 font-medium text-blue-800 hover:bg-blue-50">{t("createDataset")}</Link>
        )}
      </div>
      <form role="search" method="get" action="/" className="mb-6 flex gap-2">
        <label htmlFor="q" className="sr-only">{t("searchLabel")}</label>
        <input id="q" name="q" type="search" defaultValue={q} placeholder={t("searchPlaceholder")} className="flex-1 rounded border border-slate-400 px-3 py-2" />
        <button type="submit" className="rounded bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800">{t("search")}</button>
      </form>
      {error && <p role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-red-800">{error}</p>}
      {result && (
        <>
          <p className="mb-3 text-slate-700" aria-live="polite">
            {t("count", { count: result.count })}
          </p>
          <ul className="divide-y divide-slate-200 rounded border border-slate-200 bg-white">
            {result.results.map((pkg) => (
              <li key={pkg.id} className="flex flex-wrap items-center justify-between gap-2 p-4">
                <div>
                  <p className="font-medium"><bdi>{pkg.title}</bdi></p>
                  <p className="text-sm text-slate-700">
                    <bdi>{pkg.organization?.title ?? t("noOrganization")}</bdi> · {pkg.private ? t("private") : t("public")} · {t("resources", { count: pkg.resources.length })}
                  </p>
                </div>
                <Link href={`/datasets/${encodeURIComponent(pkg.name)}/upload`} prefetch={false} className="rounded border border-blue-700 px-3 py-1 text-blue-800 hover:bg-blue-50">
                  {t.rich("upload", { title: pkg.title, sr: (chunks) => <span className="sr-only">{chunks}</span> })}
                </Link>
              </li>
            ))}
          </ul>
          {pages > 1 && (
            <nav aria-label={t("pagination")} className="mt-4 flex gap-4">
              {page > 1 && <Link href={link(page - 1)} className="text-blue-800 underline">{t("previousPage")}</Link>}
              <span>{t("pageOf", { page, pages })}</span>
              {page < pages && <Link href={link(page + 1)} className="text-blue-800 underline">{t("nextPage")}</Link>}
            </nav>
          )}
        </>
      )}
    </div>
  );
}
