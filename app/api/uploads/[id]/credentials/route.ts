import { withCaller, methodNotAllowed } from "@/lib/api/handler";
import { grantCredentials } from "@/lib/uploads/credentials";

/**
 * `POST /api/uploads/{id}/credentials` → `{credentials: {accessKeyId, secretAccessKey, sessionToken, expiration}}`:
 * fresh STS credentials for the same one key; permission re-checked with CKAN.
 * Errors: 401, 403, 404, 409 (presigned mode or session not active), 502.
 */
export const POST = withCaller<{ id: string }>(async (_req, { caller, params }) => grantCredentials(caller, params.id));

/** Every other method: 405 JSON. */
export const GET = methodNotAllowed("POST");
export { GET as PUT, GET as PATCH, GET as DELETE };
