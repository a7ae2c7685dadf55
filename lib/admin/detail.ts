import "server-only";
import { getDb } from "@/lib/db";
import type { AuditEvent, Dataset, UploadSession, User } from "@/lib/generated/sqlite/client";
import { ckanResourcePageUrl } from "@/lib/uploads/views";
import { sessionTiming } from "./uploads";

/** One entry of a session's timeline: an audit event, or a run of consecutive `parts.recorded` events. */
export interface TimelineEntry {
  type: string;
  at: Date;
  /** Last event of a summarised run (equal to `at` for single events). */
  until: Date;
  actorName: string | null;
  /** The event's JSON detail; for a run of parts.recorded: `{reports, parts, bytes, firstPart, lastPart, bytesConfirmed}`. */
  detail: Record<string, unknown>;
}

/** Everything an admin sees about one session. Sizes in bytes. */
export interface UploadDetail {
  session: UploadSession & { dataset: Dataset; user: User };
  ckanResourceUrl: string | null;
  durationSeconds: number | null;
  bytesPerSecond: number | null;
  /** Parts recorded now (aborted sessions have none left): count, bytes, part-number range. */
  parts: { count: number; bytes: number; first: number | null; last: number | null };
  timeline: TimelineEntry[];
  /** Number of audit events behind the timeline. */
  eventCount: number;
}

function parseDetail(e: AuditEvent): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(e.detail);
    return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
  } catch {
    return { raw: e.detail };
  }
}

/** Lifecycle order of event types: breaks ties between events written in the same millisecond. */
const TYPE_ORDER = ["user.signed_in", "session.created", "credentials.granted", "parts.signed", "parts.recorded", "session.completing", "object.stored", "registration.failed", "admin.registration_retried", "session.completed", "dataset.activated", "dataset.activation_failed", "session.failed", "admin.upload_aborted", "session.aborted", "session.expired"];

/** Events oldest first; same-millisecond events in lifecycle order. */
export function sortEvents(events: AuditEvent[]): AuditEvent[] {
  const rank = (t: string) => (TYPE_ORDER.indexOf(t) + TYPE_ORDER.length + 1) % (TYPE_ORDER.length + 1);
  return [...events].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || rank(a.type) - rank(b.type));
}

/** Collapses consecutive `parts.recorded` events into one entry each run (a 1 TB upload has thousands). */
export function summariseTimeline(events: AuditEvent[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const e of sortEvents(events)) {
    const d = parseDetail(e);
    const prev = out[out.length - 1];
    if (e.type === "parts.recorded" && prev?.type === "parts.recorded") {
      const p = prev.detail as { reports: number; parts: number; bytes: number; firstPart: number; lastPart: number };
      prev.until = e.createdAt;
      prev.detail = {
        reports: p.reports + 1,
        parts: p.parts + Number(d.count ?? 0),
        bytes: p.bytes + Number(d.bytes ?? 0),
        firstPart: Math.min(p.firstPart, Number(d.first ?? p.firstPart)),
        lastPart: Math.max(p.lastPart, Number(d.last ?? p.lastPart)),
        bytesConfirmed: Number(d.bytesConfirmed ?? 0),
      };
      continue;
    }
    const detail =
      e.type === "parts.recorded"
        ? { reports: 1, parts: Number(d.count ?? 0), bytes: Number(d.bytes ?? 0), firstPart: Number(d.first ?? 0), lastPart: Number(d.last ?? 0), bytesConfirmed: Number(d.bytesConfirmed ?? 0) }
        : d;
    out.push({ type: e.type, at: e.createdAt, until: e.createdAt, actorName: e.actorName, detail });
  }
  return out;
}

/** Loads session `id` with its timeline, or null when there is none. */
export async function getUploadDetail(id: string): Promise<UploadDetail | null> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return null;
  const db = getDb();
  const [session, events, parts] = await Promise.all([
    db.uploadSession.findUnique({ where: { id }, include: { dataset: true, user: true } }),
    db.auditEvent.findMany({ where: { sessionId: id }, orderBy: { createdAt: "asc" } }),
    db.uploadPart.aggregate({ where: { sessionId: id }, _count: { _all: true }, _sum: { size: true }, _min: { partNumber: true }, _max: { partNumber: true } }),
  ]);
  if (!session) return null;
  return {
    session,
    ckanResourceUrl: session.resourceId ? ckanResourcePageUrl(session.dataset.name, session.resourceId) : null,
    ...sessionTiming(session),
    parts: { count: parts._count._all, bytes: Number(parts._sum.size ?? 0), first: parts._min.partNumber, last: parts._max.partNumber },
    timeline: summariseTimeline(events),
    eventCount: events.length,
  };
}
