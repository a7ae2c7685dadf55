import type { Config } from "@/lib/config";

type S3Settings = Pick<Config, "S3_ENDPOINT" | "S3_FORCE_PATH_STYLE" | "S3_REGION"> & { S3_BROWSER_ENDPOINT?: string };

/** `scheme://host[:port]` of an endpoint URL, or null when it is not a URL. */
function originOf(endpoint: string): URL | null {
  try {
    return new URL(endpoint);
  } catch {
    return null;
  }
}

/**
 * The origins the browser sends parts to, for the CSP `connect-src`: S3_BROWSER_ENDPOINT when set
 * (the endpoint as browsers reach it), and S3_ENDPOINT — plus `*.host` for virtual-hosted-style
 * buckets unless S3_FORCE_PATH_STYLE — else AWS's S3 endpoints for S3_REGION (virtual-hosted and
 * path style; Amazon S3 User Guide, "Virtual hosting of buckets").
 */
export function s3ConnectSources(config: S3Settings): string[] {
  const out = new Set<string>();
  for (const endpoint of [config.S3_BROWSER_ENDPOINT, config.S3_ENDPOINT]) {
    const u = endpoint ? originOf(endpoint) : null;
    if (!u) continue;
    out.add(u.origin);
    if (!config.S3_FORCE_PATH_STYLE) out.add(`${u.protocol}//*.${u.host}`);
  }
  if (!config.S3_ENDPOINT && !config.S3_BROWSER_ENDPOINT) {
    const r = config.S3_REGION;
    for (const s of [`https://*.s3.${r}.amazonaws.com`, `https://s3.${r}.amazonaws.com`, "https://*.s3.amazonaws.com", "https://s3.amazonaws.com"]) out.add(s);
  }
  return [...out];
}

/**
 * The Content-Security-Policy of every portal response. Scripts only with this response's `nonce`
 * (Next.js puts it on its own inline and chunk scripts; `'strict-dynamic'` lets those load the rest)
 * plus `'wasm-unsafe-eval'` for hash-wasm's checksums; `'unsafe-eval'` only under `next dev`.
 * `connect-src` allows the portal and the S3 endpoints; `frame-ancestors 'none'` forbids framing.
 */
export function contentSecurityPolicy(opts: { nonce: string; s3: S3Settings; dev?: boolean }): string {
  const script = [`'self'`, `'nonce-${opts.nonce}'`, `'strict-dynamic'`, `'wasm-unsafe-eval'`, ...(opts.dev ? [`'unsafe-eval'`] : [])];
  return [
    `default-src 'self'`,
    `script-src ${script.join(" ")}`,
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data: blob:`,
    `font-src 'self' data:`,
    `connect-src 'self' ${s3ConnectSources(opts.s3).join(" ")}`,
    `worker-src 'self' blob:`,
    `object-src 'none'`,
    `base-uri 'self'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
  ].join("; ");
}

/**
 * Security headers set on every page and API response (by proxy.ts): the CSP, nosniff, a referrer
 * policy that sends only the origin cross-site, no framing, and — when the portal is served over
 * https — HSTS for two years (RFC 6797; never over plain http, where browsers ignore it anyway).
 */
export function securityHeaders(opts: { csp: string; https: boolean }): Record<string, string> {
  return {
    "content-security-policy": opts.csp,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    ...(opts.https ? { "strict-transport-security": "max-age=63072000; includeSubDomains" } : {}),
  };
}

/** A fresh CSP nonce: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
