/**
 * HTTP 429 from the portal (its per-user limits: RATE_LIMIT_*, MAX_ACTIVE_UPLOADS_PER_USER) is not
 * a failure but an instruction: wait `Retry-After`, then send the same request again. Such waits
 * spend no attempts (a 1,000-file drop that meets the limit many times must still complete with no
 * user action) and lose nothing (parts already stored stay recorded; the waiting request is simply
 * sent later). Used by `callWithRetry` (portal calls) and the part uploader (sign calls).
 */
import type { UploadEngineError } from "./errors";

/** Longest `Retry-After` honoured as given, in ms (1 hour); a longer one is capped (a misconfigured server must not park an upload for a day). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** Spread added to each wait, at most this many ms (jitter: files throttled together do not come back in lock-step). */
export const RATE_LIMIT_JITTER_MS = 1_000;

/**
 * Parses an HTTP `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * @param value the header value, or null
 * @param nowMs the local time (ms since epoch), for the HTTP-date form
 * @returns the delay in ms (≥ 0), or undefined when absent or unparseable
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(MAX_RETRY_AFTER_MS, Number(v) * 1000);
  const date = Date.parse(v);
  if (!Number.isFinite(date)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, date - nowMs));
}

/**
 * The wait (ms) before sending a request again after `e`, when `e` is the portal's 429 (or 503)
 * with a `Retry-After`: the server's delay plus up to {@link RATE_LIMIT_JITTER_MS} of jitter.
 * Undefined for every other error (the ordinary classifier and back-off apply).
 */
export function rateLimitWaitMs(e: UploadEngineError, random: () => number = Math.random): number | undefined {
  if (e.code !== "api" || (e.status !== 429 && e.status !== 503) || e.retryAfterMs === undefined) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, e.retryAfterMs) + Math.floor(random() * RATE_LIMIT_JITTER_MS);
}
