import { NextResponse, type NextRequest } from "next/server";
import { getToken } from "next-auth/jwt";
import { getConfig } from "@/lib/config";
import { contentSecurityPolicy, newNonce, securityHeaders } from "@/lib/security/headers";

/** Paths a signed-out visitor may open: sign-in, the API (answers 401 JSON itself), downloads (public datasets need no sign-in), /metrics (bearer token). */
function isPublicPath(pathname: string): boolean {
  return pathname === "/login" || pathname.startsWith("/api/") || pathname.startsWith("/download/") || pathname === "/metrics";
}

/**
 * Runs before every page and API route (Next.js 16 proxy):
 * - sets the security headers (lib/security/headers.ts) with a per-request CSP nonce, which Next.js
 *   reads from the request's Content-Security-Policy header and puts on its scripts;
 * - sends signed-out visitors of any page but /login and /download/… to /login, with `callbackUrl`
 *   = the page they wanted (a same-origin path), so sign-in brings them back.
 */
export async function proxy(req: NextRequest): Promise<NextResponse> {
  const config = getConfig();
  const nonce = newNonce();
  const csp = contentSecurityPolicy({
    nonce,
    s3: { ...config, S3_BROWSER_ENDPOINT: (config as { S3_BROWSER_ENDPOINT?: string }).S3_BROWSER_ENDPOINT ?? process.env.S3_BROWSER_ENDPOINT },
    dev: process.env.NODE_ENV === "development",
  });
  const https =
    req.nextUrl.protocol === "https:" ||
    req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https" ||
    (config.NEXTAUTH_URL ?? "").startsWith("https://");

  let res: NextResponse;
  const signedIn = isPublicPath(req.nextUrl.pathname) || (await getToken({ req, secret: config.NEXTAUTH_SECRET })) !== null;
  if (signedIn) {
    const requestHeaders = new Headers(req.headers);
    requestHeaders.set("content-security-policy", csp);
    requestHeaders.set("x-nonce", nonce);
    // The path, for not-found boundaries (they get no params); set here, so a client cannot supply it.
    requestHeaders.set("x-portal-pathname", req.nextUrl.pathname);
    res = NextResponse.next({ request: { headers: requestHeaders } });
  } else {
    const url = req.nextUrl.clone();
    url.pathname = "/login";
    url.search = "";
    url.searchParams.set("callbackUrl", req.nextUrl.pathname + req.nextUrl.search);
    res = NextResponse.redirect(url);
  }
  for (const [k, v] of Object.entries(securityHeaders({ csp, https }))) res.headers.set(k, v);
  return res;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
