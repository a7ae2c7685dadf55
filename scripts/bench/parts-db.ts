/**
 * Benchmark of recording part batches (issue 10, item 7): the time `recordParts` takes to record
 * 10,000 parts as the browser reports them (10 batches of 1,000), on a fresh SQLite or PostgreSQL
 * database, then the same 10 batches again (a resumed upload re-reporting its parts). Only the
 * database is touched: the session row is seeded directly (no CKAN, no S3).
 *
 *   npx tsx --conditions=react-server scripts/bench/parts-db.ts --db sqlite      [--parts 10000] [--runs 3]
 *   npx tsx --conditions=react-server scripts/bench/parts-db.ts --db postgresql  # needs TEST_PG_URL
 *
 * Prints, per run, the total for the first recording and for the re-recording, and the slowest batch
 * (the one that must stay under Prisma's 5 s interactive-transaction limit), in ms.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";

const arg = (name: string, def: string) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : def);
const kind = arg("db", "sqlite");
const parts = Number(arg("parts", "10000"));
const runs = Number(arg("runs", "3"));
const BATCH = 1000;
const PART = 5 * 1024 * 1024;
const root = path.resolve(__dirname, "../..");

async function prepareDatabase(): Promise<string> {
  if (kind === "postgresql") {
    const server = process.env.TEST_PG_URL?.replace(/\/+$/, "");
    if (!server) throw new Error("TEST_PG_URL is not set (scripts/pg.sh start)");
    const c = new pg.Client({ connectionString: `${server}/postgres` });
    await c.connect();
    await c.query("DROP DATABASE IF EXISTS parts_bench");
    await c.query("CREATE DATABASE parts_bench");
    await c.end();
    return `${server}/parts_bench`;
  }
  fs.mkdirSync(path.join(root, ".tmp"), { recursive: true });
  const file = path.join(root, ".tmp", "bench-parts.db");
  fs.rmSync(file, { force: true });
  return `file:${file}`;
}

async function main(): Promise<void> {
  const url = await prepareDatabase();
  Object.assign(process.env, { DATABASE_URL: url, CKAN_URL: "https://ckan.example.org", S3_BUCKET: "ckan-uploads", NEXTAUTH_SECRET: "bench-only-secret-0123456789abcdefghij", CREDENTIALS_MODE: "presigned" });
  execFileSync(path.join(root, "node_modules", ".bin", "prisma"), ["migrate", "deploy"], { cwd: root, env: process.env, stdio: "pipe" });
  const { getDb } = await import("../../lib/db");
  const { recordParts } = await import("../../lib/uploads/parts");
  const db = getDb();
  const user = await db.user.create({ data: { ckanId: randomUUID(), name: "bench_user", displayName: "Bench", sysadmin: false } });
  const dataset = await db.dataset.create({ data: { ckanId: randomUUID(), name: "bench-dataset", title: "Bench", private: false } });
  const caller = { id: user.ckanId, name: user.name, displayName: user.displayName, sysadmin: false, ckanToken: "unused" };

  for (let run = 1; run <= runs; run++) {
    const session = await db.uploadSession.create({
      data: {
        userId: user.id, datasetId: dataset.id, fileName: `bench-${run}.bin`, size: BigInt(parts) * BigInt(PART), contentType: "",
        bucket: "ckan-uploads", key: `uploads/bench/${randomUUID()}`, uploadId: "bench", partSize: BigInt(PART), partCount: parts, mode: "PRESIGNED",
      },
    });
    const all = Array.from({ length: parts }, (_, i) => ({ partNumber: i + 1, size: PART, etag: `"${randomUUID().replace(/-/g, "")}"`, checksum: `crc32c-${i}` }));
    const pass = async () => {
      let slowest = 0;
      const t0 = performance.now();
      for (let i = 0; i < parts; i += BATCH) {
        const t = performance.now();
        await recordParts(caller, session.id, all.slice(i, i + BATCH));
        slowest = Math.max(slowest, performance.now() - t);
      }
      return { total: performance.now() - t0, slowest };
    };
    const first = await pass();
    const again = await pass();
    if ((await db.uploadPart.count({ where: { sessionId: session.id } })) !== parts) throw new Error("wrong part count");
    console.log(
      `${kind.padEnd(10)} run ${run}: ${parts} parts in ${first.total.toFixed(0).padStart(6)} ms (slowest batch ${first.slowest.toFixed(0)} ms); ` +
        `re-recorded in ${again.total.toFixed(0).padStart(6)} ms (slowest batch ${again.slowest.toFixed(0)} ms)`,
    );
  }
  await db.$disconnect();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
