import { withCaller } from "@/lib/api/handler";
import { retryRegistration } from "@/lib/admin/actions";

/**
 * `POST /api/admin/uploads/{id}/retry-registration` (portal admins) → the session view, `completed` with
 * its CKAN resource: CKAN `resource_create` for an object already stored (status `uploaded`), with the
 * admin's token; audited as `admin.registration_retried` with the admin's name.
 * Errors: 401, 403 (not an admin, or CKAN refused), 404, 409 (not `uploaded`), 502 (CKAN failed).
 */
export const POST = withCaller<{ id: string }>(async (_req, { caller, params }) => retryRegistration(caller, params.id));
