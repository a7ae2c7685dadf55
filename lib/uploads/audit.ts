import type { Db } from "@/lib/db";
import { logUploadEvent } from "@/lib/ops/log";
import { observeAudit } from "@/lib/ops/audit-metrics";
import { currentRequestId } from "@/lib/ops/request-context";

type Tx = Pick<Db, "auditEvent" | "uploadSession">;

/** Audit event types written by the upload service (one per state change, credential grant, etc.). */
export type AuditType =
  | "session.created"
  | "credentials.granted"
  | "credentials.refused"
  | "parts.signed"
  | "parts.recorded"
  | "session.completing"
  | "object.stored"
  | "session.completed"
  | "registration.failed"
  | "session.failed"
  | "session.aborted"
  | "session.expired"
  | "object.downloaded"
  | "object.integrity_failed"
  | "admin.registration_retried"
  | "admin.upload_aborted"
  | "sweeper.ran"
  | "dataset.created"
  | "dataset.activated"
  | "dataset.activation_failed"
  // Describe and replace (issue 12)
  | "resource.described"
  | "resource.replaced"
  | "object.replaced"
  | "object.deleted"
  | "object.delete_failed";

/**
 * Appends one audit event. Call it inside the transaction that makes the change it records.
 * `detail` is stored as JSON; it must never hold a secret (no secret key, session token or CKAN token).
 * The event carries the current request's id (lib/ops/request-context.ts), is logged as one JSON line
 * and counted in the Prometheus metrics (lib/ops/audit-metrics.ts; `session`: the session's mode and size
 * (bytes), when the caller has them, spares the metrics a read). `session` is not stored.
 */
export async function writeAudit(
  tx: Tx,
  event: { sessionId?: string | null; userId?: string | null; actorName?: string | null; type: AuditType; detail?: Record<string, unknown>; session?: { mode: string; size: bigint | number } },
): Promise<void> {
  const requestId = currentRequestId();
  await tx.auditEvent.create({
    data: {
      sessionId: event.sessionId ?? null,
      userId: event.userId ?? null,
      actorName: event.actorName ?? null,
      type: event.type,
      detail: JSON.stringify(event.detail ?? {}, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
      requestId,
    },
  });
  logUploadEvent(event.type, { sessionId: event.sessionId ?? null, requestId, actor: event.actorName ?? null });
  await observeAudit(tx, event);
}
