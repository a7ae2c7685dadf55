import Link from "next/link";
import { getTranslations } from "next-intl/server";

/** HTTP 403 page: the user is signed in but may not add files to this dataset. */
export default async function Forbidden() {
  const t = await getTranslations("forbidden");
  return (
    <div>
      <h1 className="mb-2 text-2xl font-semibold">{t("heading")}</h1>
      <p className="mb-4 text-slate-700">{t("body")}</p>
      <Link href="/" className="text-blue-800 underline">{t("backToDatasets")}</Link>
    </div>
  );
}
