import "server-only";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { getS3Client } from "@/lib/storage/clients";
import { abortMultipartUpload } from "@/lib/storage/multipart";
import { ensureUserRow } from "./access";
import { writeAudit } from "./audit";
import { STALE_COMPLETION_MS } from "./complete";
import { loadOwnedSession } from "./session";
import { sessionView, type SessionView } from "./views";

/**
 * Cancels an upload: the session is claimed as `aborted` (compare-and-swap, so a completion cannot
 * start meanwhile), then AbortMultipartUpload deletes its stored parts in S3. A store without
 * AbortMultipartUpload (s3rver) leaves the parts to the bucket's lifecycle rule; the audit event says
 * so. Aborting an aborted session returns it unchanged. A completion that died more than
 * STALE_COMPLETION_MS ago no longer blocks a cancel.
 * @throws ApiError 404/403, 409 (completed, stored or being completed), 502 (S3; the session keeps its state).
 */
export async function abortUpload(caller: Caller, sessionId: string): Promise<SessionView> {
  const session = await loadOwnedSession(caller, sessionId);
  if (session.status === "ABORTED") return sessionView(session, session.dataset.name);
  const db = getDb();
  const claimed = await db.uploadSession.updateMany({
    where: {
      id: sessionId,
      OR: [
        { status: { in: ["CREATED", "UPLOADING", "FAILED"] } },
        { status: "COMPLETING", updatedAt: { lt: new Date(Date.now() - STALE_COMPLETION_MS) } },
      ],
    },
    data: { status: "ABORTED", completedAt: new Date() },
  });
  if (claimed.count === 0) {
    const now = await db.uploadSession.findUniqueOrThrow({ where: { id: sessionId } });
    if (now.status === "ABORTED") return sessionView(now, session.dataset.name);
    throw new ApiError("conflict", `Cannot cancel: the upload is ${now.status === "UPLOADED" ? "stored (only its CKAN registration is pending)" : now.status.toLowerCase()}.`);
  }
  let outcome: "aborted" | "gone" | "unsupported" | "none" = "none";
  if (session.uploadId) {
    try {
      outcome = await abortMultipartUpload(getS3Client(getConfig()), { bucket: session.bucket, key: session.key, uploadId: session.uploadId });
    } catch (err) {
      await db.uploadSession.update({ where: { id: sessionId }, data: { status: session.status, completedAt: session.completedAt } });
      throw new ApiError("storage_failed", `${(err as Error).message}. The upload was not cancelled; try again.`);
    }
  }
  const userId = await ensureUserRow(caller);
  const done = await db.$transaction(async (tx) => {
    await writeAudit(tx, {
      sessionId,
      userId,
      actorName: caller.name,
      type: "session.aborted",
      detail: { by: caller.name, bytesConfirmed: Number(session.bytesConfirmed), s3: outcome, ...(outcome === "unsupported" ? { note: "the store does not support AbortMultipartUpload; parts are left to the bucket lifecycle rule" } : {}) },
    });
    await tx.uploadPart.deleteMany({ where: { sessionId } });
    return tx.uploadSession.findUniqueOrThrow({ where: { id: sessionId } });
  });
  return sessionView(done, session.dataset.name);
}
