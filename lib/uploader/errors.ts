/**
 * The engine's one error type. Every failure the engine reports — planning,
 * HTTP, network, portal API, configuration — is an `UploadEngineError` with a
 * stable `code`, so callers switch on codes rather than parse messages.
 */

/** Stable error codes. UI text should be chosen by code, not by message. */
export type UploadErrorCode =
  /** The file cannot fit in one S3 multipart upload (over 48.8 TiB / 5 GiB parts). */
  | "too_large"
  /** A size or offset is negative, fractional, NaN or above 2^53. */
  | "invalid_size"
  /** A part PUT succeeded but its ETag could not be read (CORS ExposeHeaders). */
  | "missing_etag"
  /** S3 (or the store) answered with an HTTP error status. */
  | "http"
  /** The request never got an answer: connection reset, DNS, offline, CORS block. */
  | "network"
  /** No upload progress for the stall timeout, or the overall timeout passed. */
  | "timeout"
  /** The user cancelled the upload. */
  | "aborted"
  /** The user paused the upload; never shown as an error. */
  | "paused"
  /** Temporary credentials could not be obtained or refreshed. */
  | "credentials"
  /** The portal API answered with an error or an unexpected shape. */
  | "api"
  /** The store rejected a part's checksum (S3 `BadDigest`). */
  | "checksum_mismatch"
  /** The upload to resume no longer exists (cancelled, completed, expired by the sweeper or a lifecycle rule). */
  | "not_resumable"
  /** The selected file is not the one whose upload was interrupted (same name, size and date, other content). */
  | "file_changed"
  /** The engine was used in a way it does not support (a bug in the caller). */
  | "invalid_state"
  /** The portal answered 401: the sign-in ended (expired past its cap, signed out elsewhere, CKAN token revoked). The engine waits for a new sign-in when it can. */
  | "signed_out"
  /** The store answers, but its CORS rule does not let this page send parts (found by a probe, not a guess). */
  | "cors"
  /** The store refused to keep more bytes: full, over quota, or the size is too large for it (`EntityTooLarge`, `QuotaExceeded`, 507). */
  | "storage_refused"
  /** The store refused the credentials or signature even after fresh ones (`AccessDenied`, `InvalidAccessKeyId`, `SignatureDoesNotMatch`). */
  | "access_denied"
  /** The local file could not be read (moved, deleted, changed on disk, permission lost: `NotReadableError`, `NotFoundError`). */
  | "file_unreadable";

/** Extra detail carried by an {@link UploadEngineError}. */
export interface UploadEngineErrorDetails {
  /** HTTP status of the failed response, if there was one. */
  status?: number;
  /** S3 error code from the XML error body's `<Code>`, e.g. `SlowDown`. */
  s3Code?: string;
  /** The portal's error code from `{error: {code}}`. */
  apiCode?: string;
  /** Server time (ms since epoch) from the XML `<ServerTime>` or the `Date` header; used to correct clock skew. */
  serverTime?: number;
  /** Part number the error belongs to, if any. */
  partNumber?: number;
  /** Whether retrying the same request may succeed (set by the code that knows). */
  retryable?: boolean;
  /** How long the server asked us to wait before trying again (HTTP 429 `Retry-After`), in ms. */
  retryAfterMs?: number;
  /** The underlying error. */
  cause?: unknown;
  /**
   * The values the English `message` was built from, so a page can say the same in its own language
   * (issue 12): `cors` {store, page}, `file_changed` {name, part} or {name, size, expected},
   * `not_resumable` {name, status}, `file_unreadable` {name}, `access_denied` {part, status, s3Code}.
   * Additive: the `message` stays what the CLI prints.
   */
  params?: Readonly<Record<string, string | number>>;
}

/** The error type of `lib/uploader`. */
export class UploadEngineError extends Error {
  readonly code: UploadErrorCode;
  readonly status?: number;
  readonly s3Code?: string;
  readonly apiCode?: string;
  readonly serverTime?: number;
  readonly partNumber?: number;
  /** The server's `Retry-After` (429), in ms: the engine waits this long without spending an attempt. */
  readonly retryAfterMs?: number;
  /** Whether retrying may succeed. The retry classifier (`retry.ts`) is the one place that decides; this is its hint for UIs. */
  readonly retryable: boolean;
  /** The values `message` was built from, for a translation of `code` (see {@link UploadEngineErrorDetails.params}). */
  readonly params?: Readonly<Record<string, string | number>>;

  constructor(code: UploadErrorCode, message: string, details: UploadEngineErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "UploadEngineError";
    this.code = code;
    this.status = details.status;
    this.s3Code = details.s3Code;
    this.apiCode = details.apiCode;
    this.serverTime = details.serverTime;
    this.partNumber = details.partNumber;
    this.retryAfterMs = details.retryAfterMs;
    this.retryable = details.retryable ?? false;
    this.params = details.params;
  }
}

/** True for an {@link UploadEngineError}, optionally with one of the given codes. */
export function isUploadEngineError(error: unknown, ...codes: UploadErrorCode[]): error is UploadEngineError {
  return error instanceof UploadEngineError && (codes.length === 0 || codes.includes(error.code));
}

/**
 * Wraps anything thrown into an {@link UploadEngineError}: a `TypeError` (what
 * `fetch` throws when no answer arrived) becomes `network`; anything else
 * unknown becomes `invalid_state` with the original as `cause`.
 */
export function toUploadEngineError(error: unknown): UploadEngineError {
  if (error instanceof UploadEngineError) return error;
  if (error instanceof TypeError) {
    // fetch() rejects with a TypeError when the request never got an answer.
    return new UploadEngineError("network", `Network error: ${error.message}`, { cause: error, retryable: true });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new UploadEngineError("invalid_state", message, { cause: error });
}

/** The reason used to abort requests when the user pauses. Not an error: never reported. */
export function pausedReason(): UploadEngineError {
  return new UploadEngineError("paused", "Upload paused");
}

/** The reason used to abort requests when the user cancels. */
export function cancelledReason(): UploadEngineError {
  return new UploadEngineError("aborted", "Upload cancelled");
}

/** Throws the signal's reason (as an {@link UploadEngineError}) if it is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

/** The signal's abort reason as an {@link UploadEngineError} (code `aborted` if it is something else). */
export function abortReason(signal: AbortSignal): UploadEngineError {
  const reason: unknown = signal.reason;
  if (reason instanceof UploadEngineError) return reason;
  return new UploadEngineError("aborted", "Upload aborted", { cause: reason });
}
