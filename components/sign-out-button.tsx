"use client";

import { signOut } from "next-auth/react";
import { useHydrated } from "./use-hydrated";

/** Signs the user out and returns to /login. */
export function SignOutButton() {
  const hydrated = useHydrated();
  return (
    <button
      type="button"
      disabled={!hydrated}
      onClick={() => signOut({ callbackUrl: "/login" })}
      className="rounded border border-slate-300 px-3 py-1 text-slate-800 hover:bg-slate-100"
    >
      Sign out
    </button>
  );
}
