import type { Metadata } from "next";
import { LoginForm } from "@/components/login-form";
import { getConfig } from "@/lib/config";
import { safeCallbackPath } from "@/lib/safe-redirect";

export const metadata: Metadata = { title: "Sign in" };

/** `/login`: sign in with a CKAN API token. `?callbackUrl=/path` returns there afterwards. */
export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const sp = await searchParams;
  const ckanUrl = getConfig().CKAN_URL;
  return (
    <div className="mx-auto max-w-lg">
      <h1 className="mb-2 text-2xl font-semibold">Sign in</h1>
      <p className="mb-6 text-slate-700">
        Use an API token from your CKAN profile: open{" "}
        <a className="text-blue-800 underline" href={`${ckanUrl}/user/`}>your CKAN user page</a>, choose{" "}
        <em>API Tokens</em>, create a token and paste it here. The token stays on the portal&apos;s server.
      </p>
      <LoginForm callbackUrl={safeCallbackPath(sp.callbackUrl)} initialError={sp.error ? "Sign-in failed. Check the token and try again." : undefined} />
    </div>
  );
}
