/**
 * The one retry classifier and the back-off schedule. Every failed request —
 * part PUTs, portal calls, complete — is judged here and nowhere else.
 */
import { type UploadEngineError, toUploadEngineError } from "./errors";

/** What to do after a failure. */
export type RetryDecision =
  /** Try the same request again after a back-off; counts as an attempt. */
  | "retry"
  /** Re-sign / refresh credentials / correct the clock, then try again at once; not an attempt. */
  | "refresh"
  /** Give up: retrying cannot help. */
  | "fatal";

/**
 * Total attempts per request (first try + retries). Default 6, i.e. 5 retries:
 * with the default back-off that spans up to ~15 s, enough to ride out an S3
 * `SlowDown` burst or a proxy restart, short enough to report a real outage.
 */
export const DEFAULT_MAX_ATTEMPTS = 6;

/**
 * Refreshes allowed per request before a refresh-class error counts as an
 * ordinary attempt. Default 5: a refresh that does not help (e.g. a portal that
 * keeps handing out expired credentials) must not loop forever.
 */
export const DEFAULT_MAX_REFRESHES = 5;

/** HTTP statuses that mean "try again": throttling and transient server/proxy failures. */
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

/** S3 error codes (XML `<Code>`) that are transient. Source: AWS S3 "Error responses" list. */
const RETRY_S3_CODES = new Set(["SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable"]);

/** S3 error codes fixed by re-signing, new credentials or a clock correction. */
const REFRESH_S3_CODES = new Set(["ExpiredToken", "TokenRefreshRequired", "RequestTimeTooSkewed"]);

/**
 * Credentials or signature refused: refreshed once (a rotated key, a credential the store has not
 * seen yet), then believed — the part uploader turns a second one into `access_denied`.
 */
const REFUSED_S3_CODES = new Set(["AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken"]);

/** Context that helps classify a 403. */
export interface ClassifyContext {
  /** Local time of the failure (ms since epoch). */
  now?: number;
  /** When the URL that was used expires (local ms since epoch), if known. */
  urlExpiresAt?: number;
}

/**
 * Classifies a failure.
 * - network errors, timeouts/stalls, 429/500/502/503/504 and S3 `SlowDown`,
 *   `RequestTimeout`, `InternalError`, `ServiceUnavailable` → `retry`;
 * - `ExpiredToken`, `TokenRefreshRequired`, `RequestTimeTooSkewed`, an expired
 *   presigned URL (403 `AccessDenied` "Request has expired", or any 403 after
 *   the URL's expiry time) → `refresh`;
 * - everything else (refused credentials — `AccessDenied`, `InvalidAccessKeyId`,
 *   `SignatureDoesNotMatch`, `InvalidToken` — which the part uploader refreshes once
 *   before it reports `access_denied`; 400, 404 `NoSuchUpload`, missing ETag, `storage_refused`,
 *   `cors`, `signed_out`, pause/cancel) → `fatal`.
 */
export function classify(error: unknown, ctx: ClassifyContext = {}): RetryDecision {
  const e = toUploadEngineError(error);
  switch (e.code) {
    case "network":
    case "timeout":
      return "retry";
    case "http":
    case "api":
      break;
    default:
      return "fatal";
  }
  if (e.s3Code && REFRESH_S3_CODES.has(e.s3Code)) return "refresh";
  if (e.status === 403 && isExpiredUrl(e, ctx)) return "refresh";
  if (e.s3Code && RETRY_S3_CODES.has(e.s3Code)) return "retry";
  if (e.status !== undefined && RETRY_STATUSES.has(e.status)) return "retry";
  return "fatal";
}

function isExpiredUrl(e: UploadEngineError, ctx: ClassifyContext): boolean {
  if (e.s3Code === "AccessDenied" && /request has expired/i.test(e.message)) return true;
  return ctx.now !== undefined && ctx.urlExpiresAt !== undefined && ctx.now >= ctx.urlExpiresAt;
}

/** Options of {@link backoffDelay}. */
export interface BackoffOptions {
  /** Delay ceiling of the first retry, in ms. Default 500: short enough that one blip costs little. */
  baseMs?: number;
  /** Largest delay, in ms. Default 30,000: beyond that a user thinks the upload hung. */
  capMs?: number;
  /** Source of randomness in [0, 1). Default `Math.random`; inject for tests. */
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (1 = first retry), in ms: exponential
 * back-off with FULL jitter, `random() × min(cap, base × 2^(attempt−1))`, so
 * thousands of clients throttled together by S3 do not retry in lock-step
 * (AWS Architecture Blog, "Exponential Backoff And Jitter").
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const baseMs = opts.baseMs ?? 500;
  const capMs = opts.capMs ?? 30_000;
  const random = opts.random ?? Math.random;
  const exp = Math.min(capMs, baseMs * Math.pow(2, Math.max(0, attempt - 1)));
  return Math.floor(random() * exp);
}

/** Is this a refresh because of clock skew (vs. credentials/URL expiry)? */
export function isClockSkew(error: UploadEngineError): boolean {
  return error.s3Code === "RequestTimeTooSkewed";
}

/** Is this a refresh because the temporary credentials expired? */
export function isExpiredCredentials(error: UploadEngineError): boolean {
  return error.s3Code === "ExpiredToken" || error.s3Code === "TokenRefreshRequired";
}

/** Did the store refuse the credentials or signature (not an expiry)? Refreshed once, then fatal. */
export function isRefusedCredentials(error: UploadEngineError, ctx: ClassifyContext = {}): boolean {
  return error.code === "http" && !!error.s3Code && REFUSED_S3_CODES.has(error.s3Code) && !(error.status === 403 && isExpiredUrl(error, ctx));
}
