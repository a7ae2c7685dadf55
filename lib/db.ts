import "server-only";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "@/lib/generated/sqlite/client";
import { PrismaClient as PgClient } from "@/lib/generated/postgresql/client";

export type Db = SqliteClient;

/** True when DATABASE_URL selects PostgreSQL (`postgres://` or `postgresql://`). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/**
 * Creates a Prisma client for `url` with the matching driver adapter: PostgreSQL (`pg`) for
 * `postgresql://…`, else SQLite (better-sqlite3; `file:` paths are relative to the working directory).
 * Both generated clients share one data model, so the SQLite client's type stands for both.
 */
export function createDb(url: string): Db {
  if (isPostgresUrl(url)) {
    return new PgClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as Db;
  }
  const file = path.resolve(url.replace(/^file:/, ""));
  return new SqliteClient({ adapter: new PrismaBetterSQLite3({ url: file }) });
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
