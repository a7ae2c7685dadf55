import "server-only";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "@/lib/generated/sqlite/client";
import { PrismaClient as PgClient } from "@/lib/generated/postgresql/client";
import { getMetrics } from "@/lib/ops/metrics";
import { DatabaseBusyError } from "@/lib/db-errors";

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

/** Reads a whole-number setting within [min, max], else its default. @throws Error naming the setting when it is not such a number. */
function intSetting(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return n;
}

/**
 * DATABASE_WAIT_MS (default 5,000 ms): the longest a request waits for a pooled PostgreSQL connection
 * (node-postgres `connectionTimeoutMillis`) or for its turn to start an interactive transaction (Prisma
 * `transactionOptions.maxWait`; SQLite runs one transaction at a time). Beyond it the API answers 503
 * `database_busy` with Retry-After (lib/db-errors.ts), and the request has changed nothing.
 * @throws Error when not a whole number from 100 to 600,000.
 */
export function databaseWaitMs(env: Record<string, string | undefined> = process.env): number {
  return intSetting(env, "DATABASE_WAIT_MS", 5_000, 100, 600_000);
}

/**
 * DATABASE_POOL_SIZE (default 10, node-postgres' own default): PostgreSQL connections per portal
 * process. Ignored for SQLite (one connection). @throws Error when not a whole number from 1 to 1,000.
 */
export function databasePoolSize(env: Record<string, string | undefined> = process.env): number {
  return intSetting(env, "DATABASE_POOL_SIZE", 10, 1, 1_000);
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
    const start = adapter.startTransaction.bind(adapter);
    const waitMs = databaseWaitMs();
    adapter.startTransaction = (isolationLevel) => boundedTransactionStart(start(isolationLevel), waitMs);
    return adapter;
  }
}

type SqliteTransaction = Awaited<ReturnType<Awaited<ReturnType<PrismaBetterSQLite3["connect"]>>["startTransaction"]>>;

/**
 * SQLite runs one interactive transaction at a time (the adapter queues the others without a limit), and
 * Prisma 6.19 checks `maxWait` only once a queued transaction has started — so a request would wait for
 * as long as the queue takes and then fail anyway. This bounds the wait itself: after `waitMs` the
 * request fails with {@link DatabaseBusyError} (→ 503 `database_busy`), and should its slot come later
 * it is given back at once (ROLLBACK of an empty transaction).
 */
async function boundedTransactionStart(started: Promise<SqliteTransaction>, waitMs: number): Promise<SqliteTransaction> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseBusyError(waitMs)), waitMs);
  });
  try {
    return await Promise.race([started, late]);
  } catch (err) {
    if (err instanceof DatabaseBusyError) {
      started
        .then((tx) => tx.executeRaw({ sql: "ROLLBACK", args: [], argTypes: [] }).finally(() => tx.rollback()))
        .catch((e) => console.error("[db] giving back a late transaction slot failed", e));
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates a Prisma client for `url` with the matching driver adapter: PostgreSQL (`pg`) for
 * `postgresql://…`, else SQLite (better-sqlite3; `file:` paths are relative to the working directory; WAL,
 * {@link PortalSqliteAdapter}).
 * Both generated clients share one data model, so the SQLite client's type stands for both.
 * Every statement it sends is counted in the Prometheus counter `ckan_portal_db_queries_total` (issue 11:
 * `bench:api` reports database statements per upload from it). Waits for a connection or a transaction
 * are bounded by {@link databaseWaitMs}; PostgreSQL's pool has {@link databasePoolSize} connections.
 * @throws Error when DATABASE_WAIT_MS, DATABASE_POOL_SIZE or SQLITE_SYNCHRONOUS is malformed.
 */
export function createDb(url: string): Db {
  const waitMs = databaseWaitMs();
  const options = { ...QUERY_EVENTS, transactionOptions: { maxWait: waitMs } };
  const client = isPostgresUrl(url)
    ? new PgClient({ adapter: new PrismaPg({ connectionString: url, max: databasePoolSize(), connectionTimeoutMillis: waitMs }), ...options })
    : new SqliteClient({ adapter: new PortalSqliteAdapter({ url: path.resolve(url.replace(/^file:/, "")) }), ...options });
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
