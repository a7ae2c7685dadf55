import "server-only";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { getDb } from "@/lib/db";
import { abortUpload } from "@/lib/uploads/abort";
import { ensureUserRow } from "@/lib/uploads/access";
import { writeAudit, type AuditType } from "@/lib/uploads/audit";
import { completeUpload } from "@/lib/uploads/complete";
import { assertStatus, loadOwnedSession } from "@/lib/uploads/session";
import type { SessionView } from "@/lib/uploads/views";
import { requireAdmin } from "./access";

/** Records that admin `caller` asked for `type` on session `sessionId` (before the action runs). */
async function auditAdminAction(caller: Caller, sessionId: string, type: AuditType, detail: Record<string, unknown>): Promise<void> {
  const userId = await ensureUserRow(caller);
  await getDb().$transaction((tx) => writeAudit(tx, { sessionId, userId, actorName: caller.name, type, detail: { by: caller.name, ...detail } }));
}

/**
 * Admin action: retries the CKAN registration of a stored object (status `uploaded`), through
 * `completeUpload`'s registration path — `resource_create` with the admin's own CKAN token. Audited as
 * `admin.registration_retried` (with the admin's name), then `session.completed` or `registration.failed`.
 * @throws ApiError 403 (not an admin), 404, 409 (not `uploaded`), 502/403 (CKAN refused or failed).
 */
export async function retryRegistration(caller: Caller, sessionId: string): Promise<SessionView> {
  await requireAdmin(caller);
  const session = await loadOwnedSession(caller, sessionId);
  assertStatus(session, ["UPLOADED"], "retry the CKAN registration");
  await auditAdminAction(caller, sessionId, "admin.registration_retried", { previousError: session.errorMessage });
  return completeUpload(caller, sessionId, {});
}

/**
 * Admin action: aborts a stuck upload (status created, uploading, failed, or a completion that died) through `abortUpload`:
 * AbortMultipartUpload in S3, then status `aborted`. Audited as `admin.upload_aborted` (with the
 * admin's name and the owner), then `session.aborted`.
 * @throws ApiError 403 (not an admin), 404, 409 (completed, uploaded or completing), 502 (S3).
 */
export async function adminAbortUpload(caller: Caller, sessionId: string): Promise<SessionView> {
  await requireAdmin(caller);
  const session = await loadOwnedSession(caller, sessionId);
  if (session.status === "ABORTED") throw new ApiError("conflict", "The upload is already aborted.");
  // COMPLETING is passed on: abortUpload takes over a claim only when the completion died (stale).
  assertStatus(session, ["CREATED", "UPLOADING", "FAILED", "COMPLETING"], "abort");
  await auditAdminAction(caller, sessionId, "admin.upload_aborted", { owner: session.user.name, status: session.status.toLowerCase(), bytesConfirmed: Number(session.bytesConfirmed) });
  return abortUpload(caller, sessionId);
}
