import "server-only";
import { forbidden } from "next/navigation";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { requireCaller } from "@/lib/page-auth";
import { isPortalAdmin } from "@/lib/uploads/access";

/**
 * @throws ApiError 403 `forbidden` unless the caller is a portal admin (in PORTAL_ADMINS, or a CKAN
 *   sysadmin per `user_show` no older than CKAN_AUTHZ_MAX_AGE_SECONDS); CkanError (502) when CKAN cannot answer.
 */
export async function requireAdmin(caller: Caller): Promise<void> {
  if (!(await isPortalAdmin(caller))) throw new ApiError("forbidden", "Only portal administrators (CKAN sysadmins and PORTAL_ADMINS) may do this.");
}

/** For admin pages: the signed-in admin; signed-out visitors go to /login, others get the 403 page. */
export async function requireAdminPage(path: string): Promise<Caller> {
  const caller = await requireCaller(path);
  if (!(await isPortalAdmin(caller))) forbidden();
  return caller;
}
