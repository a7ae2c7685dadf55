import "server-only";
import { createHash } from "node:crypto";
import { verifyCkanToken, INVALID_TOKEN_MESSAGE, type Caller } from "@/lib/auth";
import { ApiError } from "./errors";

/**
 * API clients (the `ckan-upload` command line, scripts) authenticate with their CKAN API token in
 * `Authorization: Bearer <token>` instead of a session cookie. The token is verified with CKAN
 * `user_show` exactly as at sign-in (lib/auth.ts verifyCkanToken), the answer is cached for
 * {@link TOKEN_CACHE_TTL_MS} under the token's SHA-256 (the token itself is never a key, never
 * logged, never stored), and the request is then handled as that user. Such a request carries no
 * ambient browser credentials, so the same-origin check (lib/security/same-origin.ts) does not apply to it.
 */

/** How long a verified token is trusted without asking CKAN again, in ms: 60 s (a revoked token stops working within a minute). */
export const TOKEN_CACHE_TTL_MS = 60_000;
/** Most cached tokens kept; the oldest are dropped beyond it. */
const TOKEN_CACHE_MAX = 1_000;

type Verified = Omit<Caller, "ckanToken">;
const globalForTokens = globalThis as unknown as { portalTokenCache?: Map<string, { user: Verified; expiresAt: number }> };
const cache = () => (globalForTokens.portalTokenCache ??= new Map());

/**
 * The API token of a request: the value of `Authorization: Bearer <token>` (RFC 6750 §2.1), or null
 * when the request has no such header (a browser with a session cookie).
 */
export function bearerToken(headers: Pick<Headers, "get">): string | null {
  const h = headers.get("authorization");
  if (!h) return null;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(h);
  return m ? m[1] : null;
}

/**
 * The caller whose CKAN API token is `token` (verified with CKAN user_show, cached 60 s by hash).
 * @throws ApiError 401 `unauthenticated` with CKAN's verdict in words (unknown, expired or revoked token);
 *   502 `ckan_failed` when CKAN cannot be reached to check it.
 */
export async function callerFromApiToken(token: string, now = Date.now()): Promise<Caller> {
  const key = createHash("sha256").update(token).digest("hex");
  const map = cache();
  const hit = map.get(key);
  if (hit && hit.expiresAt > now) return { ...hit.user, ckanToken: token };
  let user: Verified;
  try {
    user = await verifyCkanToken(token);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (message === INVALID_TOKEN_MESSAGE) throw new ApiError("unauthenticated", INVALID_TOKEN_MESSAGE);
    throw new ApiError("ckan_failed", message);
  }
  map.delete(key);
  map.set(key, { user, expiresAt: now + TOKEN_CACHE_TTL_MS });
  while (map.size > TOKEN_CACHE_MAX) map.delete(map.keys().next().value as string);
  return { ...user, ckanToken: token };
}

/** Test hook: forget every cached token verdict. */
export function resetTokenCacheForTests(): void {
  globalForTokens.portalTokenCache = undefined;
}
