import Link from "next/link";
import { getTranslations } from "next-intl/server";

/** HTTP 404 page. */
export default async function NotFound() {
  const t = await getTranslations("notFound");
  return (
    <div>
      <h1 className="mb-2 text-2xl font-semibold">{t("heading")}</h1>
      <p className="mb-4 text-slate-700">{t("body")}</p>
      <Link href="/" className="text-blue-800 underline">{t("backToDatasets")}</Link>
    </div>
  );
}
