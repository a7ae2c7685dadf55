import type { Metadata } from "next";
import Link from "next/link";
import "./globals.css";
import { getCaller } from "@/lib/auth";
import { SignOutButton } from "@/components/sign-out-button";
import { SessionKeepAlive } from "@/components/session-keep-alive";
import { currentCkanUser } from "@/lib/authz/ckan-authz";
import { getConfig } from "@/lib/config";

export const metadata: Metadata = {
  title: { default: "CKAN upload portal", template: "%s · CKAN upload portal" },
  description: "Upload large files to CKAN datasets, straight to S3.",
};

/** App shell: header with navigation and the signed-in user, skip link, main landmark. */
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const caller = await getCaller().catch(() => null);
  // What CKAN says now (cached at most CKAN_AUTHZ_MAX_AGE_SECONDS), not the sysadmin flag of the sign-in cookie.
  const ckanUser = caller ? await currentCkanUser(caller).catch(() => null) : null;
  const admin = caller ? getConfig().PORTAL_ADMINS.includes(caller.name) || Boolean(ckanUser?.sysadmin) : false;
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:bg-white focus:p-2">
          Skip to content
        </a>
        <header className="border-b border-slate-200 bg-white">
          <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-4 px-4 py-3">
            <Link href="/" className="text-lg font-semibold text-slate-900">
              CKAN upload portal
            </Link>
            {caller && (
              <nav aria-label="Main" className="flex items-center gap-4 text-sm">
                <Link href="/" className="text-blue-800 underline-offset-2 hover:underline">Datasets</Link>
                <Link href="/uploads" className="text-blue-800 underline-offset-2 hover:underline">My uploads</Link>
                {admin && <Link href="/admin/uploads" className="text-blue-800 underline-offset-2 hover:underline">Upload audit</Link>}
                <span className="text-slate-700">
                  Signed in as <strong>{caller.displayName}</strong>
                  {ckanUser?.sysadmin ? " (sysadmin)" : ""}
                </span>
                <SignOutButton />
              </nav>
            )}
          </div>
        </header>
        {/* Renews the sign-in a few times per idle period while it is in use (issue 10): a third of it, 5 s to 5 min. */}
        {caller && <SessionKeepAlive intervalMs={Math.min(300_000, Math.max(5_000, (getConfig().SESSION_IDLE_MINUTES * 60_000) / 3))} />}
        <main id="main" className="mx-auto max-w-5xl px-4 py-8">
          {children}
        </main>
      </body>
    </html>
  );
}
