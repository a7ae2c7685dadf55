import type { Metadata } from "next";
import Link from "next/link";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getTranslations } from "next-intl/server";
import "./globals.css";
import { getCaller } from "@/lib/auth";
import { SignOutButton } from "@/components/sign-out-button";
import { SessionKeepAlive } from "@/components/session-keep-alive";
import { currentCkanUser } from "@/lib/authz/ckan-authz";
import { getConfig } from "@/lib/config";
import { LocaleSwitcher } from "@/components/locale-switcher";
import { isLocale, localeDirection } from "@/lib/i18n/locales";

/** Title and description in the request's locale. */
export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("meta");
  return { title: { default: t("appName"), template: `%s · ${t("appName")}` }, description: t("description") };
}

/**
 * App shell: header with navigation, the language switcher and the signed-in user, skip link, main landmark.
 * `<html lang dir>` follow the request's locale (i18n/request.ts); NextIntlClientProvider hands the locale,
 * messages and time zone to client components (docs/i18n.md).
 */
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const [locale, t, tMeta] = await Promise.all([getLocale(), getTranslations("layout"), getTranslations("meta")]);
  const caller = await getCaller().catch(() => null);
  // What CKAN says now (cached at most CKAN_AUTHZ_MAX_AGE_SECONDS), not the sysadmin flag of the sign-in cookie.
  const ckanUser = caller ? await currentCkanUser(caller).catch(() => null) : null;
  const admin = caller ? getConfig().PORTAL_ADMINS.includes(caller.name) || Boolean(ckanUser?.sysadmin) : false;
  return (
    <html lang={locale} dir={isLocale(locale) ? localeDirection(locale) : "ltr"}>
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900">
        <NextIntlClientProvider>
          <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:start-2 focus:top-2 focus:bg-white focus:p-2">
            {t("skipToContent")}
          </a>
          <header className="border-b border-slate-200 bg-white">
            <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-4 px-4 py-3">
              <Link href="/" prefetch={false} className="text-lg font-semibold text-slate-900">
                {tMeta("appName")}
              </Link>
              <div className="flex flex-wrap items-center gap-4">
                {caller && (
                  <nav aria-label={t("mainNav")} className="flex flex-wrap items-center gap-4 text-sm">
                    <Link href="/" prefetch={false} className="text-blue-800 underline-offset-2 hover:underline">{t("datasets")}</Link>
                    <Link href="/uploads" prefetch={false} className="text-blue-800 underline-offset-2 hover:underline">{t("myUploads")}</Link>
                    {admin && <Link href="/admin/uploads" prefetch={false} className="text-blue-800 underline-offset-2 hover:underline">{t("uploadAudit")}</Link>}
                    <span className="text-slate-700">
                      {t.rich("signedInAs", { name: caller.displayName, strong: (chunks) => <strong><bdi>{chunks}</bdi></strong> })}
                      {ckanUser?.sysadmin ? ` ${t("sysadmin")}` : ""}
                    </span>
                    <SignOutButton />
                  </nav>
                )}
                <LocaleSwitcher />
              </div>
            </div>
          </header>
          {/* Renews the sign-in a few times per idle period while it is in use (issue 10): a third of it, 5 s to 5 min. */}
          {caller && <SessionKeepAlive intervalMs={Math.min(300_000, Math.max(5_000, (getConfig().SESSION_IDLE_MINUTES * 60_000) / 3))} />}
          <main id="main" className="mx-auto max-w-5xl px-4 py-8">
            {children}
          </main>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
