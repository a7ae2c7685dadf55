import { isPostgresUrl } from "@/lib/db";
import { Prisma } from "@/lib/generated/sqlite/client";
import { dateBounds, type UploadFilter } from "./filters";

/** Restricts a query to one user's or one dataset's sessions (CKAN ids), on top of the URL filter. */
export interface UploadScope {
  userCkanId?: string;
  datasetCkanId?: string;
}

/** True when this process talks to PostgreSQL (DATABASE_URL `postgresql://…`). */
export function usingPostgres(): boolean {
  return isPostgresUrl(process.env.DATABASE_URL ?? "");
}

/** Sessions with a failure: failed or expired, or stored but not registered because CKAN failed. */
export const FAILURE_STATUSES = ["FAILED", "EXPIRED"] as const;

/** A date as the SQLite adapter stores it (ISO 8601 text with `+00:00`), or as-is for PostgreSQL. */
function sqlDate(d: Date, pg: boolean): Date | string {
  return pg ? d : d.toISOString().replace("Z", "+00:00");
}

/**
 * `FROM` clause plus the filter as raw SQL (for aggregates Prisma cannot express, e.g. bytes per day,
 * and for the export's keyset scan), over the aliases `s` (UploadSession), `u` (User) and `d` (Dataset);
 * User and Dataset are joined only when the filter or `withNames` needs them. `extra` conditions are
 * ANDed. The one implementation of the filter: pages, totals and the export all use it (the integration
 * tests compare it with a plain scan on both databases). Text in the file name: LIKE with `%` and `_`
 * escaped; case-insensitive for ASCII on SQLite, ILIKE on PostgreSQL.
 */
export function uploadFromSql(filter: UploadFilter, scope: UploadScope = {}, opts: { withNames?: boolean; extra?: Prisma.Sql[] } = {}): Prisma.Sql {
  const where = uploadConditionsSql(filter, scope);
  const needUser = opts.withNames || Boolean(scope.userCkanId || filter.user);
  const needDataset = opts.withNames || Boolean(scope.datasetCkanId || filter.dataset || filter.org);
  const conditions = [...where, ...(opts.extra ?? [])];
  return Prisma.sql`FROM "UploadSession" s
    ${needUser ? Prisma.sql`JOIN "User" u ON u."id" = s."userId"` : Prisma.empty}
    ${needDataset ? Prisma.sql`JOIN "Dataset" d ON d."id" = s."datasetId"` : Prisma.empty}
    ${conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty}`;
}

/** Converts a date parameter for a raw query on the current database. */
export function sqlDateParam(d: Date): Date | string {
  return sqlDate(d, usingPostgres());
}

function uploadConditionsSql(filter: UploadFilter, scope: UploadScope): Prisma.Sql[] {
  const pg = usingPostgres();
  const parts: Prisma.Sql[] = [];
  if (scope.userCkanId) parts.push(Prisma.sql`u."ckanId" = ${scope.userCkanId}`);
  if (scope.datasetCkanId) parts.push(Prisma.sql`d."ckanId" = ${scope.datasetCkanId}`);
  if (filter.user) parts.push(Prisma.sql`u."name" = ${filter.user}`);
  if (filter.dataset) parts.push(Prisma.sql`d."name" = ${filter.dataset}`);
  if (filter.org) parts.push(Prisma.sql`d."organizationName" = ${filter.org}`);
  if (filter.integrity === "changed") parts.push(Prisma.sql`s."integrityFailedAt" IS NOT NULL`);
  if (filter.status) parts.push(Prisma.sql`CAST(s."status" AS TEXT) = ${filter.status.toUpperCase()}`);
  const dates = dateBounds(filter);
  if (dates.gte) parts.push(Prisma.sql`s."createdAt" >= ${sqlDate(dates.gte, pg)}`);
  if (dates.lt) parts.push(Prisma.sql`s."createdAt" < ${sqlDate(dates.lt, pg)}`);
  if (filter.minSize !== undefined) parts.push(Prisma.sql`s."size" >= ${BigInt(filter.minSize)}`);
  if (filter.maxSize !== undefined) parts.push(Prisma.sql`s."size" <= ${BigInt(filter.maxSize)}`);
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    parts.push(pg ? Prisma.sql`s."fileName" ILIKE ${pattern} ESCAPE '\\'` : Prisma.sql`s."fileName" LIKE ${pattern} ESCAPE '\\'`);
  }
  return parts;
}
