import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { LoginForm } from "@/components/login-form";
import { getConfig } from "@/lib/config";
import { safeCallbackPath } from "@/lib/safe-redirect";

/** The page title in the request's locale. */
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("meta"))("signInTitle") };
}

/** `/login`: sign in with a CKAN API token. `?callbackUrl=/path` returns there afterwards; `?error=…` says sign-in failed. */
export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const sp = await searchParams;
  const ckanUrl = getConfig().CKAN_URL;
  const t = await getTranslations("login");
  return (
    <div className="mx-auto max-w-lg">
      <h1 className="mb-2 text-2xl font-semibold">{t("heading")}</h1>
      <p className="mb-6 text-slate-700">
        {t.rich("intro", {
          link: (chunks) => <a className="text-blue-800 underline" href={`${ckanUrl}/user/`}>{chunks}</a>,
          em: (chunks) => <em>{chunks}</em>,
        })}
      </p>
      <LoginForm callbackUrl={safeCallbackPath(sp.callbackUrl)} initialFailed={Boolean(sp.error)} />
    </div>
  );
}
