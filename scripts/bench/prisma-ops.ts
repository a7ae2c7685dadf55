/**
 * CPU per Prisma operation (issue 11): what one statement of each kind the upload routes use costs the
 * portal's process, on a fresh SQLite file (or PG_URL, an empty PostgreSQL database; migrated here): 50 warm-up
 * runs, then 500 timed ones; CPU from process.cpuUsage (user + system), so the figure holds under load
 * better than wall time. Shows why the hot routes use one raw joined statement (lib/uploads/session.ts
 * loadBatchSession) instead of a findUnique with include.
 *
 *   npx tsx --conditions=react-server scripts/bench/prisma-ops.ts
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
const root = path.resolve(__dirname, "../..");
async function main() {
  const file = path.join(root, ".tmp", "ops.db");
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  process.env.DATABASE_URL = process.env.PG_URL ?? `file:${file}`;
  execFileSync(path.join(root, "node_modules/.bin/prisma"), ["migrate", "deploy"], { cwd: root, env: process.env, stdio: "pipe" });
  const { getDb } = await import("../../lib/db");
  const db = getDb();
  const user = await db.user.create({ data: { ckanId: "u1", name: "u", displayName: "U", sysadmin: false } });
  const ds = await db.dataset.create({ data: { ckanId: "d1", name: "d", title: "D", private: false } });
  const s = await db.uploadSession.create({ data: { userId: user.id, datasetId: ds.id, fileName: "f", size: 10n, contentType: "", bucket: "b", key: "k", partSize: 5n, partCount: 2, mode: "PRESIGNED" } });
  const ops: Record<string, () => Promise<unknown>> = {
    "findUnique include dataset,user": () => db.uploadSession.findUnique({ where: { id: s.id }, include: { dataset: true, user: true } }),
    "findUnique plain": () => db.uploadSession.findUnique({ where: { id: s.id } }),
    "findUnique select 3": () => db.uploadSession.findUnique({ where: { id: s.id }, select: { id: true, status: true, partCount: true } }),
    "user.upsert": () => db.user.upsert({ where: { ckanId: "u1" }, create: { ckanId: "u1", name: "u", displayName: "U", sysadmin: false }, update: { lastSeenAt: new Date() } }),
    "auditEvent.create": () => db.auditEvent.create({ data: { sessionId: s.id, userId: user.id, type: "x", detail: "{}" } }),
    "$queryRaw select 1 join": () => db.$queryRaw`SELECT s."id", u."ckanId" FROM "UploadSession" s JOIN "User" u ON u."id" = s."userId" WHERE s."id" = ${s.id}`,
    "$transaction 2 creates": () => db.$transaction(async (tx) => { await tx.auditEvent.create({ data: { type: "x", detail: "{}" } }); await tx.auditEvent.create({ data: { type: "y", detail: "{}" } }); }),
  };
  for (const [name, op] of Object.entries(ops)) {
    for (let i = 0; i < 50; i++) await op();
    const n = 500; const c0 = process.cpuUsage(); const t0 = performance.now();
    for (let i = 0; i < n; i++) await op();
    const c = process.cpuUsage(c0);
    console.log(name.padEnd(34), ((c.user + c.system) / 1000 / n).toFixed(3), "ms CPU", ((performance.now() - t0) / n).toFixed(3), "ms wall");
  }
  await db.$disconnect();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
