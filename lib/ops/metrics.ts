import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * The portal's Prometheus metrics (prom-client), one registry per process. Served at `/metrics` only
 * when METRICS_TOKEN is set (app/metrics/route.ts). Names follow Prometheus conventions: a
 * `ckan_portal_` prefix, `_total` for counters, `_seconds` and `_bytes` for units.
 *
 * Counters count what this instance did; `ckan_portal_active_uploads` is read from the shared database
 * at scrape time, so every instance reports the same value (aggregate it with max(), not sum()).
 */
export interface PortalMetrics {
  registry: Registry;
  sessionsStarted: Counter<"mode">;
  sessionsCompleted: Counter<"mode">;
  sessionsFailed: Counter<"mode">;
  sessionsAborted: Counter<"mode" | "reason">;
  bytesCompleted: Counter<"mode">;
  partsRecorded: Counter;
  credentialGrants: Counter;
  ckanSeconds: Histogram<"action" | "outcome">;
  ckanErrors: Counter<"action">;
  ckanRetries: Counter<"action">;
  stsSeconds: Histogram<"action" | "outcome">;
  stsErrors: Counter<"action">;
  dbQueries: Counter;
  dbBusy: Counter;
  activeUploads: Gauge<"status">;
  sweeperRuns: Counter<"outcome">;
}

/** Latency buckets for CKAN and STS calls, in seconds. */
const CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const globalForMetrics = globalThis as unknown as { portalMetrics?: PortalMetrics; portalActiveUploadsSource?: () => Promise<Record<string, number>> };

function create(): PortalMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "ckan_portal_" });
  const r = [registry];
  return {
    registry,
    sessionsStarted: new Counter({ name: "ckan_portal_upload_sessions_started_total", help: "Upload sessions started, by credentials mode.", labelNames: ["mode"], registers: r }),
    sessionsCompleted: new Counter({ name: "ckan_portal_upload_sessions_completed_total", help: "Upload sessions completed (object stored and CKAN resource written), by mode.", labelNames: ["mode"], registers: r }),
    sessionsFailed: new Counter({ name: "ckan_portal_upload_sessions_failed_total", help: "Upload sessions that failed (storage or registration), by mode.", labelNames: ["mode"], registers: r }),
    sessionsAborted: new Counter({ name: "ckan_portal_upload_sessions_aborted_total", help: "Upload sessions aborted (reason: cancelled by the user or an admin, expired by the sweeper), by mode.", labelNames: ["mode", "reason"], registers: r }),
    bytesCompleted: new Counter({ name: "ckan_portal_upload_completed_bytes_total", help: "Bytes of completed uploads, by mode.", labelNames: ["mode"], registers: r }),
    partsRecorded: new Counter({ name: "ckan_portal_upload_parts_recorded_total", help: "Parts the browsers reported as stored.", registers: r }),
    credentialGrants: new Counter({ name: "ckan_portal_credential_grants_total", help: "Temporary one-object STS credentials granted.", registers: r }),
    ckanSeconds: new Histogram({ name: "ckan_portal_ckan_request_duration_seconds", help: "CKAN action API call latency, by action and outcome (ok, error).", labelNames: ["action", "outcome"], buckets: CALL_BUCKETS, registers: r }),
    ckanErrors: new Counter({ name: "ckan_portal_ckan_request_errors_total", help: "CKAN action API calls that failed, by action.", labelNames: ["action"], registers: r }),
    ckanRetries: new Counter({ name: "ckan_portal_ckan_request_retries_total", help: "CKAN read actions asked once more because a pooled connection had been closed by the peer (ECONNRESET, other side closed), by action.", labelNames: ["action"], registers: r }),
    stsSeconds: new Histogram({ name: "ckan_portal_sts_request_duration_seconds", help: "STS call latency, by action (AssumeRole) and outcome.", labelNames: ["action", "outcome"], buckets: CALL_BUCKETS, registers: r }),
    stsErrors: new Counter({ name: "ckan_portal_sts_request_errors_total", help: "STS calls that failed, by action.", labelNames: ["action"], registers: r }),
    dbQueries: new Counter({ name: "ckan_portal_db_queries_total", help: "SQL statements the portal's Prisma client sent to its database, as Prisma reports them (query events: a transaction's COMMIT counts, its BEGIN is not reported).", registers: r }),
    dbBusy: new Counter({ name: "ckan_portal_db_busy_total", help: "API requests answered 503 database_busy: no pooled database connection or transaction slot within DATABASE_WAIT_MS (clients retry after Retry-After).", registers: r }),
    activeUploads: new Gauge({
      name: "ckan_portal_active_uploads",
      help: "Upload sessions not yet final (created, uploading, completing, uploaded), by status; read from the database at scrape time.",
      labelNames: ["status"],
      registers: r,
      async collect() {
        const source = globalForMetrics.portalActiveUploadsSource;
        if (!source) return;
        this.reset();
        for (const [status, n] of Object.entries(await source())) this.set({ status }, n);
      },
    }),
    sweeperRuns: new Counter({ name: "ckan_portal_sweeper_runs_total", help: "Sweeper ticks on this instance, by outcome (ran, skipped: another instance holds the lease, error).", labelNames: ["outcome"], registers: r }),
  };
}

/** The process-wide metrics (created on first use). */
export function getMetrics(): PortalMetrics {
  globalForMetrics.portalMetrics ??= create();
  return globalForMetrics.portalMetrics;
}

/** Sets the function the active-uploads gauge reads at scrape time (status → count). */
export function setActiveUploadsSource(source: () => Promise<Record<string, number>>): void {
  globalForMetrics.portalActiveUploadsSource = source;
}

/**
 * Times `fn` into `histogram` with `{action, outcome}` and counts a failure in `errors`; rethrows.
 * Used for every CKAN action call and every STS call.
 */
export async function timed<T>(histogram: Histogram<"action" | "outcome">, errors: Counter<"action">, action: string, fn: () => Promise<T>): Promise<T> {
  const end = histogram.startTimer({ action });
  try {
    const out = await fn();
    end({ outcome: "ok" });
    return out;
  } catch (err) {
    end({ outcome: "error" });
    errors.inc({ action });
    throw err;
  }
}
