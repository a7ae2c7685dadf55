import { withCaller, methodNotAllowed } from "@/lib/api/handler";
import { consumeRateLimit } from "@/lib/security/rate-limit";
import { grantCredentials } from "@/lib/uploads/credentials";

/**
 * `POST /api/uploads/{id}/credentials` → `{credentials: {accessKeyId, secretAccessKey, sessionToken, expiration}}`:
 * fresh STS credentials for the same one key; permission re-checked with CKAN.
 * Errors: 401, 403 (session of another user, or no longer allowed to edit the dataset: parts are kept),
 * 404, 409 (presigned mode or session not active), 429 (RATE_LIMIT_SIGN_PER_MINUTE, Retry-After), 502.
 */
export const POST = withCaller<{ id: string }>(async (_req, { caller, params }) => {
  await consumeRateLimit("sign", caller.id);
  return grantCredentials(caller, params.id);
});

/** Every other method: 405 JSON. */
export const GET = methodNotAllowed("POST");
export { GET as PUT, GET as PATCH, GET as DELETE };
