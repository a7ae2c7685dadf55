import Link from "next/link";
import { getTranslations } from "next-intl/server";

/** HTTP 403 page of the admin area: the user is signed in but is not a portal administrator. */
export default async function AdminForbidden() {
  const t = await getTranslations("adminForbidden");
  return (
    <div>
      <h1 className="mb-2 text-2xl font-semibold">{t("heading")}</h1>
      <p className="mb-4 text-slate-700">{t("body")}</p>
      <Link href="/uploads" className="text-blue-800 underline">{t("ownUploads")}</Link>
    </div>
  );
}
