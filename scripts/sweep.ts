/**
 * `npm run sweep`: expires upload sessions idle longer than STALE_UPLOAD_HOURS (default 72) — aborts
 * their S3 multipart uploads and marks them `expired` with an audit event (lib/uploads/sweep.ts).
 * Reads the portal's configuration from the environment, like the server. Run it from cron, e.g. hourly.
 * Exit status 1 when any abort failed (those sessions are retried by the next run).
 */
import { sweepStaleUploads } from "../lib/uploads/sweep";

sweepStaleUploads()
  .then((r) => {
    console.log(`sweep: expired ${r.expired.length} stale upload session(s)${r.expired.length ? `: ${r.expired.join(", ")}` : ""}`);
    for (const f of r.failed) console.error(`sweep: could not expire ${f.sessionId}: ${f.error}`);
    process.exit(r.failed.length ? 1 : 0);
  })
  .catch((err) => {
    console.error(`sweep failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
