import { withCaller } from "@/lib/api/handler";
import { adminAbortUpload } from "@/lib/admin/actions";

/**
 * `POST /api/admin/uploads/{id}/abort` (portal admins) → the session view with status `aborted`:
 * AbortMultipartUpload in S3, audited as `admin.upload_aborted` with the admin's name.
 * Errors: 401, 403 (not an admin), 404, 409 (completed, uploaded, completing or already aborted), 502 (S3).
 */
export const POST = withCaller<{ id: string }>(async (_req, { caller, params }) => adminAbortUpload(caller, params.id));
