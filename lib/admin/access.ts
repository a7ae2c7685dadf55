import "server-only";
import { forbidden } from "next/navigation";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { requireCaller } from "@/lib/page-auth";
import { isPortalAdmin } from "@/lib/uploads/access";

/** @throws ApiError 403 `forbidden` unless the caller is a portal admin (CKAN sysadmin or in PORTAL_ADMINS). */
export function requireAdmin(caller: Caller): void {
  if (!isPortalAdmin(caller)) throw new ApiError("forbidden", "Only portal administrators (CKAN sysadmins and PORTAL_ADMINS) may do this.");
}

/** For admin pages: the signed-in admin; signed-out visitors go to /login, others get the 403 page. */
export async function requireAdminPage(path: string): Promise<Caller> {
  const caller = await requireCaller(path);
  if (!isPortalAdmin(caller)) forbidden();
  return caller;
}
