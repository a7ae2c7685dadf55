/**
 * What several portal instances share through the database (issue 14): the sweeper lease and, on
 * PostgreSQL, the rate-limit counters. "Another instance" is simulated by forgetting this process's
 * in-memory state between calls (what a second process would start with).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db";
import { releaseLease, tryAcquireLease } from "@/lib/ops/lease";
import { consumeRateLimit, resetRateLimitsForTests } from "@/lib/security/rate-limit";
import { runSweeperTick, SWEEPER_LEASE } from "@/lib/uploads/sweep";
import { TEST_DB_NAME, startIntegrationEnv } from "./support/env";

let env: Awaited<ReturnType<typeof startIntegrationEnv>>;
const onPostgres = process.env.TEST_DATABASE === "postgresql";

beforeAll(async () => {
  env = await startIntegrationEnv({ RATE_LIMIT_UPLOADS_PER_MINUTE: "3" });
});
afterAll(async () => {
  resetRateLimitsForTests();
  await env?.close();
});

describe(`instances on one database (${TEST_DB_NAME})`, () => {
  it("gives a lease to exactly one of many concurrent takers, and again once it expired", async () => {
    const db = getDb();
    const now = new Date("2026-11-29T12:00:00Z");
    const got = await Promise.all(Array.from({ length: 8 }, (_, i) => tryAcquireLease(db, "test-lease", `instance-${i}`, 60_000, now)));
    expect(got.filter(Boolean)).toHaveLength(1);
    const holder = (await db.lease.findUniqueOrThrow({ where: { name: "test-lease" } })).holder;
    expect(holder).toBe(`instance-${got.indexOf(true)}`);
    expect(await tryAcquireLease(db, "test-lease", "late", 60_000, new Date(now.getTime() + 59_999))).toBe(false);
    const later = new Date(now.getTime() + 60_000);
    const again = await Promise.all(["x", "y", "z"].map((h) => tryAcquireLease(db, "test-lease", h, 60_000, later)));
    expect(again.filter(Boolean)).toHaveLength(1);
  });

  it("runs the sweeper once per interval however many instances tick, and audits the instance", async () => {
    process.env.INSTANCE_ID = "sweeper-test-instance";
    const results = await Promise.all([runSweeperTick({ intervalMs: 3_600_000 }), runSweeperTick({ intervalMs: 3_600_000 }), runSweeperTick({ intervalMs: 3_600_000 })]);
    delete process.env.INSTANCE_ID;
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    const runs = await getDb().auditEvent.findMany({ where: { type: "sweeper.ran" } });
    expect(runs).toHaveLength(1);
    expect(JSON.parse(runs[0]!.detail)).toMatchObject({ instance: "sweeper-test-instance", expired: 0, failed: 0 });
    expect((await getDb().lease.findUniqueOrThrow({ where: { name: SWEEPER_LEASE } })).holder).toBe("sweeper-test-instance");
  });

  it("lets a cron sweep (release: true) run only when no other sweep holds the lease, and give it back when done", async () => {
    const db = getDb();
    await db.lease.deleteMany({ where: { name: SWEEPER_LEASE } });
    const now = new Date();
    expect(await tryAcquireLease(db, SWEEPER_LEASE, "in-server", 3_600_000, now)).toBe(true);
    expect(await runSweeperTick({ intervalMs: 1_800_000, holder: "cron-a", release: true, now })).toBeNull();
    await db.lease.update({ where: { name: SWEEPER_LEASE }, data: { expiresAt: now } }); // the in-server interval ended
    const ran = await runSweeperTick({ intervalMs: 1_800_000, holder: "cron-a", release: true, now });
    expect(ran).not.toBeNull();
    const lease = await db.lease.findUniqueOrThrow({ where: { name: SWEEPER_LEASE } });
    expect([lease.holder, lease.expiresAt.getTime() <= now.getTime()]).toEqual(["cron-a", true]);
    // Released: the next cron run does not wait for the 30-minute guard.
    expect(await runSweeperTick({ intervalMs: 1_800_000, holder: "cron-b", release: true, now })).not.toBeNull();
    expect(await releaseLease(db, SWEEPER_LEASE, "cron-a", now)).toBe(false);
  });

  it(`keeps rate-limit counters ${onPostgres ? "in PostgreSQL, shared by every instance" : "in memory, per process (SQLite)"}`, async () => {
    resetRateLimitsForTests();
    const user = `rl-user-${Date.now()}`;
    for (let i = 0; i < 3; i++) await consumeRateLimit("uploads", user);
    // A second instance: nothing of this process's limiter state survives.
    resetRateLimitsForTests();
    const next = consumeRateLimit("uploads", user);
    if (onPostgres) {
      await expect(next).rejects.toMatchObject({ code: "rate_limited" });
      const rows = await getDb().rateLimit.findMany({ where: { key: `uploads:${user}` } });
      expect(rows).toHaveLength(1);
      expect(rows[0]!.points).toBe(4);
    } else {
      await expect(next).resolves.toBeUndefined();
    }
  });
});
