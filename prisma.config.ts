import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";

/**
 * Prisma CLI configuration. The driver adapter (and the schema) follow DATABASE_URL:
 * `postgresql://…` → PostgreSQL (prisma/postgresql), anything else → SQLite (prisma/).
 * Default: file:./data/portal.db. Nothing is downloaded: the JS engine + WASM schema engine run offline.
 */
process.env.DATABASE_URL ??= "file:./data/portal.db";
const url = process.env.DATABASE_URL;
const isPg = /^postgres(ql)?:\/\//.test(url);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: isPg ? path.join("prisma", "postgresql", "schema.prisma") : path.join("prisma", "schema.prisma"),
  async adapter() {
    if (isPg) return new PrismaPg({ connectionString: url });
    return new PrismaBetterSQLite3({ url: url.replace(/^file:/, "") });
  },
});
