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
 * SQLite's `synchronous` setting for the portal's connection: SQLITE_SYNCHRONOUS, `FULL` (default) or `NORMAL`.
 * FULL syncs the write-ahead log at every commit, so an audit row the API has answered for survives a
 * power loss or OS crash — at one fsync per commit, which better-sqlite3 runs on the event loop (≈ 3 ms
 * here in WAL mode; the rollback journal's 17 ms before issue 11). NORMAL syncs at checkpoints only: a
 * crash of the portal loses nothing and never corrupts the file, but a power loss may undo the last
 * commits; a deployment that prefers speed to that can choose it. Trust first: FULL by default.
 * @throws Error for any other value.
 */
export function sqliteSynchronous(env: Record<string, string | undefined> = process.env): "NORMAL" | "FULL" {
  const v = (env.SQLITE_SYNCHRONOUS ?? "FULL").trim().toUpperCase();
  if (v !== "NORMAL" && v !== "FULL") throw new Error(`SQLITE_SYNCHRONOUS must be NORMAL or FULL, not "${env.SQLITE_SYNCHRONOUS}"`);
  return v;
}

/**
 * The better-sqlite3 adapter with the portal's connection settings (issue 11): write-ahead logging
 * (readers and the writer no longer block each other; a commit appends to the log instead of writing a
 * rollback journal and the database with several fsyncs — 17 ms of blocked event loop per commit on
 * the CI machine's disk) and `synchronous` from {@link sqliteSynchronous}. WAL is recorded in the
 * file itself; `synchronous` is per connection, so it is set each time Prisma connects.
 */
class PortalSqliteAdapter extends PrismaBetterSQLite3 {
  async connect(): ReturnType<PrismaBetterSQLite3["connect"]> {
    const adapter = await super.connect();
    await adapter.executeScript(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${sqliteSynchronous()};`);
    return adapter;
  }
}

/**
 * Creates a Prisma client for `url` with the matching driver adapter: PostgreSQL (`pg`) for
 * `postgresql://…`, else SQLite (better-sqlite3; `file:` paths are relative to the working directory; WAL,
 * {@link PortalSqliteAdapter}).
 * Both generated clients share one data model, so the SQLite client's type stands for both.
 * Every statement it sends is counted in the Prometheus counter `ckan_portal_db_queries_total` (issue 11:
 * `bench:api` reports database statements per upload from it).
 */
export function createDb(url: string): Db {
  const client = isPostgresUrl(url)
    ? new PgClient({ adapter: new PrismaPg({ connectionString: url }), ...QUERY_EVENTS })
    : new SqliteClient({ adapter: new PortalSqliteAdapter({ url: path.resolve(url.replace(/^file:/, "")) }), ...QUERY_EVENTS });
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
