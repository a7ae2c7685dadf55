/**
 * Database overload, told apart from a bug (issue 11, control plane): under many concurrent uploads a
 * request may wait longer than DATABASE_WAIT_MS for a pooled PostgreSQL connection, or for its turn to
 * start an interactive transaction (SQLite runs one at a time). Such a request did not change anything
 * in the statement or transaction that failed (it never started, or was rolled back), and every route is
 * safe to send again (completion holds a claim that a retry waits for or takes over): the API answers
 * 503 `database_busy` with `Retry-After` (lib/api/errors.ts), which the engine and the CLI honour,
 * instead of 500 `internal`.
 */

/** Seconds a client is told to wait (`Retry-After`) after 503 `database_busy`. */
export const DATABASE_BUSY_RETRY_AFTER_SECONDS = 2;

/**
 * Prisma error codes that mean "the database did not serve this request in time", not "the request is
 * wrong": P2028 transaction API error (could not start a transaction within `maxWait`, or it outlived
 * `timeout` and was rolled back), P2024 timed out fetching a connection from the pool, P1001 cannot reach
 * the server, P1002 the server timed out, P1008 operation timed out, P1017 the server closed the
 * connection, P2037 too many database connections. Source: Prisma error reference, https://www.prisma.io/docs/orm/reference/error-reference.
 */
const BUSY_PRISMA_CODES = new Set(["P2028", "P2024", "P2037", "P1001", "P1002", "P1008", "P1017"]);

/** Thrown when SQLite's one transaction slot did not free up within DATABASE_WAIT_MS (lib/db.ts). */
export class DatabaseBusyError extends Error {
  constructor(waitMs: number) {
    super(`No database transaction slot within ${waitMs} ms`);
    this.name = "DatabaseBusyError";
  }
}

/** node-postgres' pool error when no connection frees up within `connectionTimeoutMillis`. */
const PG_POOL_TIMEOUT = /timeout exceeded when trying to connect/i;

/**
 * True when `err` (or an error in its `cause` chain) says the database could not serve the request in
 * time — see the module comment. Duck-typed (`name`, `code`, `message`): the SQLite and PostgreSQL
 * clients are two generated Prisma clients, and driver errors come wrapped.
 */
export function isDatabaseBusy(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { name, code, message } = e as { name?: unknown; code?: unknown; message?: unknown };
    if (name === "DatabaseBusyError") return true;
    if (typeof name === "string" && name.startsWith("PrismaClient") && typeof code === "string" && BUSY_PRISMA_CODES.has(code)) return true;
    if (typeof message === "string" && PG_POOL_TIMEOUT.test(message)) return true;
  }
  return false;
}
