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

/**
 * Prisma `where` for a filter and scope. Text in the file name is case-insensitive on both databases
 * (SQLite's LIKE folds ASCII case; PostgreSQL gets `mode: insensitive`, i.e. ILIKE).
 */
export function uploadWhere(filter: UploadFilter, scope: UploadScope = {}): Prisma.UploadSessionWhereInput {
  const and: Prisma.UploadSessionWhereInput[] = [];
  const userWhere: Prisma.UserWhereInput = { ...(scope.userCkanId ? { ckanId: scope.userCkanId } : {}), ...(filter.user ? { name: filter.user } : {}) };
  if (Object.keys(userWhere).length) and.push({ user: userWhere });
  const datasetWhere: Prisma.DatasetWhereInput = {
    ...(scope.datasetCkanId ? { ckanId: scope.datasetCkanId } : {}),
    ...(filter.dataset ? { name: filter.dataset } : {}),
    ...(filter.org ? { organizationName: filter.org } : {}),
  };
  if (Object.keys(datasetWhere).length) and.push({ dataset: datasetWhere });
  if (filter.status) and.push({ status: filter.status.toUpperCase() as Prisma.UploadSessionWhereInput["status"] & string });
  const dates = dateBounds(filter);
  if (dates.gte || dates.lt) and.push({ createdAt: dates });
  if (filter.minSize !== undefined) and.push({ size: { gte: BigInt(filter.minSize) } });
  if (filter.maxSize !== undefined) and.push({ size: { lte: BigInt(filter.maxSize) } });
  if (filter.q) {
    and.push({ fileName: { contains: filter.q, ...(usingPostgres() ? { mode: "insensitive" } : {}) } as Prisma.StringFilter<"UploadSession"> });
  }
  return and.length ? { AND: and } : {};
}

/** Prisma `orderBy` for the filter's sort column and direction; the session id breaks ties (stable pages). */
export function uploadOrderBy(filter: UploadFilter): Prisma.UploadSessionOrderByWithRelationInput[] {
  const dir = filter.dir;
  const primary: Record<UploadFilter["sort"], Prisma.UploadSessionOrderByWithRelationInput> = {
    time: { createdAt: dir },
    user: { user: { name: dir } },
    organization: { dataset: { organizationName: dir } },
    dataset: { dataset: { name: dir } },
    file: { fileName: dir },
    size: { size: dir },
    status: { status: dir },
  };
  return filter.sort === "time" ? [primary.time, { id: dir }] : [primary[filter.sort], { createdAt: "desc" }, { id: "desc" }];
}

/** A date as the SQLite adapter stores it (ISO 8601 text with `+00:00`), or as-is for PostgreSQL. */
function sqlDate(d: Date, pg: boolean): Date | string {
  return pg ? d : d.toISOString().replace("Z", "+00:00");
}

/**
 * `FROM` clause plus the filter as raw SQL (for aggregates Prisma cannot express, e.g. bytes per day,
 * and for the export's keyset scan), over the aliases `s` (UploadSession), `u` (User) and `d` (Dataset);
 * User and Dataset are joined only when the filter or `withNames` needs them. `extra` conditions are
 * ANDed. Must match `uploadWhere`: the integration tests compare the two on both databases.
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
