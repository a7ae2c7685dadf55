import type { Metadata } from "next";
import Link from "next/link";
import { requireCaller } from "@/lib/page-auth";
import { creatableOrganizations, licenseOptions } from "@/lib/datasets/create";
import { NewDatasetForm } from "@/components/new-dataset-form";

export const metadata: Metadata = { title: "Create a dataset" };

/**
 * `/datasets/new`: create a CKAN dataset (as a draft) and go straight to its upload page. Offered only in
 * organizations where CKAN gives the caller `create_dataset` (organization_list_for_user: editors, admins;
 * sysadmins everywhere); a user with none sees why and whom to ask. Licenses come from CKAN `license_list`.
 * A CKAN failure shows app/error.tsx.
 */
export default async function NewDatasetPage() {
  const caller = await requireCaller("/datasets/new");
  const [orgs, licenses] = await Promise.all([creatableOrganizations(caller), licenseOptions(caller)]);
  if (orgs.length === 0) {
    return (
      <div className="max-w-2xl">
        <h1 className="mb-2 text-2xl font-semibold">You cannot create datasets yet</h1>
        <p className="mb-2 text-slate-700">
          CKAN lets editors and admins of an organization create datasets in it, and your account
          (<strong>{caller.name}</strong>) has that role in no organization.
        </p>
        <p className="mb-4 text-slate-700">
          Ask an admin of the organization that should publish the data to add you as an editor (in CKAN: the
          organization&apos;s page → Manage → Members), or ask a CKAN sysadmin. You can still add files to datasets
          you may edit.
        </p>
        <Link href="/" className="text-blue-800 underline">Back to your datasets</Link>
      </div>
    );
  }
  return (
    <div className="max-w-2xl">
      <h1 className="mb-2 text-2xl font-semibold">Create a dataset</h1>
      <p className="mb-6 text-slate-700">
        The dataset is created in CKAN as a draft (hidden from search). It becomes active with its first completed upload.
      </p>
      <NewDatasetForm
        organizations={orgs.map((o) => ({ id: o.id, title: o.title }))}
        licenses={licenses}
      />
    </div>
  );
}
