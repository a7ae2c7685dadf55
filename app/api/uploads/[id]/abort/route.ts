import { withCaller, methodNotAllowed } from "@/lib/api/handler";
import { abortUpload } from "@/lib/uploads/abort";

/**
 * `POST /api/uploads/{id}/abort` → the session view with status `aborted`: AbortMultipartUpload in S3.
 * Errors: 401, 403, 404, 409 (already stored or completed), 502 (S3).
 */
export const POST = withCaller<{ id: string }>(async (_req, { caller, params }) => abortUpload(caller, params.id));

/** Every other method: 405 JSON. */
export const GET = methodNotAllowed("POST");
export { GET as PUT, GET as PATCH, GET as DELETE };
