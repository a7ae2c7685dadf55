/**
 * A post-sign-in destination that stays on the portal: a same-origin absolute path
 * (`/datasets/x/upload?y`), never `//host`, `/\host` or an absolute URL (no open redirect). Else `/`.
 */
export function safeCallbackPath(value: string | null | undefined): string {
  if (!value) return "/";
  try {
    const base = "http://portal.invalid";
    const u = new URL(value, base);
    if (u.origin !== base) return "/";
    if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
    return u.pathname + u.search + u.hash;
  } catch {
    return "/";
  }
}
