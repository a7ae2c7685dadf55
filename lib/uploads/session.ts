import "server-only";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { getDb } from "@/lib/db";
import type { Dataset, UploadSession, UploadStatus, User } from "@/lib/generated/sqlite/client";
import { isPortalAdmin } from "./access";

export type LoadedSession = UploadSession & { dataset: Dataset; user: User };

const ID_PATTERN = /^[0-9a-f-]{36}$/;

/**
 * Loads upload session `id` and proves the caller may act on it: its owner, or a portal admin.
 * @throws ApiError 404 (unknown id), 403 (another user's session); CkanError when CKAN cannot say whether a non-owner is an admin.
 */
export async function loadOwnedSession(caller: Caller, id: string): Promise<LoadedSession> {
  const session = ID_PATTERN.test(id)
    ? await getDb().uploadSession.findUnique({ where: { id }, include: { dataset: true, user: true } })
    : null;
  if (!session) throw new ApiError("not_found", "Upload session not found.");
  // Not the owner: only a portal admin, as CKAN says now (never the sign-in cookie's sysadmin flag).
  if (session.user.ckanId !== caller.id && !(await isPortalAdmin(caller))) {
    throw new ApiError("forbidden", "This upload session belongs to another user.");
  }
  return session;
}

/** Statuses in which parts may still be sent. A failed upload stays resumable (CASES 17). */
export const ACTIVE_STATUSES: UploadStatus[] = ["CREATED", "UPLOADING", "FAILED"];

/** @throws ApiError 409 unless the session is in one of `allowed`. */
export function assertStatus(session: UploadSession, allowed: readonly UploadStatus[], action: string): void {
  if (!allowed.includes(session.status)) {
    throw new ApiError("conflict", `Cannot ${action}: the upload is ${session.status.toLowerCase()}.`);
  }
}

/** Size in bytes of part `partNumber` (1-based) of a session: partSize for all but the last. */
export function expectedPartSize(session: Pick<UploadSession, "size" | "partSize" | "partCount">, partNumber: number): number {
  const size = Number(session.size);
  const partSize = Number(session.partSize);
  if (partNumber < session.partCount) return partSize;
  return size - partSize * (session.partCount - 1);
}
