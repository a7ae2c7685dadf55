import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireCaller } from "@/lib/page-auth";
import { creatableOrganizations, licenseOptions } from "@/lib/datasets/create";
import { NewDatasetForm } from "@/components/new-dataset-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("meta"))("newDatasetTitle") };
}

/**
 * `/datasets/new`: create a CKAN dataset (as a draft) and go straight to its upload page. Offered only in
 * organizations where CKAN gives the caller `create_dataset` (organization_list_for_user: editors, admins;
 * sysadmins everywhere); a user with none sees why and whom to ask. Licenses come from CKAN `license_list`.
 * A CKAN failure shows app/error.tsx.
 */
export default async function NewDatasetPage() {
  const caller = await requireCaller("/datasets/new");
  const t = await getTranslations("newDataset");
  const [orgs, licenses] = await Promise.all([creatableOrganizations(caller), licenseOptions(caller)]);
  if (orgs.length === 0) {
    return (
      <div className="max-w-2xl">
        <h1 className="mb-2 text-2xl font-semibold">{t("refusedHeading")}</h1>
        <p className="mb-2 text-slate-700">
          {t.rich("refusedWhy", { name: caller.name, strong: (chunks) => <strong><bdi>{chunks}</bdi></strong> })}
        </p>
        <p className="mb-4 text-slate-700">{t("refusedAsk")}</p>
        <Link href="/" className="text-blue-800 underline">{t("back")}</Link>
      </div>
    );
  }
  return (
    <div className="max-w-2xl">
      <h1 className="mb-2 text-2xl font-semibold">{t("heading")}</h1>
      <p className="mb-6 text-slate-700">{t("intro")}</p>
      <NewDatasetForm organizations={orgs.map((o) => ({ id: o.id, title: o.title }))} licenses={licenses} />
    </div>
  );
}
