import { parseJson, requestContext, withCaller, methodNotAllowed } from "@/lib/api/handler";
import { createBatchSchema, createUploads } from "@/lib/uploads/batch";

/**
 * `POST /api/uploads/batch` `{uploads: [POST /api/uploads bodies] (1–100)}` → 200 `{results: [{upload: <the
 * POST /api/uploads answer>} | {error: {code, message}, status, retryAfter? (s)}]}` in input order. Each item
 * is started exactly as `POST /api/uploads` starts it (lib/uploads/batch.ts createUploads); an item's error is
 * its own (e.g. 403 for a dataset the caller may not edit, 413 over MAX_UPLOAD_BYTES, 429
 * `too_many_active_uploads` with `retryAfter`). Whole-request errors `{error: {code, message}}`: 400 body shape,
 * 401, 429 `rate_limited` (Retry-After, s) when the `uploads` rate limit refuses every item.
 */
export const POST = withCaller(async (req, { caller }) => {
  const { uploads } = await parseJson(req, createBatchSchema);
  return { results: await createUploads(caller, uploads, requestContext(req)) };
});

/** Every other method: 405 JSON. */
export const GET = methodNotAllowed("POST");
export { GET as PUT, GET as PATCH, GET as DELETE };
