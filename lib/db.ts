import "server-only";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
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
  const sqliteFile = isPostgresUrl(url) ? null : path.resolve(url.replace(/^file:/, ""));
  if (sqliteFile) useWriteAheadLog(sqliteFile);
  const client = sqliteFile === null
    ? new PgClient({ adapter: new PrismaPg({ connectionString: url }), ...QUERY_EVENTS })
    : new SqliteClient({ adapter: new PrismaBetterSQLite3({ url: sqliteFile }), ...QUERY_EVENTS });
  const counter = getMetrics().dbQueries;
  (client as unknown as QueryEventSource).$on("query", () => counter.inc());
  return client as unknown as Db;
}

/**
 * Puts an existing SQLite database into write-ahead-log mode (`PRAGMA journal_mode = WAL`; SQLite,
 * "Write-Ahead Logging"). The mode is kept in the database file, so this is done once per file and
 * holds for every later connection (the portal, `npm run sweep`, the tests' read-only checks).
 * Why: better-sqlite3 runs statements on the event loop, and in SQLite's default rollback-journal mode
 * each committed write transaction costs several fsyncs (11.5 ms per transaction measured on the shared
 * 2-core machine, 3.8 ms in WAL mode): with ~10 write transactions per small-file upload that alone
 * capped the portal below 10 files/s (issue 12, "small files go fast"). `synchronous` stays at SQLite's
 * default FULL, so a committed transaction (an audit row) survives a power loss as before; readers no
 * longer block the writer. A missing file is left alone (`prisma migrate deploy` creates it); a file
 * that cannot be switched (read-only, or locked by another writer) keeps its mode. Never throws.
 */
function useWriteAheadLog(file: string): void {
  if (!fs.existsSync(file)) return;
  try {
    const db = new Database(file, { fileMustExist: true, timeout: 5_000 });
    try {
      if (String(db.pragma("journal_mode", { simple: true })).toLowerCase() !== "wal") db.pragma("journal_mode = WAL");
    } finally {
      db.close();
    }
  } catch (err) {
    console.warn(`[db] ${file}: could not switch to write-ahead-log mode (${(err as Error).message}); staying in its current journal mode`);
  }
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
