"use client";

import { signOut } from "next-auth/react";
import { useTranslations } from "next-intl";
import { useHydrated } from "./use-hydrated";

/** Signs the user out and returns to /login. */
export function SignOutButton() {
  const hydrated = useHydrated();
  const t = useTranslations("layout");
  return (
    <button
      type="button"
      disabled={!hydrated}
      onClick={() => signOut({ callbackUrl: "/login" })}
      className="rounded border border-slate-300 px-3 py-1 text-slate-800 hover:bg-slate-100"
    >
      {t("signOut")}
    </button>
  );
}
