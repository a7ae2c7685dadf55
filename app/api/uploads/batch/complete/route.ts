import { parseJson, withCaller, methodNotAllowed } from "@/lib/api/handler";
import { completeBatchSchema, completeUploads } from "@/lib/uploads/batch";

/**
 * `POST /api/uploads/batch/complete` `{uploads: [{sessionId, sha256?, parts?}] (1–100)}` → 200 `{results:
 * [{session: <the POST /api/uploads/{id}/complete answer>} | {error: {code, message}, status, retryAfter? (s)}]}`
 * in input order. Each item is completed exactly as `POST /api/uploads/{id}/complete` completes it
 * (lib/uploads/batch.ts completeUploads), with one fresh CKAN permission check per distinct dataset.
 * Whole-request errors `{error: {code, message}}`: 400 body shape, 401.
 */
export const POST = withCaller(async (req, { caller }) => {
  const { uploads } = await parseJson(req, completeBatchSchema);
  return { results: await completeUploads(caller, uploads) };
});

/** Every other method: 405 JSON. */
export const GET = methodNotAllowed("POST");
export { GET as PUT, GET as PATCH, GET as DELETE };
