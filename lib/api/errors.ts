import { NextResponse } from "next/server";
import { ZodError } from "zod";
import { CkanError, ckanFailureMessage } from "@/lib/ckan/errors";
import { StorageError } from "@/lib/storage/errors";
import { getMetrics } from "@/lib/ops/metrics";
import { DATABASE_BUSY_RETRY_AFTER_SECONDS, isDatabaseBusy } from "@/lib/db-errors";

/** Error codes of the portal API and their HTTP statuses (one table for every route). */
export const API_ERROR_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  unauthenticated: 401,
  /** A session cookie came but is no longer valid (expired, past SESSION_MAX_AGE_HOURS): sign in again. */
  session_expired: 401,
  forbidden: 403,
  /** CKAN withdrew the caller's right to add files to the dataset while an upload was under way. */
  permission_withdrawn: 403,
  cross_site_request: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  /** The dataset was deleted in CKAN (`state: "deleted"`): it accepts no uploads. */
  dataset_deleted: 410,
  object_changed: 409,
  /** Replace (issue 12): the resource's file was not stored by this portal; resend with `replaceExternal: true` to point it at the new upload. */
  not_stored_by_portal: 409,
  /** The object was deleted after its resource's file was replaced (REPLACED_OBJECTS=delete). */
  object_replaced: 410,
  too_large: 413,
  rate_limited: 429,
  /** The caller has MAX_ACTIVE_UPLOADS_PER_USER uploads under way: try again after `Retry-After`. */
  too_many_active_uploads: 429,
  internal: 500,
  ckan_failed: 502,
  storage_failed: 502,
  /** The portal's database did not serve the request in time (lib/db-errors.ts): nothing changed; send it again after `Retry-After`. */
  database_busy: 503,
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

/** An error meant for the API caller: `message` is shown to users, so it holds no internals or secrets. */
export class ApiError extends Error {
  /** Extra response headers (e.g. `retry-after` on 429). */
  headers?: Record<string, string>;

  constructor(
    public readonly code: ApiErrorCode,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }

  get status(): number {
    return API_ERROR_STATUS[this.code];
  }
}

/** JSON body of every API error: `{error: {code, message}}` (plus `details` for validation errors). */
export function errorResponse(code: ApiErrorCode, message: string, details?: unknown): NextResponse {
  return NextResponse.json(
    { error: details === undefined ? { code, message } : { code, message, details } },
    { status: API_ERROR_STATUS[code], headers: { "cache-control": "no-store" } },
  );
}

/**
 * Turns any thrown value into an error response. ApiError keeps its code; ZodError → 400 with the
 * field issues; anything else → 500 "internal", logged with its cause (never sent to the client).
 * StorageError → 502 `storage_failed` and CkanError → 502 `ckan_failed` (their messages name the peer; an answer
 * that is not CKAN's API says "CKAN at {CKAN_URL} is not answering as a CKAN API (HTTP {status}, {content type})").
 * A database that did not serve the request in time (lib/db-errors.ts `isDatabaseBusy`: no free pooled connection
 * or transaction slot within DATABASE_WAIT_MS) → 503 `database_busy` with `Retry-After` (s), logged as a warning.
 */
export function toErrorResponse(err: unknown): NextResponse {
  if (err instanceof ApiError) {
    const res = errorResponse(err.code, err.message, err.details);
    for (const [k, v] of Object.entries(err.headers ?? {})) res.headers.set(k, v);
    return res;
  }
  if (err instanceof ZodError) {
    const details = err.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    const first = details[0];
    const message = !first ? "Invalid input." : first.path ? `Invalid ${first.path}: ${first.message}` : first.message;
    return errorResponse("validation_failed", message, details);
  }
  if (err instanceof StorageError) return errorResponse("storage_failed", err.message);
  if (err instanceof CkanError) return errorResponse("ckan_failed", ckanFailureMessage(err));
  if (isDatabaseBusy(err)) {
    const code = (err as { code?: unknown }).code;
    console.warn(`[api] database busy (${typeof code === "string" ? code : "pool timeout"}): answered 503 database_busy`);
    getMetrics().dbBusy.inc();
    const res = errorResponse("database_busy", `The portal's database is busy: send the request again in ${DATABASE_BUSY_RETRY_AFTER_SECONDS} s.`);
    res.headers.set("retry-after", String(DATABASE_BUSY_RETRY_AFTER_SECONDS));
    return res;
  }
  console.error("[api] unexpected error", err);
  return errorResponse("internal", "An unexpected error occurred. It has been logged.");
}
