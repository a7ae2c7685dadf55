import "server-only";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { getS3Client } from "@/lib/storage/clients";
import { abortMultipartUpload } from "@/lib/storage/multipart";
import { instanceId } from "@/lib/ops/instance";
import { releaseLease, tryAcquireLease } from "@/lib/ops/lease";
import { getLogger } from "@/lib/ops/log";
import { getMetrics } from "@/lib/ops/metrics";
import { writeAudit } from "./audit";
import { verifyCompletedObjects, type IntegritySweepResult } from "./integrity";

/** Statuses a stale session may be swept from: parts may still arrive, or a failed upload waits for resume. */
const SWEEPABLE = ["CREATED", "UPLOADING", "FAILED"] as const;

/** Outcome of one sweep. */
export interface SweepResult {
  /** Sessions marked `expired` (their multipart uploads aborted). */
  expired: string[];
  /** Sessions whose abort failed (left as they were; the next sweep tries again), with the error. */
  failed: Array<{ sessionId: string; error: string }>;
  /** The integrity pass over stored objects (CASES 38): checked, newly flagged, S3 failures. */
  integrity: IntegritySweepResult;
}

/**
 * Expires upload sessions idle for longer than `staleHours` (default STALE_UPLOAD_HOURS, 72): aborts
 * their S3 multipart upload (deleting the stored parts), deletes their part rows and marks them
 * `EXPIRED` with a `session.expired` audit event. Idle means no change to the session row *and* no
 * audit event (credential refresh, part signing, part report) since the cutoff, so a session that is
 * still sending a large part with refreshed credentials is never touched. Only `created`, `uploading`
 * and `failed` sessions are swept; `completing`, `uploaded` (stored, waiting for CKAN) and final
 * sessions never are. The claim is conditional on `updatedAt`, so a session that wakes up during the
 * sweep is left alone. Safe to run concurrently with itself.
 * Then the integrity pass: up to `integrityLimit` (default 1,000) stored objects, least recently checked
 * first, are compared with the fingerprint recorded at completion (one HeadObject each; a mismatch is
 * flagged and audited, lib/uploads/integrity.ts).
 * @param opts.now the current time (tests), `limit` sessions per run (default 500).
 */
export async function sweepStaleUploads(opts: { now?: Date; staleHours?: number; limit?: number; integrityLimit?: number } = {}): Promise<SweepResult> {
  const config = getConfig();
  const db = getDb();
  const now = opts.now ?? new Date();
  const cutoff = new Date(now.getTime() - (opts.staleHours ?? config.STALE_UPLOAD_HOURS) * 3600_000);
  const candidates = await db.uploadSession.findMany({
    where: { status: { in: [...SWEEPABLE] }, updatedAt: { lt: cutoff }, events: { none: { createdAt: { gte: cutoff } } } },
    orderBy: { updatedAt: "asc" },
    take: opts.limit ?? 500,
  });
  const result: SweepResult = { expired: [], failed: [], integrity: { checked: 0, flagged: [], failed: [] } };
  for (const s of candidates) {
    try {
      if (s.uploadId) await abortMultipartUpload(getS3Client(config), { bucket: s.bucket, key: s.key, uploadId: s.uploadId });
      const done = await db.$transaction(async (tx) => {
        const claimed = await tx.uploadSession.updateMany({
          where: { id: s.id, status: s.status, updatedAt: s.updatedAt },
          data: { status: "EXPIRED", completedAt: now, errorCode: "expired", errorMessage: `No activity for more than ${opts.staleHours ?? config.STALE_UPLOAD_HOURS} hours: the stored parts were deleted.` },
        });
        if (claimed.count === 0) return false;
        await tx.uploadPart.deleteMany({ where: { sessionId: s.id } });
        await writeAudit(tx, {
          sessionId: s.id,
          actorName: "sweeper",
          type: "session.expired",
          detail: { previousStatus: s.status.toLowerCase(), idleSince: s.updatedAt.toISOString(), bytesConfirmed: Number(s.bytesConfirmed), uploadId: s.uploadId },
        });
        return true;
      });
      if (done) result.expired.push(s.id);
    } catch (err) {
      result.failed.push({ sessionId: s.id, error: (err as Error).message });
    }
  }
  result.integrity = await verifyCompletedObjects({ now, limit: opts.integrityLimit });
  return result;
}

/** The lease the in-server sweeper takes for one interval (lib/ops/lease.ts). */
export const SWEEPER_LEASE = "sweeper";

/**
 * One sweeper tick of this instance: takes the `sweeper` lease for `intervalMs` and, if it got it,
 * sweeps and writes one `sweeper.ran` audit event naming the instance (INSTANCE_ID or hostname:pid)
 * and what it did. Among several instances on one database exactly one runs per interval; the others
 * skip (so no session is ever swept twice).
 * `release: true` (the cron run, `npm run sweep`) gives the lease back when done, so the lease only
 * keeps two sweeps from overlapping; `holder` names the taker (default INSTANCE_ID or hostname:pid).
 * @returns the sweep's result, or null when another instance holds the lease.
 */
export async function runSweeperTick(opts: { intervalMs: number; now?: Date; holder?: string; release?: boolean }): Promise<SweepResult | null> {
  const db = getDb();
  const instance = opts.holder ?? instanceId();
  const metrics = getMetrics();
  if (!(await tryAcquireLease(db, SWEEPER_LEASE, instance, opts.intervalMs, opts.now))) {
    metrics.sweeperRuns.inc({ outcome: "skipped" });
    return null;
  }
  const startedAt = Date.now();
  let result: SweepResult;
  try {
    result = await sweepStaleUploads({ now: opts.now });
  } finally {
    if (opts.release) await releaseLease(db, SWEEPER_LEASE, instance, opts.now);
  }
  await writeAudit(db, { actorName: "sweeper", type: "sweeper.ran", detail: { instance, expired: result.expired.length, failed: result.failed.length, integrityFlagged: result.integrity.flagged.length, ms: Date.now() - startedAt } });
  metrics.sweeperRuns.inc({ outcome: "ran" });
  getLogger().info({ msg: "sweeper ran", expired: result.expired.length, failed: result.failed.length, integrityChecked: result.integrity.checked, integrityFlagged: result.integrity.flagged.length });
  if (result.integrity.flagged.length) getLogger().error({ msg: "stored objects changed after completion", sessions: result.integrity.flagged });
  return result;
}

const globalForSweeper = globalThis as unknown as { portalSweeper?: ReturnType<typeof setInterval> };

/**
 * Starts the in-server sweeper when SWEEP_INTERVAL_MINUTES > 0 (default 0: off; run `npm run sweep`
 * from cron instead): a tick at start, then one every interval; with several instances the lease lets
 * one of them run per interval. One timer per process; failures are logged, never thrown.
 */
export function startSweeperInterval(): void {
  const minutes = getConfig().SWEEP_INTERVAL_MINUTES;
  if (minutes <= 0 || globalForSweeper.portalSweeper) return;
  const intervalMs = minutes * 60_000;
  const tick = () =>
    runSweeperTick({ intervalMs }).catch((err) => {
      getMetrics().sweeperRuns.inc({ outcome: "error" });
      getLogger().error({ msg: "sweeper failed", err: (err as Error).message });
    });
  globalForSweeper.portalSweeper = setInterval(tick, intervalMs);
  globalForSweeper.portalSweeper.unref?.();
  void tick();
}
