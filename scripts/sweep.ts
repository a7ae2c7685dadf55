/**
 * `npm run sweep`: expires upload sessions idle longer than STALE_UPLOAD_HOURS (default 72) — aborts
 * their S3 multipart uploads and marks them `expired` with an audit event (lib/uploads/sweep.ts).
 * Reads the portal's configuration from the environment, like the server. Run it from cron, e.g. hourly.
 * Then checks up to 1,000 stored objects against the fingerprint recorded at completion (CASES 38).
 * Exit status 1 when any abort or check failed (retried by the next run) or an object was found
 * changed after completion (flagged on /admin/uploads; cron mails the output to the operator).
 * Takes the database's `sweeper` lease like the in-server sweeper (SWEEP_INTERVAL_MINUTES), so a cron
 * run never overlaps another sweep on any instance; it gives the lease back when done and, when the
 * lease is held, prints who holds it and exits 0.
 */
import os from "node:os";
import { getDb } from "../lib/db";
import { runSweeperTick, SWEEPER_LEASE } from "../lib/uploads/sweep";

/** Longest a crashed cron run keeps the lease (ms); a finished run gives it back at once. */
const CRON_LEASE_MS = 30 * 60_000;

async function main(): Promise<number> {
  const r = await runSweeperTick({ intervalMs: CRON_LEASE_MS, holder: `cron:${os.hostname()}:${process.pid}`, release: true });
  if (!r) {
    const lease = await getDb().lease.findUnique({ where: { name: SWEEPER_LEASE } });
    console.log(`sweep: skipped: ${lease?.holder ?? "another sweeper"} holds the sweeper lease until ${lease?.expiresAt.toISOString() ?? "?"}`);
    return 0;
  }
  console.log(`sweep: expired ${r.expired.length} stale upload session(s)${r.expired.length ? `: ${r.expired.join(", ")}` : ""}`);
  for (const f of r.failed) console.error(`sweep: could not expire ${f.sessionId}: ${f.error}`);
  const i = r.integrity;
  console.log(`sweep: checked ${i.checked} stored object(s) against their completion fingerprint`);
  for (const id of i.flagged) console.error(`sweep: INTEGRITY: the object of session ${id} changed after completion; downloads are refused (see /admin/uploads/${id})`);
  for (const f of i.failed) console.error(`sweep: could not check ${f.sessionId}: ${f.error}`);
  return r.failed.length || i.flagged.length || i.failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`sweep failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
