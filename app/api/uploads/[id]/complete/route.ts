import { parseJson, withCaller, methodNotAllowed } from "@/lib/api/handler";
import { completeUpload } from "@/lib/uploads/complete";
import { completeUploadSchema } from "@/lib/uploads/schemas";

/**
 * `POST /api/uploads/{id}/complete` `{sha256?, parts?: [{partNumber, size (bytes), etag, checksum?}] (1–1,000)}`
 * → the session view `{sessionId, status: "completed", resourceId, resourceUrl, ckanResourceUrl, …}`.
 * `parts` not yet reported with `/parts` are recorded first, as `/parts` records them (a small file's
 * only part: one request fewer). Idempotent. Errors: 400 (a part does not fit the plan), 401, 403, 404, 409 (missing parts
 * or wrong state), 502 (S3 failed; or CKAN failed — the object is kept, the session is `uploaded`, retry).
 */
export const POST = withCaller<{ id: string }>(async (req, { caller, params }) => {
  const input = await parseJson(req, completeUploadSchema);
  return completeUpload(caller, params.id, input);
});

/** Every other method: 405 JSON. */
export const GET = methodNotAllowed("POST");
export { GET as PUT, GET as PATCH, GET as DELETE };
