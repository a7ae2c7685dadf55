import "server-only";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { getS3Client } from "@/lib/storage/clients";
import { abortMultipartUpload } from "@/lib/storage/multipart";
import { ensureUserRow } from "./access";
import { writeAudit } from "./audit";
import { assertStatus, loadOwnedSession } from "./session";
import { sessionView, type SessionView } from "./views";

/**
 * Cancels an upload: AbortMultipartUpload in S3 (its stored parts are deleted), then the session is
 * `aborted`. Aborting an aborted session returns it unchanged.
 * @throws ApiError 404/403, 409 (completed, uploaded or completing sessions cannot be aborted), 502 (S3).
 */
export async function abortUpload(caller: Caller, sessionId: string): Promise<SessionView> {
  const session = await loadOwnedSession(caller, sessionId);
  if (session.status === "ABORTED") return sessionView(session, session.dataset.name);
  assertStatus(session, ["CREATED", "UPLOADING", "FAILED"], "cancel");
  if (session.uploadId) {
    try {
      await abortMultipartUpload(getS3Client(getConfig()), { bucket: session.bucket, key: session.key, uploadId: session.uploadId });
    } catch (err) {
      throw new ApiError("storage_failed", (err as Error).message);
    }
  }
  const userId = await ensureUserRow(caller);
  const done = await getDb().$transaction(async (tx) => {
    await writeAudit(tx, { sessionId, userId, actorName: caller.name, type: "session.aborted", detail: { by: caller.name, bytesConfirmed: Number(session.bytesConfirmed) } });
    await tx.uploadPart.deleteMany({ where: { sessionId } });
    return tx.uploadSession.update({ where: { id: sessionId }, data: { status: "ABORTED", completedAt: new Date() } });
  });
  return sessionView(done, session.dataset.name);
}
