import "server-only";
import { getDb } from "@/lib/db";
import { Prisma, type Dataset, type UploadSession, type User } from "@/lib/generated/sqlite/client";
import type { HistoryRow } from "@/lib/uploads/history";
import { ckanResourcePageUrl } from "@/lib/uploads/views";
import type { UploadFilter } from "./filters";
import { FAILURE_STATUSES, uploadFromSql, usingPostgres, type UploadScope } from "./where";

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
  /** Set when the stored object was found changed after completion (CASES 38): what differs. */
  integrityProblem: string | null;
}

type SessionWithRefs = UploadSession & { dataset: Dataset; user: User };

/**
 * Duration (s) and average speed (bytes/s) of a finished session, from its creation (the browser
 * starts sending parts right after it) to completion. `startedAt` is not used: it is set when the
 * first batch of part reports arrives, after the first parts were already sent.
 */
export function sessionTiming(s: Pick<UploadSession, "size" | "createdAt" | "startedAt" | "completedAt" | "status">): { durationSeconds: number | null; bytesPerSecond: number | null } {
  if (!s.completedAt || s.status !== "COMPLETED") return { durationSeconds: null, bytesPerSecond: null };
  const seconds = (s.completedAt.getTime() - s.createdAt.getTime()) / 1000;
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
    errorCode: s.errorCode,
    errorMessage: s.errorMessage,
    integrityProblem: s.integrityFailedAt ? (s.integrityProblem ?? "changed after completion") : null,
    ...sessionTiming(s),
  };
}

/** ORDER BY expression of each sortable column (status as text: the same order on both databases). */
const SORT_SQL: Record<UploadFilter["sort"], Prisma.Sql> = {
  time: Prisma.sql`s."createdAt"`,
  user: Prisma.sql`u."name"`,
  organization: Prisma.sql`COALESCE(d."organizationName", '')`,
  dataset: Prisma.sql`d."name"`,
  file: Prisma.sql`s."fileName"`,
  size: Prisma.sql`s."size"`,
  status: Prisma.sql`CAST(s."status" AS TEXT)`,
};

/**
 * One page (PAGE_SIZE rows) of upload sessions matching `filter` within `scope`, sorted server-side
 * (ties: newest first). The page's ids come from one SQL query (the same filter SQL as the totals and
 * the export), then the rows are loaded with their user and dataset.
 * @returns the rows, the number of matching sessions and of pages.
 */
export async function listUploadPage(filter: UploadFilter, scope: UploadScope = {}): Promise<{ rows: UploadRow[]; total: number; pages: number }> {
  const db = getDb();
  const dir = Prisma.raw(filter.dir === "asc" ? "ASC" : "DESC");
  const tie = filter.sort === "time" ? Prisma.sql`s."id" ${dir}` : Prisma.sql`s."createdAt" DESC, s."id" DESC`;
  const needsNames = ["user", "organization", "dataset"].includes(filter.sort);
  const [counted, ids] = await Promise.all([
    db.$queryRaw<Array<{ n: bigint | number }>>`SELECT COUNT(*) AS "n" ${uploadFromSql(filter, scope)}`,
    db.$queryRaw<Array<{ id: string }>>`SELECT s."id" ${uploadFromSql(filter, scope, { withNames: needsNames })}
      ORDER BY ${SORT_SQL[filter.sort]} ${dir}, ${tie} LIMIT ${PAGE_SIZE} OFFSET ${(filter.page - 1) * PAGE_SIZE}`,
  ]);
  const sessions = await db.uploadSession.findMany({ where: { id: { in: ids.map((r) => r.id) } }, include: { dataset: true, user: true } });
  const byId = new Map(sessions.map((x) => [x.id, x]));
  const total = Number(counted[0]?.n ?? 0);
  return { rows: ids.flatMap((r) => (byId.has(r.id) ? [toUploadRow(byId.get(r.id)!)] : [])), total, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
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
