import "server-only";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "@/lib/generated/sqlite/client";
import { PrismaClient as PgClient } from "@/lib/generated/postgresql/client";
import { getMetrics } from "@/lib/ops/metrics";

export type Db = SqliteClient;

/** True when DATABASE_URL selects PostgreSQL (`postgres://` or `postgresql://`). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** Prisma's query events (emitted, never printed): each SQL statement counts in `ckan_portal_db_queries_total`. */
const QUERY_EVENTS = { log: [{ emit: "event" as const, level: "query" as const }] };
type QueryEventSource = { $on(event: "query", cb: () => void): void };

/**
 * Creates a Prisma client for `url` with the matching driver adapter: PostgreSQL (`pg`) for
 * `postgresql://…`, else SQLite (better-sqlite3; `file:` paths are relative to the working directory).
 * Both generated clients share one data model, so the SQLite client's type stands for both.
 * Every statement it sends is counted in the Prometheus counter `ckan_portal_db_queries_total` (issue 11:
 * `bench:api` reports database statements per upload from it).
 */
export function createDb(url: string): Db {
  const client = isPostgresUrl(url)
    ? new PgClient({ adapter: new PrismaPg({ connectionString: url }), ...QUERY_EVENTS })
    : new SqliteClient({ adapter: new PrismaBetterSQLite3({ url: path.resolve(url.replace(/^file:/, "")) }), ...QUERY_EVENTS });
  const counter = getMetrics().dbQueries;
  (client as unknown as QueryEventSource).$on("query", () => counter.inc());
  return client as unknown as Db;
}

const globalForDb = globalThis as unknown as { portalDb?: Db };

/** The process-wide client for DATABASE_URL (default file:./data/portal.db). */
export function getDb(): Db {
  globalForDb.portalDb ??= createDb(process.env.DATABASE_URL ?? "file:./data/portal.db");
  return globalForDb.portalDb;
}

/** Test hook: disconnect and forget the process-wide client (after DATABASE_URL changes). */
export async function resetDbForTests(): Promise<void> {
  await globalForDb.portalDb?.$disconnect();
  globalForDb.portalDb = undefined;
}
