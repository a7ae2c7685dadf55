/**
 * What one upload costs CKAN (issue 11, "the control plane"): CKAN calls per upload are bounded by time
 * (CKAN_AUTHZ_MAX_AGE_SECONDS, issue 9), not by bytes. An upload of 41 parts — 6 sign batches of 8 and 6
 * part reports of 8 in presigned mode, or 6 reports and 3 credential refreshes in sts mode — asks CKAN
 * only when it starts, and again at most once per bound (the cache's clock is injected, so the bound is
 * exact and nothing waits). With the bound at 0 every batch asks, which is what these counts would show if a
 * route asked CKAN per batch. CKAN calls are counted by the portal's own metric
 * (`ckan_portal_ckan_request_duration_seconds` count, by action), STS calls likewise, database
 * statements by `ckan_portal_db_queries_total`. Peers: Ceph RGW, demo CKAN, the selected database.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearAuthzCacheForTests, setAuthzClockForTests } from "@/lib/authz/answer-cache";
import { resetConfigForTests } from "@/lib/config";
import { getMetrics } from "@/lib/ops/metrics";
import { createUpload } from "@/lib/uploads/create";
import { grantCredentials, signParts } from "@/lib/uploads/credentials";
import { recordParts } from "@/lib/uploads/parts";
import { callerFor, startIntegrationEnv, TEST_DB_NAME } from "./support/env";

const MiB = 1024 * 1024;
const PARTS = 41;
const BATCH = 8;
let env: Awaited<ReturnType<typeof startIntegrationEnv>>;
let now = Date.parse("2026-11-29T12:00:00Z");

beforeAll(async () => {
  env = await startIntegrationEnv();
});
afterAll(async () => {
  setAuthzClockForTests(null);
  await env?.close();
});
beforeEach(() => {
  clearAuthzCacheForTests();
  setAuthzClockForTests(() => now);
});
afterEach(() => {
  delete process.env.CKAN_AUTHZ_MAX_AGE_SECONDS;
  delete process.env.CREDENTIALS_MODE;
  resetConfigForTests();
});

/** Count of a labelled histogram's observations (= calls), summed over the labels. */
async function observations(h: { get(): Promise<{ values: Array<{ metricName?: string; value: number }> }> | { values: Array<{ metricName?: string; value: number }> } }): Promise<number> {
  const { values } = await h.get();
  return values.filter((v) => v.metricName?.endsWith("_count")).reduce((s, v) => s + v.value, 0);
}

/** CKAN calls, STS calls and database statements the portal has made so far (this process). */
async function counters() {
  const m = getMetrics();
  return { ckan: await observations(m.ckanSeconds), sts: await observations(m.stsSeconds), db: (await m.dbQueries.get()).values.reduce((s, v) => s + v.value, 0) };
}

/** The batches of an upload of PARTS parts: part numbers 1–8, 9–16, … */
const batches = () => Array.from({ length: Math.ceil(PARTS / BATCH) }, (_, b) => Array.from({ length: Math.min(BATCH, PARTS - b * BATCH) }, (_, k) => b * BATCH + k + 1));

/**
 * Starts an upload of PARTS × 5 MiB in `mode` as a fresh editor of test-org, then per batch: `sign` (presigned)
 * or, every other batch, a credentials refresh (sts), and a part report; the clock moves `stepMs` per batch.
 * @returns the CKAN and STS calls and database statements of the start and of all the batches.
 */
async function oneUpload(mode: "sts" | "presigned", stepMs: number) {
  process.env.CREDENTIALS_MODE = mode;
  resetConfigForTests();
  const name = `cost-${mode}-${Date.now()}-${Math.round(Math.random() * 1e6)}`;
  const token = env.ckan.state.addUser({ name });
  env.ckan.state.addMember("test-org", name, "editor");
  const caller = callerFor(env.ckan, name, token);
  const c0 = await counters();
  const created = await createUpload(caller, { datasetId: "test-dataset", fileName: `${name}.bin`, size: PARTS * 5 * MiB, contentType: "" }, { ip: null, userAgent: "vitest" });
  expect(created.partCount).toBe(PARTS);
  const c1 = await counters();
  const perBatch: number[] = [];
  for (const [b, numbers] of batches().entries()) {
    now += stepMs;
    const before = (await counters()).ckan;
    if (mode === "presigned") expect((await signParts(caller, created.sessionId, numbers)).parts).toHaveLength(numbers.length);
    else if (b % 2 === 0) await grantCredentials(caller, created.sessionId);
    await recordParts(caller, created.sessionId, numbers.map((n) => ({ partNumber: n, size: 5 * MiB, etag: `"etag-${n}"` })));
    perBatch.push((await counters()).ckan - before);
  }
  const c2 = await counters();
  return { start: { ckan: c1.ckan - c0.ckan, sts: c1.sts - c0.sts, db: c1.db - c0.db }, batches: { ckan: c2.ckan - c1.ckan, sts: c2.sts - c1.sts, db: c2.db - c1.db }, perBatch };
}

describe(`CKAN calls per upload are bounded by time, not by bytes (${TEST_DB_NAME})`, () => {
  for (const mode of ["presigned", "sts"] as const) {
    it(`${mode}: the sign batches, credential refreshes and part reports within the bound ask CKAN nothing; past it, one question renews the answer`, async () => {
      const fast = await oneUpload(mode, 1_000); // 6 batches in 6 s: well within 60 s
      expect(fast.start.ckan).toBeGreaterThan(0); // the start asks CKAN (package_show, user_show, organization_list_for_user)
      expect(fast.batches.ckan).toBe(0);
      expect(fast.start.sts).toBe(mode === "sts" ? 1 : 0);
      expect(fast.batches.sts).toBe(mode === "sts" ? 3 : 0); // one AssumeRole per refresh, none per part
      expect(fast.batches.db).toBeGreaterThan(0);

      const slow = await oneUpload(mode, 61_000); // each batch past the 60 s bound
      // The start's answer was asked by dataset name, the batches' by id: the first batch asks once, and every
      // batch after it — 61 s later — asks once more. So at most one question per bound, whatever the part count.
      expect(slow.perBatch.every((n) => n === slow.perBatch[0])).toBe(true);
      expect(slow.perBatch[0]).toBe(fast.start.ckan);
    });
  }

  it("a sign batch costs one database statement and a part report five; a refresh two (issue 11: the portal's CPU per request)", async () => {
    // Each Prisma model query costs the portal 1–5 ms of CPU (query compiler, result mapping): the batch routes load their
    // session with one joined statement, skip the User upsert for an owner seen within a minute, and move the session's
    // byte sum and status in one compare-and-swap. Before: sign 3, report 9 (three session queries, the upsert, an aggregate).
    const presigned = await oneUpload("presigned", 1_000);
    expect(presigned.batches.db).toBe(batches().length * (1 + 5));
    const sts = await oneUpload("sts", 1_000);
    expect(sts.batches.db).toBe(batches().length * 5 + Math.ceil(batches().length / 2) * 2);
  });

  it("with CKAN_AUTHZ_MAX_AGE_SECONDS=0 every batch asks CKAN (what a per-batch route would cost at any bound)", async () => {
    process.env.CKAN_AUTHZ_MAX_AGE_SECONDS = "0";
    const r = await oneUpload("presigned", 1_000);
    // sign and report each ask: two questions per batch
    expect(r.perBatch).toEqual(batches().map(() => 2 * r.start.ckan));
  });
});
