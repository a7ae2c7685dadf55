"use client";

import { signIn } from "next-auth/react";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useHydrated } from "./use-hydrated";
import { announceSignIn } from "@/lib/uploader/sign-in";

/**
 * The CKAN API token form. Errors are announced (role="alert") and the token never enters a URL.
 * `initialFailed`: the page was reached after a failed sign-in (`?error=`). A reason the server gives
 * (token rejected, CKAN unreachable: lib/auth.ts) is shown as the server wrote it (English).
 */
export function LoginForm({ callbackUrl, initialFailed = false }: { callbackUrl: string; initialFailed?: boolean }) {
  const t = useTranslations("login");
  const [error, setError] = useState<string | undefined>(initialFailed ? t("failed") : undefined);
  const [busy, setBusy] = useState(false);
  const hydrated = useHydrated();

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const token = String(new FormData(e.currentTarget).get("token") ?? "").trim();
    if (!token) {
      setError(t("tokenMissing"));
      return;
    }
    setBusy(true);
    setError(undefined);
    const res = await signIn("ckan-token", { token, redirect: false, callbackUrl });
    if (!res || res.error) {
      setBusy(false);
      setError(res?.error && res.error !== "CredentialsSignin" ? res.error : t("failed"));
      return;
    }
    announceSignIn(); // uploads waiting in other tabs for a new sign-in go on at once
    window.location.assign(callbackUrl);
  }

  return (
    <form onSubmit={onSubmit} method="post" className="space-y-4 rounded border border-slate-200 bg-white p-6" noValidate>
      <div>
        <label htmlFor="token" className="mb-1 block font-medium">{t("tokenLabel")}</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          aria-describedby={error ? "login-error" : undefined}
          aria-invalid={error ? true : undefined}
          className="w-full rounded border border-slate-400 px-3 py-2 font-mono"
        />
      </div>
      {error && (
        <p id="login-error" role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-red-800">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy || !hydrated} className="rounded bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800 disabled:opacity-60">
        {busy ? t("submitting") : t("submit")}
      </button>
    </form>
  );
}
