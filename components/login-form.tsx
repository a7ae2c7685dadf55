"use client";

import { signIn } from "next-auth/react";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useHydrated } from "./use-hydrated";
import { announceSignIn } from "@/lib/uploader/sign-in";
import { decodeReason } from "@/lib/i18n/sign-in-errors";

/**
 * The CKAN API token form. Errors are announced (role="alert") and the token never enters a URL.
 * `initialError`: the `?error=` of a redirect after a failed sign-in. The server's reason (token rejected,
 * CKAN unreachable, CKAN not answering as CKAN: lib/auth.ts) arrives as a code (lib/i18n/sign-in-errors.ts);
 * the form keeps the code, not the text, so the message follows a change of language.
 */
export function LoginForm({ callbackUrl, initialError }: { callbackUrl: string; initialError?: string }) {
  const t = useTranslations("login");
  const tCkan = useTranslations("ckanErrors");
  /** The error as a next-auth error string ("" = generic failure), or undefined for none. */
  const [error, setError] = useState<string | undefined>(initialError === undefined ? undefined : initialError);
  const reason = decodeReason(error);
  const errorText = error === undefined ? undefined : reason ? tCkan(reason.code, reason.values) : t("failed");
  const [busy, setBusy] = useState(false);
  const hydrated = useHydrated();

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const token = String(new FormData(e.currentTarget).get("token") ?? "").trim();
    if (!token) {
      setError("token_missing");
      return;
    }
    setBusy(true);
    setError(undefined);
    const res = await signIn("ckan-token", { token, redirect: false, callbackUrl });
    if (!res || res.error) {
      setBusy(false);
      setError(res?.error ?? "");
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
          aria-describedby={errorText ? "login-error" : undefined}
          aria-invalid={errorText ? true : undefined}
          className="w-full rounded border border-slate-400 px-3 py-2 font-mono"
        />
      </div>
      {errorText && (
        <p id="login-error" role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-red-800">
          {errorText}
        </p>
      )}
      <button type="submit" disabled={busy || !hydrated} className="rounded bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800 disabled:opacity-60">
        {busy ? t("submitting") : t("submit")}
      </button>
    </form>
  );
}
