"use client";

import { signOut } from "next-auth/react";

/** Signs the user out and returns to /login. */
export function SignOutButton() {
  return (
    <button
      type="button"
      onClick={() => signOut({ callbackUrl: "/login" })}
      className="rounded border border-slate-300 px-3 py-1 text-slate-800 hover:bg-slate-100"
    >
      Sign out
    </button>
  );
}
