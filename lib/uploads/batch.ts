import "server-only";
import { z } from "zod";
import type { Caller } from "@/lib/auth";
import { ApiError, toErrorResponse } from "@/lib/api/errors";
import { consumeRateLimit } from "@/lib/security/rate-limit";
import { activeUploadsRoom, tooManyActiveUploads } from "./active-limit";
import { completeShared, completeUploadsTogether } from "./complete";
import { mapPool } from "./map-pool";
import { createShared, prepareUpload, writePreparedUploads, type CreatedUpload, type PreparedUpload, type RequestContext } from "./create";
import { completeUploadSchema, createUploadSchema } from "./schemas";
import type { SessionView } from "./views";

/** Most items in one batch request (`POST /api/uploads/batch`, `…/batch/complete`). */
export const MAX_BATCH_ITEMS = 100;

/** How many items of a batch talk to S3 and CKAN at once. */
const ITEM_CONCURRENCY = 8;

/** Body of `POST /api/uploads/batch`: 1–100 items, each checked as `POST /api/uploads` checks its body (item errors are per item). */
export const createBatchSchema = z.object({ uploads: z.array(z.unknown()).min(1).max(MAX_BATCH_ITEMS) });

/** Body of `POST /api/uploads/batch/complete`: 1–100 `{sessionId, sha256?, parts?}`. */
export const completeBatchSchema = z.object({ uploads: z.array(z.unknown()).min(1).max(MAX_BATCH_ITEMS) });
const completeItemSchema = completeUploadSchema.extend({ sessionId: z.string().min(1).max(100) });

/** An item that failed: the error body its single route would answer, its HTTP status and Retry-After (s). */
export interface BatchItemError {
  error: { code: string; message: string; details?: unknown };
  status: number;
  retryAfter?: number;
}

/** The item result of an error, mapped exactly as a route maps it (lib/api/errors.ts toErrorResponse). */
export async function itemError(err: unknown): Promise<BatchItemError> {
  const res = toErrorResponse(err);
  const body = (await res.json()) as { error: BatchItemError["error"] };
  const retry = res.headers.get("retry-after");
  return { error: body.error, status: res.status, ...(retry !== null && /^\d+$/.test(retry) ? { retryAfter: Number(retry) } : {}) };
}

/**
 * `POST /api/uploads/batch` (issue 12: many small files starting at once share one request): each item is
 * started exactly as `POST /api/uploads` starts it (lib/uploads/create.ts prepareUpload: same checks, S3
 * multipart upload, rows, audit events, errors), with what can be shared shared — one CKAN permission check
 * and Dataset row per distinct dataset, one User row touch, one count of the caller's live uploads, and ONE
 * transaction for all the items' inserts (if it fails, every item's multipart upload is aborted and every item
 * gets the error). The `uploads` rate limit is counted per item; items over MAX_ACTIVE_UPLOADS_PER_USER get
 * their own 429 `too_many_active_uploads` with `retryAfter` (s).
 * @returns one result per item, in input order: `{upload}` (the single route's answer) or {@link BatchItemError}.
 * @throws ApiError 429 `rate_limited` when the rate limit refuses every item (the whole request, with Retry-After).
 */
export async function createUploads(caller: Caller, items: unknown[], ctx: RequestContext): Promise<Array<{ upload: CreatedUpload } | BatchItemError>> {
  const results = new Array<{ upload: CreatedUpload } | BatchItemError | undefined>(items.length);
  const admitted: number[] = [];
  let firstRateError: unknown;
  for (let i = 0; i < items.length; i++) {
    try {
      await consumeRateLimit("uploads", caller.id);
      admitted.push(i);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === "rate_limited")) throw err;
      firstRateError ??= err;
      results[i] = await itemError(err);
    }
  }
  if (admitted.length === 0) throw firstRateError;
  const room = await activeUploadsRoom(caller);
  const shared = createShared(caller);
  const prepared: Array<{ i: number; p: PreparedUpload }> = [];
  let started = 0;
  await mapPool(admitted, ITEM_CONCURRENCY, async (i) => {
    try {
      const input = createUploadSchema.parse(items[i]);
      if (started >= room.left) throw tooManyActiveUploads(room.active + started, room.max);
      started++;
      try {
        prepared.push({ i, p: await prepareUpload(caller, input, ctx, shared) });
      } catch (err) {
        started--; // as a failed single start, it never counted
        throw err;
      }
    } catch (err) {
      results[i] = await itemError(err);
    }
  });
  try {
    await writePreparedUploads(prepared.map((x) => x.p));
    for (const { i, p } of prepared) results[i] = { upload: p.upload };
  } catch (err) {
    const e = await itemError(err);
    for (const { i } of prepared) results[i] = e;
  }
  return results as Array<{ upload: CreatedUpload } | BatchItemError>;
}

/**
 * `POST /api/uploads/batch/complete` (issue 12: many small files finishing at once share one request): each
 * item is completed exactly as `POST /api/uploads/{id}/complete` completes it — by the same code
 * (lib/uploads/complete.ts completeUploadsTogether: same checks, parts, S3 objects, CKAN resources, rows, audit
 * events, errors) — with the sessions loaded by one query, one User row touch, ONE fresh CKAN permission check
 * per distinct dataset (asked at the moment of this request's completions) and the items' database writes
 * set-based (a few statements per request, not per item).
 * @returns one result per item, in input order: `{session}` (the single route's answer) or {@link BatchItemError}.
 */
export async function completeUploads(caller: Caller, items: unknown[]): Promise<Array<{ session: SessionView } | BatchItemError>> {
  const parsed = items.map((item) => completeItemSchema.safeParse(item));
  const valid = parsed.flatMap((p, i) => {
    if (!p.success) return [];
    const { sessionId, ...input } = p.data;
    return [{ i, sessionId, input }];
  });
  const shared = completeShared(caller, valid.map((v) => v.sessionId));
  const outcomes = await completeUploadsTogether(caller, valid, shared, ITEM_CONCURRENCY);
  const results = new Array<{ session: SessionView } | BatchItemError>(items.length);
  for (const [k, v] of valid.entries()) {
    const o = outcomes[k];
    results[v.i] = "session" in o ? { session: o.session } : await itemError(o.error);
  }
  for (const [i, p] of parsed.entries()) if (!p.success) results[i] = await itemError(p.error);
  return results;
}
