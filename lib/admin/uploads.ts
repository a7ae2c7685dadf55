import "server-only";
import { getDb } from "@/lib/db";
import { Prisma, type Dataset, type UploadSession, type User } from "@/lib/generated/sqlite/client";
import type { HistoryRow } from "@/lib/uploads/history";
import { ckanResourcePageUrl } from "@/lib/uploads/views";
import type { UploadFilter } from "./filters";
import { FAILURE_STATUSES, uploadFromSql, uploadOrderBy, uploadWhere, usingPostgres, type UploadScope } from "./where";

/** Rows per page of the upload tables. */
export const PAGE_SIZE = 50;

/** One row of the admin upload table: a history row plus organization, duration and speed. */
export interface UploadRow extends HistoryRow {
  userDisplayName: string;
  organizationName: string | null;
  /** Seconds from the first recorded part (else creation) to completion; null until finished. */
  durationSeconds: number | null;
  /** Average bytes per second over `durationSeconds`; null when unknown. */
  bytesPerSecond: number | null;
}

type SessionWithRefs = UploadSession & { dataset: Dataset; user: User };

/** Duration (s) and average speed (bytes/s) of a finished session. */
export function sessionTiming(s: Pick<UploadSession, "size" | "createdAt" | "startedAt" | "completedAt" | "status">): { durationSeconds: number | null; bytesPerSecond: number | null } {
  if (!s.completedAt || s.status !== "COMPLETED") return { durationSeconds: null, bytesPerSecond: null };
  const seconds = (s.completedAt.getTime() - (s.startedAt ?? s.createdAt).getTime()) / 1000;
  return { durationSeconds: seconds, bytesPerSecond: seconds > 0 ? Number(s.size) / seconds : null };
}

/** Maps a session (with user and dataset) to a table row. */
export function toUploadRow(s: SessionWithRefs): UploadRow {
  return {
    id: s.id,
    fileName: s.fileName,
    size: Number(s.size),
    status: s.status.toLowerCase(),
    createdAt: s.createdAt,
    completedAt: s.completedAt,
    datasetName: s.dataset.name,
    datasetTitle: s.dataset.title,
    ckanResourceUrl: s.resourceId ? ckanResourcePageUrl(s.dataset.name, s.resourceId) : null,
    userName: s.user.name,
    userDisplayName: s.user.displayName,
    organizationName: s.dataset.organizationName,
    errorMessage: s.errorMessage,
    ...sessionTiming(s),
  };
}

/**
 * One page (PAGE_SIZE rows) of upload sessions matching `filter` within `scope`, sorted server-side.
 * @returns the rows, the number of matching sessions and of pages.
 */
export async function listUploadPage(filter: UploadFilter, scope: UploadScope = {}): Promise<{ rows: UploadRow[]; total: number; pages: number }> {
  const db = getDb();
  const where = uploadWhere(filter, scope);
  const [total, sessions] = await Promise.all([
    db.uploadSession.count({ where }),
    db.uploadSession.findMany({
      where,
      include: { dataset: true, user: true },
      orderBy: uploadOrderBy(filter),
      take: PAGE_SIZE,
      skip: (filter.page - 1) * PAGE_SIZE,
    }),
  ]);
  return { rows: sessions.map(toUploadRow), total, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}

/** Bytes uploaded on one UTC day (sessions created that day), with counts. */
export interface DayTotal {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  count: number;
  /** Bytes: the sum of file sizes. */
  bytes: number;
  failures: number;
}

/** Totals for a filter: sessions, bytes (sum of file sizes) and failures, plus the same per day. */
export interface UploadTotals {
  count: number;
  bytes: number;
  failures: number;
  days: DayTotal[];
}

/**
 * Totals and bytes per day (UTC, by creation time) for `filter` within `scope`, in one grouped SQL query.
 * Failures: sessions failed or expired, or stored but not registered in CKAN (status uploaded with an error).
 */
export async function uploadTotals(filter: UploadFilter, scope: UploadScope = {}): Promise<UploadTotals> {
  // PostgreSQL: timestamp(3) → date → text ('YYYY-MM-DD' under the default ISO DateStyle); SQLite
  // stores ISO 8601 text in UTC, whose first 10 characters are the day.
  const dayExpr = usingPostgres() ? Prisma.sql`CAST(s."createdAt" AS DATE)` : Prisma.sql`substr(s."createdAt", 1, 10)`;
  const failed = Prisma.join(FAILURE_STATUSES.map((x) => Prisma.sql`${x}`));
  const rows = await getDb().$queryRaw<Array<{ day: string; count: bigint | number; bytes: bigint | number | string | null; failures: bigint | number }>>`
    SELECT CAST(${dayExpr} AS TEXT) AS "day", COUNT(*) AS "count", CAST(SUM(s."size") AS TEXT) AS "bytes",
      SUM(CASE WHEN CAST(s."status" AS TEXT) IN (${failed}) OR (CAST(s."status" AS TEXT) = 'UPLOADED' AND s."errorCode" IS NOT NULL) THEN 1 ELSE 0 END) AS "failures"
    ${uploadFromSql(filter, scope)}
    GROUP BY ${dayExpr} ORDER BY 1`;
  const days = rows.map((r) => ({ day: r.day, count: Number(r.count), bytes: Number(r.bytes ?? 0), failures: Number(r.failures) }));
  return {
    count: days.reduce((n, d) => n + d.count, 0),
    bytes: days.reduce((n, d) => n + d.bytes, 0),
    failures: days.reduce((n, d) => n + d.failures, 0),
    days,
  };
}
