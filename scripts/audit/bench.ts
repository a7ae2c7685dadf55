/**
 * Benchmark of the admin audit pages on a seeded history (issue 4: target < 300 ms per page on
 * PostgreSQL). Seeds a fresh database, then times what each page runs, as the page runs it:
 *   first page     /admin/uploads                       (one page of 50 + totals and bytes per day)
 *   filtered page  /admin/uploads?org=…&status=completed&q=report&minSize=…  (same)
 *   sorted page    /admin/uploads?sort=user&dir=asc&page=40
 *   detail page    /admin/uploads/{id}                  (session, parts summary, timeline)
 *   CSV export     /api/admin/uploads/export            (every session, streamed)
 *
 *   npx tsx --conditions=react-server scripts/audit/bench.ts --db sqlite     [--sessions 100000] [--runs 7]
 *   npx tsx --conditions=react-server scripts/audit/bench.ts --db postgresql [--sessions 100000]   # needs TEST_PG_URL
 *
 * Prints median and min of `runs` timings in ms (after one warm-up run), and the export's rows, bytes and
 * peak RSS growth. Writes nothing but the benchmark database (.tmp/bench-audit.db or database audit_bench).
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import pg from "pg";

const arg = (name: string, def: string) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : def);
const kind = arg("db", "sqlite");
const sessions = Number(arg("sessions", "100000"));
const runs = Number(arg("runs", "7"));
/** --reuse: keep the benchmark database of an earlier run (seeding 100,000 sessions takes minutes). */
const reuse = process.argv.includes("--reuse");
const root = path.resolve(__dirname, "../..");

async function prepareDatabase(): Promise<string> {
  if (kind === "postgresql") {
    const server = process.env.TEST_PG_URL?.replace(/\/+$/, "");
    if (!server) throw new Error("TEST_PG_URL is not set (scripts/pg.sh start)");
    if (reuse) return `${server}/audit_bench`;
    const c = new pg.Client({ connectionString: `${server}/postgres` });
    await c.connect();
    await c.query("DROP DATABASE IF EXISTS audit_bench");
    await c.query("CREATE DATABASE audit_bench");
    await c.end();
    return `${server}/audit_bench`;
  }
  const file = path.join(root, ".tmp", "bench-audit.db");
  if (!reuse) execFileSync("rm", ["-f", file, `${file}-journal`]);
  return `file:${file}`;
}

async function time(label: string, fn: () => Promise<unknown>): Promise<void> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  console.log(`${kind.padEnd(10)} ${label.padEnd(14)} median ${ms[Math.floor(ms.length / 2)].toFixed(1).padStart(8)} ms   min ${ms[0].toFixed(1).padStart(8)} ms`);
}

async function main(): Promise<void> {
  const url = await prepareDatabase();
  Object.assign(process.env, { DATABASE_URL: url, CKAN_URL: "https://ckan.example.org", S3_BUCKET: "ckan-uploads", NEXTAUTH_SECRET: "bench-only-secret-0123456789abcdefghij", CREDENTIALS_MODE: "presigned" });
  execFileSync(path.join(root, "node_modules", ".bin", "prisma"), ["migrate", "deploy"], { cwd: root, env: process.env, stdio: "pipe" });
  const { getDb } = await import("../../lib/db");
  const { seedUploadHistory } = await import("./seed-history");
  const { parseUploadFilter } = await import("../../lib/admin/filters");
  const { listUploadPage, uploadTotals } = await import("../../lib/admin/uploads");
  const { getUploadDetail } = await import("../../lib/admin/detail");
  const { exportCsvStream } = await import("../../lib/admin/csv");
  const db = getDb();

  const t0 = performance.now();
  const seeded = reuse
    ? {
        organizations: [...new Set((await db.dataset.findMany({ orderBy: { name: "asc" } })).map((d) => d.organizationName!))].sort(),
        userNames: (await db.user.findMany({ orderBy: { name: "asc" } })).map((u) => u.name),
      }
    : await seedUploadHistory(db, { sessions, progress: (n) => n % 20000 === 0 && process.stderr.write(`seeded ${n}\n`) });
  const [sessionCount, eventCount] = await Promise.all([db.uploadSession.count(), db.auditEvent.count()]);
  console.log(`${kind.padEnd(10)} ${reuse ? "reused" : "seeded"} ${sessionCount} sessions, ${eventCount} events${reuse ? "" : ` in ${((performance.now() - t0) / 1000).toFixed(0)} s`}`);
  if (kind === "postgresql") await db.$executeRawUnsafe("ANALYZE");

  const page = async (query: string) => {
    const { filter } = parseUploadFilter(new URLSearchParams(query));
    return Promise.all([listUploadPage(filter), uploadTotals(filter)]);
  };
  const filtered = `org=${seeded.organizations[3]}&status=completed&q=REPORT&minSize=1000000`;
  const [check] = await page(filtered);
  console.log(`${kind.padEnd(10)} filtered page matches ${check.total} sessions`);
  await time("first page", () => page(""));
  await time("filtered page", () => page(filtered));
  await time("user filter", () => page(`user=${seeded.userNames[7]}`));
  await time("sorted page", () => page("sort=user&dir=asc&page=40"));
  const some = await db.uploadSession.findFirst({ where: { status: "COMPLETED" }, orderBy: { createdAt: "desc" }, skip: 500 });
  await time("detail page", () => getUploadDetail(some!.id));

  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const t1 = performance.now();
  let bytes = 0;
  let rows = -1;
  const reader = exportCsvStream(parseUploadFilter({}).filter).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    for (const b of value) if (b === 10) rows++;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  console.log(`${kind.padEnd(10)} CSV export     ${(performance.now() - t1).toFixed(0).padStart(8)} ms   ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB, peak RSS +${((peak - rss0) / 1e6).toFixed(0)} MB`);
  await db.$disconnect();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
