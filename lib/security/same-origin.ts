import type { NextRequest } from "next/server";
import { ApiError } from "@/lib/api/errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Origins that may send state-changing requests: the portal's public origin (NEXTAUTH_URL) and the
 * origin the request itself was addressed to (Host / X-Forwarded-Host and -Proto, as set by a
 * reverse proxy; a cross-site page cannot set these headers without a CORS preflight the portal never grants).
 */
export function portalOrigins(req: Pick<NextRequest, "headers" | "nextUrl">, nextAuthUrl = process.env.NEXTAUTH_URL): string[] {
  const out = new Set<string>();
  if (nextAuthUrl) {
    try {
      out.add(new URL(nextAuthUrl).origin);
    } catch {
      /* invalid NEXTAUTH_URL is reported by the config check */
    }
  }
  const host = req.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || req.headers.get("host");
  const proto = req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() || req.nextUrl.protocol.replace(/:$/, "");
  if (host) out.add(`${proto}://${host}`);
  out.add(req.nextUrl.origin);
  return [...out];
}

/**
 * Refuses cross-site state-changing requests (CSRF defence besides next-auth's own token on its
 * routes and the SameSite=Lax session cookie). For every method but GET/HEAD/OPTIONS:
 * `Sec-Fetch-Site` (Fetch Metadata, sent by all current browsers) must be `same-origin` or `none`,
 * and `Origin`, when present, must be one of {@link portalOrigins}. Requests with neither header
 * (curl, server-to-server) carry no ambient browser credentials of a victim and pass.
 * @throws ApiError 403 `cross_site_request`.
 */
export function assertSameOrigin(req: Pick<NextRequest, "method" | "headers" | "nextUrl">): void {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return;
  const site = req.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") {
    throw new ApiError("cross_site_request", `Cross-site request refused (Sec-Fetch-Site: ${site}). Use the portal's own pages.`);
  }
  const origin = req.headers.get("origin");
  if (origin !== null && !portalOrigins(req).includes(origin)) {
    throw new ApiError("cross_site_request", "Cross-site request refused: the Origin is not this portal.");
  }
}
