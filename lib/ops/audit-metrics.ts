import type { Db } from "@/lib/db";
import { getMetrics } from "./metrics";

/** Audit event types that end or start a session, and the counter each one moves. */
const LIFECYCLE = new Set(["session.created", "session.completed", "session.failed", "session.aborted", "session.expired"]);

/**
 * Counts an audit event in the Prometheus metrics: sessions started/completed/failed/aborted by mode,
 * bytes completed, parts recorded, credential grants. Reads the session's mode and size in the same
 * transaction for lifecycle events — unless the writer passes them as `event.session` (it has the row at
 * hand: one statement less; issue 11). Never throws for a metric (a missing session is skipped).
 */
export async function observeAudit(
  tx: Pick<Db, "uploadSession">,
  event: { sessionId?: string | null; type: string; detail?: Record<string, unknown>; session?: { mode: string; size: bigint | number } },
): Promise<void> {
  const m = getMetrics();
  if (event.type === "parts.recorded") m.partsRecorded.inc(Number(event.detail?.count ?? 0));
  if (event.type === "credentials.granted") m.credentialGrants.inc();
  if (!LIFECYCLE.has(event.type) || !event.sessionId) return;
  const s = event.session ?? (await tx.uploadSession.findUnique({ where: { id: event.sessionId }, select: { mode: true, size: true } }));
  if (!s) return;
  const mode = s.mode.toLowerCase();
  switch (event.type) {
    case "session.created":
      m.sessionsStarted.inc({ mode });
      break;
    case "session.completed":
      m.sessionsCompleted.inc({ mode });
      m.bytesCompleted.inc({ mode }, Number(s.size));
      break;
    case "session.failed":
      m.sessionsFailed.inc({ mode });
      break;
    case "session.aborted":
      m.sessionsAborted.inc({ mode, reason: "cancelled" }); // by the user, or by an admin (admin.upload_aborted precedes it)
      break;
    case "session.expired":
      m.sessionsAborted.inc({ mode, reason: "expired" });
      break;
  }
}
