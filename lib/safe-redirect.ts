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

/**
 * A return link or next-auth redirect target that goes only to the portal or to the CKAN site:
 * a same-origin path (see {@link safeCallbackPath}), an absolute URL on `portalOrigin`, or a URL under
 * `ckanUrl` (same origin and path prefix). Anything else — other hosts, `javascript:`, protocol-relative
 * `//host` — falls back to `portalOrigin/`.
 */
export function safeReturnUrl(value: string | null | undefined, opts: { portalOrigin: string; ckanUrl: string }): string {
  const home = `${opts.portalOrigin}/`;
  if (!value) return home;
  if (value.startsWith("/")) {
    const path = safeCallbackPath(value);
    return path === "/" && value !== "/" ? home : `${opts.portalOrigin}${path}`;
  }
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return home;
  }
  if (u.username || u.password) return home;
  if (u.origin === opts.portalOrigin) return u.href;
  const ckan = new URL(opts.ckanUrl);
  const ckanPath = ckan.pathname.replace(/\/+$/, "");
  if (u.origin === ckan.origin && (ckanPath === "" || u.pathname === ckanPath || u.pathname.startsWith(`${ckanPath}/`))) return u.href;
  return home;
}
