import { parseJson, withCaller, methodNotAllowed } from "@/lib/api/handler";
import { consumeRateLimit } from "@/lib/security/rate-limit";
import { describeResource } from "@/lib/uploads/describe";
import { patchResourceSchema } from "@/lib/uploads/schemas";

/**
 * `PATCH /api/uploads/{id}/resource` `{name?, description?, format?}` (at least one) → the session view
 * with `resourceFields`. Before completion the fields are kept for the registration; after it they go
 * to CKAN with `resource_patch` as the caller, after a fresh CKAN permission check. Audited
 * (`resource.described`). Errors: 400 invalid fields, 401, 403 (not the owner or an admin, or CKAN
 * refuses), 404, 409 (aborted, expired, being completed), 410 dataset deleted, 429 `rate_limited`
 * (RATE_LIMIT_DESCRIBE_PER_MINUTE per user, Retry-After in seconds; nothing is changed), 502 CKAN failed.
 */
export const PATCH = withCaller<{ id: string }>(async (req, { caller, params }) => {
  await consumeRateLimit("describe", caller.id);
  const input = await parseJson(req, patchResourceSchema);
  return describeResource(caller, params.id, input);
});

/** Every other method: 405 JSON. */
export const GET = methodNotAllowed("PATCH");
export { GET as PUT, GET as POST, GET as DELETE };
