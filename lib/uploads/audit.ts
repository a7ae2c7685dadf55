import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db";
import { Prisma } from "@/lib/generated/sqlite/client";
import { logUploadEvent } from "@/lib/ops/log";
import { observeAudit } from "@/lib/ops/audit-metrics";
import { currentRequestId } from "@/lib/ops/request-context";

type Tx = Pick<Db, "auditEvent" | "uploadSession" | "$executeRaw">;

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

/** An audit event to append (see {@link writeAudit}). */
export type AuditInput = {
  sessionId?: string | null;
  userId?: string | null;
  actorName?: string | null;
  type: AuditType;
  detail?: Record<string, unknown>;
  session?: { mode: string; size: bigint | number };
};

/**
 * Rows per INSERT statement of {@link writeAudits}: each binds 8 parameters, so 1,000 bind 8,000 — under
 * SQLite's 32,766 and PostgreSQL's 65,535. A batch request has at most 100 items.
 */
const AUDIT_ROWS_PER_STATEMENT = 1000;

/**
 * Appends one audit event. Call it inside the transaction that makes the change it records.
 * `detail` is stored as JSON; it must never hold a secret (no secret key, session token or CKAN token).
 * The event carries the current request's id (lib/ops/request-context.ts), is logged as one JSON line
 * and counted in the Prometheus metrics (lib/ops/audit-metrics.ts; `session`: the session's mode and size
 * (bytes), when the caller has them, spares the metrics a read). `session` is not stored.
 */
export async function writeAudit(tx: Tx, event: AuditInput): Promise<void> {
  await writeAudits(tx, [event]);
}

/**
 * Appends audit events — the events of a batch's items (issue 12) or one event ({@link writeAudit}) — with
 * ONE multi-row INSERT (per {@link AUDIT_ROWS_PER_STATEMENT}), the same SQL on SQLite and PostgreSQL: the
 * rows Prisma's `auditEvent.create` wrote (a new uuid `id`, `createdAt` now, `detail` as JSON with bigints as
 * strings), at a tenth of a model query's CPU (issue 11: Prisma's query compiler runs for every model query).
 * Events of one session in one call get `createdAt` 1 ms apart in the order given, so a trail read in time
 * order keeps that order (a multi-row INSERT would otherwise give them one `createdAt` and a random order).
 * Each event is then logged and counted as {@link writeAudit} says. Call it inside the transaction that makes
 * the changes the events record.
 */
export async function writeAudits(tx: Tx, events: readonly AuditInput[], now = new Date()): Promise<void> {
  if (events.length === 0) return;
  const requestId = currentRequestId();
  // A session's trail is read in `createdAt` order (then the random `id`): its events written together
  // (`session.created` then `credentials.granted`) are 1 ms apart, in the order given, never tied.
  const nth = new Map<string | null, number>();
  const at = events.map((e) => {
    const n = nth.get(e.sessionId ?? null) ?? 0;
    nth.set(e.sessionId ?? null, n + 1);
    return new Date(now.getTime() + n);
  });
  for (let i = 0; i < events.length; i += AUDIT_ROWS_PER_STATEMENT) {
    const values = events.slice(i, i + AUDIT_ROWS_PER_STATEMENT).map(
      (e, j) =>
        Prisma.sql`(${randomUUID()}, ${e.sessionId ?? null}, ${e.userId ?? null}, ${e.actorName ?? null}, ${e.type}, ${JSON.stringify(e.detail ?? {}, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}, ${requestId}, ${at[i + j]})`,
    );
    await tx.$executeRaw`
      INSERT INTO "AuditEvent" ("id", "sessionId", "userId", "actorName", "type", "detail", "requestId", "createdAt")
      VALUES ${Prisma.join(values)}`;
  }
  for (const event of events) {
    logUploadEvent(event.type, { sessionId: event.sessionId ?? null, requestId, actor: event.actorName ?? null });
    await observeAudit(tx, event);
  }
}
