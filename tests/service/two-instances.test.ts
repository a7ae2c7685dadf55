/**
 * Two portal instances behind a round-robin load balancer (issue 14): the standalone build
 * (`node .next/standalone/server.js`) twice, on one PostgreSQL database, one Ceph RGW and one demo
 * CKAN. 20 uploads from 5 users run at once with racing completes and cancels; every request of an
 * upload may land on either instance. Needs `npm run build`, RGW and PostgreSQL (npm test's
 * "service tests" step).
 */
import { CreateMultipartUploadCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoCkan } from "@/scripts/ckan-demo/server";
import { freshPostgresDatabase, requireRgwEnv } from "../integration/support/env";
import { startPortalInstance, requireStandaloneBuild, type PortalInstance } from "../support/portal-instance";
import { api, putPart, signInHttp, type CreatedSession } from "../support/portal-http";
import { startRoundRobinProxy, type RoundRobinProxy } from "../support/round-robin-proxy";

const BASE = Number(process.env.E2E_PORT_BASE ?? 3100) + 60;
const USERS = 5;
const UPLOADS_PER_USER = 4;
/** Starts each user tries: UPLOADS_PER_USER are allowed per minute, so 2 per user must be refused. */
const STARTS_PER_USER = UPLOADS_PER_USER + 2;
const MiB = 1024 * 1024;
/** Two parts: 5 MiB (S3's minimum part size) + 64 KiB. */
const FILE_BYTES = 5 * MiB + 64 * 1024;
const METRICS_TOKEN = "metrics-token-for-the-service-test";

type Ckan = Awaited<ReturnType<typeof startDemoCkan>>;
let ckan: Ckan;
let dbUrl: string;
let db: pg.Client;
let a: PortalInstance;
let b: PortalInstance;
let lb: RoundRobinProxy;
let staleSessionId: string;

/** What one upload did, for the checks. */
interface UploadRun {
  user: string;
  session: CreatedSession;
  etags: string[];
  scenario: "double-complete" | "complete-vs-cancel" | "complete" | "cancel";
  answers: Array<{ what: string; status: number; requestId: string | null }>;
}

function s3Admin(): S3Client {
  return new S3Client({ region: process.env.S3_REGION ?? "us-east-1", endpoint: process.env.S3_ENDPOINT, forcePathStyle: true });
}

/** A session idle for 100 hours (STALE_UPLOAD_HOURS is 72) with a real multipart upload, for the sweeper. */
async function seedStaleSession(): Promise<string> {
  const key = `uploads/stale/${randomUUID()}.bin`;
  const s3 = s3Admin();
  const out = await s3.send(new CreateMultipartUploadCommand({ Bucket: process.env.S3_BUCKET, Key: key }));
  s3.destroy();
  const id = randomUUID();
  const old = new Date(Date.now() - 100 * 3600_000);
  await db.query(`INSERT INTO "User" (id, "ckanId", name, "displayName", "updatedAt") VALUES ($1, $1, 'stale_user', 'Stale User', now())`, [randomUUID()]).catch(() => undefined);
  const user = await db.query(`SELECT id FROM "User" WHERE name = 'stale_user'`);
  const ds = randomUUID();
  await db.query(`INSERT INTO "Dataset" (id, "ckanId", name, title, "updatedAt") VALUES ($1, $1, 'stale-dataset', 'Stale', now())`, [ds]);
  await db.query(
    `INSERT INTO "UploadSession" (id, "userId", "datasetId", "fileName", size, "contentType", bucket, key, "uploadId", "partSize", "partCount", mode, status, "createdAt", "updatedAt")
     VALUES ($1, $2, $3, 'stale.bin', 10485760, 'application/octet-stream', $4, $5, $6, 5242880, 2, 'STS', 'UPLOADING', $7, $7)`,
    [id, user.rows[0].id, ds, process.env.S3_BUCKET, key, out.UploadId, old],
  );
  return id;
}

beforeAll(async () => {
  requireRgwEnv();
  requireStandaloneBuild();
  dbUrl = await freshPostgresDatabase();
  db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  ckan = await startDemoCkan({ host: "127.0.0.1", port: 0 });
  for (let i = 1; i <= USERS; i++) {
    ckan.state.addUser({ name: `svc_user_${i}`, token: `svc-token-${i}-${"0".repeat(40)}` });
    ckan.state.addMember("test-org", `svc_user_${i}`, "editor");
  }
  staleSessionId = await seedStaleSession();
  const lbUrl = `http://127.0.0.1:${BASE + 2}`;
  const env = (instance: string): Record<string, string> => ({
    DATABASE_URL: dbUrl,
    CKAN_URL: ckan.url,
    CREDENTIALS_MODE: "sts",
    NEXTAUTH_URL: lbUrl,
    NEXTAUTH_SECRET: randomBytes(32).toString("base64"),
    INSTANCE_ID: instance,
    SWEEP_INTERVAL_MINUTES: "60",
    RATE_LIMIT_UPLOADS_PER_MINUTE: String(UPLOADS_PER_USER),
    // The load balancer connects from 127.0.0.2; clients from 127.0.0.1 (never trusted).
    TRUSTED_PROXIES: "127.0.0.2/32",
    AUDIT_STORE_IP: "full",
    METRICS_TOKEN,
    LOG_LEVEL: "info",
  });
  // Both instances start (and run their first sweeper tick) at the same time.
  const secret = randomBytes(32).toString("base64");
  [a, b] = await Promise.all([
    startPortalInstance(BASE, { ...env("portal-a"), NEXTAUTH_SECRET: secret }),
    startPortalInstance(BASE + 1, { ...env("portal-b"), NEXTAUTH_SECRET: secret }),
  ]);
  lb = await startRoundRobinProxy([a.url, b.url], BASE + 2, "127.0.0.2");
}, 180_000);

afterAll(async () => {
  await lb?.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await db?.end();
  await ckan?.close();
});

describe("two portal instances behind a round-robin load balancer (PostgreSQL, RGW)", () => {
  it("runs 20 concurrent uploads from 5 users with racing completes and cancels, shared rate limits and one sweeper run", async () => {
    const started = Date.now();
    const resourcesBefore = ckan.state.getDataset("test-dataset")!.resources.length;
    const users = Array.from({ length: USERS }, (_, i) => ({ name: `svc_user_${i + 1}`, token: `svc-token-${i + 1}-${"0".repeat(40)}` }));
    const cookies = await Promise.all(users.map((u) => signInHttp(lb.url, u.token)));

    // 1. Every user tries STARTS_PER_USER upload starts at once; the limit (4 a minute) is per user across both instances.
    const starts = await Promise.all(
      users.flatMap((u, ui) =>
        Array.from({ length: STARTS_PER_USER }, (_, j) =>
          api<CreatedSession & { error?: { code: string } }>(lb.url, cookies[ui]!, "POST", "/api/uploads", { datasetId: "test-dataset", fileName: `svc-${u.name}-${j}.bin`, size: FILE_BYTES, contentType: "application/octet-stream" }, { "x-forwarded-for": "203.0.113.66" }).then((r) => ({ ...r, user: ui })),
        ),
      ),
    );
    const refused = starts.filter((s) => s.status === 429);
    const created = starts.filter((s) => s.status === 201 || s.status === 200);
    expect(refused.every((r) => r.body.error?.code === "rate_limited")).toBe(true);
    for (let ui = 0; ui < USERS; ui++) {
      expect(created.filter((c) => c.user === ui)).toHaveLength(UPLOADS_PER_USER);
      expect(refused.filter((c) => c.user === ui)).toHaveLength(STARTS_PER_USER - UPLOADS_PER_USER);
    }
    expect(created).toHaveLength(20);

    // 2. Parts straight to RGW, each part reported in its own request (alternating instances), then the scenario.
    const scenarios: UploadRun["scenario"][] = ["double-complete", "complete-vs-cancel", "complete", "cancel"];
    const runs: UploadRun[] = await Promise.all(
      created.map(async (c, i): Promise<UploadRun> => {
        const s = c.body;
        const cookie = cookies[c.user]!;
        const run: UploadRun = { user: users[c.user]!.name, session: s, etags: [], scenario: scenarios[i % 4]!, answers: [{ what: "create", status: c.status, requestId: c.requestId }] };
        expect(s.partCount).toBe(2);
        const bodies = [randomBytes(s.partSize), randomBytes(FILE_BYTES - s.partSize)];
        run.etags = await Promise.all(bodies.map((body, p) => putPart(process.env.S3_ENDPOINT!, s, p + 1, body)));
        for (const [p, etag] of run.etags.entries()) {
          const r = await api(lb.url, cookie, "POST", `/api/uploads/${s.sessionId}/parts`, { parts: [{ partNumber: p + 1, size: bodies[p]!.length, etag }] });
          run.answers.push({ what: "parts", status: r.status, requestId: r.requestId });
          expect(r.status).toBe(200);
        }
        const complete = () => api(lb.url, cookie, "POST", `/api/uploads/${s.sessionId}/complete`, {});
        const cancel = () => api(lb.url, cookie, "POST", `/api/uploads/${s.sessionId}/abort`, {});
        const calls = run.scenario === "double-complete" ? [complete(), complete()] : run.scenario === "complete-vs-cancel" ? [complete(), cancel()] : run.scenario === "complete" ? [complete()] : [cancel()];
        const names = run.scenario === "complete-vs-cancel" ? ["complete", "cancel"] : run.scenario === "cancel" ? ["cancel"] : ["complete", "complete"];
        for (const [k, r] of (await Promise.all(calls)).entries()) run.answers.push({ what: names[k]!, status: r.status, requestId: r.requestId });
        return run;
      }),
    );
    const elapsedMs = Date.now() - started;

    // 3. Each upload ended in exactly one final state, consistent with the answers, S3 and CKAN.
    const dataset = ckan.state.getDataset("test-dataset")!;
    let completed = 0;
    for (const run of runs) {
      const { rows } = await db.query(`SELECT status, "resourceId", "bytesConfirmed", "clientIp" FROM "UploadSession" WHERE id = $1`, [run.session.sessionId]);
      const row = rows[0];
      const finals = run.answers.filter((x) => x.what === "complete" || x.what === "cancel");
      // Every answer is a success or a clean 409 conflict (the other request won), never a 5xx.
      expect(finals.every((x) => x.status === 200 || x.status === 409), JSON.stringify(run.answers)).toBe(true);
      expect(row.clientIp, "the client's own X-Forwarded-For is never believed").toBe("127.0.0.1");
      const resources = dataset.resources.filter((r) => r.id === row.resourceId);
      const s3 = s3Admin();
      const stored = await s3.send(new HeadObjectCommand({ Bucket: run.session.bucket, Key: run.session.key })).then(() => true, () => false);
      s3.destroy();
      if (row.status === "COMPLETED") {
        completed++;
        expect(resources).toHaveLength(1);
        expect(stored).toBe(true);
        expect(Number(row.bytesConfirmed)).toBe(FILE_BYTES);
        // No lost part records: both parts, with the ETags S3 returned.
        const parts = await db.query(`SELECT "partNumber", etag FROM "UploadPart" WHERE "sessionId" = $1 ORDER BY "partNumber"`, [run.session.sessionId]);
        expect(parts.rows.map((p) => p.etag.replace(/"/g, ""))).toEqual(run.etags.map((e) => e.replace(/"/g, "")));
      } else {
        expect(row.status, `${run.scenario}: ${JSON.stringify(run.answers)}`).toBe("ABORTED");
        expect(row.resourceId).toBeNull();
        expect(stored).toBe(false);
        expect(run.scenario === "cancel" || run.scenario === "complete-vs-cancel").toBe(true);
      }
      if (run.scenario === "double-complete" || run.scenario === "complete") expect(row.status).toBe("COMPLETED");
      if (run.scenario === "cancel") expect(row.status).toBe("ABORTED");

      // Audit: complete and in order, each event carrying the id of the request that caused it.
      const ev = await db.query(`SELECT type, "requestId" FROM "AuditEvent" WHERE "sessionId" = $1 ORDER BY "createdAt", id`, [run.session.sessionId]);
      const types: string[] = ev.rows.map((e) => e.type);
      expect(types[0]).toBe("session.created");
      expect(types.filter((t) => t === "parts.recorded")).toHaveLength(2);
      if (row.status === "COMPLETED") {
        expect(types.filter((t) => t === "session.completed")).toHaveLength(1);
        expect(types.indexOf("object.stored")).toBeGreaterThan(types.lastIndexOf("parts.recorded"));
        expect(types.indexOf("session.completed")).toBeGreaterThan(types.indexOf("object.stored"));
        expect(types).not.toContain("session.aborted");
      } else {
        expect(types.filter((t) => t === "session.aborted")).toHaveLength(1);
        expect(types).not.toContain("session.completed");
      }
      expect(ev.rows.every((e) => typeof e.requestId === "string" && e.requestId.length > 0)).toBe(true);
      const answered = new Set(run.answers.map((x) => x.requestId));
      expect(ev.rows.every((e) => answered.has(e.requestId)), "every audit event's request id was answered as x-request-id").toBe(true);
    }
    expect(dataset.resources.length - resourcesBefore).toBe(completed);
    expect(lb.counts[0]).toBeGreaterThan(0);
    expect(lb.counts[1]).toBeGreaterThan(0);

    // 4. The sweeper ran once (both instances ticked at start; one held the lease) and expired the stale session once.
    const sweeps = await db.query(`SELECT detail FROM "AuditEvent" WHERE type = 'sweeper.ran'`);
    expect(sweeps.rows).toHaveLength(1);
    const sweep = JSON.parse(sweeps.rows[0].detail) as { instance: string; expired: number };
    expect(["portal-a", "portal-b"]).toContain(sweep.instance);
    expect(sweep.expired).toBe(1);
    const expired = await db.query(`SELECT s.status, (SELECT count(*) FROM "AuditEvent" e WHERE e."sessionId" = s.id AND e.type = 'session.expired') AS n FROM "UploadSession" s WHERE s.id = $1`, [staleSessionId]);
    expect(expired.rows[0]).toEqual({ status: "EXPIRED", n: "1" });

    // 5. Metrics from each instance (directly, not through the balancer) add up to what happened.
    const scrape = async (i: PortalInstance) => (await fetch(`${i.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    const value = (text: string, series: string) => Number(text.split("\n").find((l) => l.startsWith(series + " "))?.split(" ")[1] ?? 0);
    const [ma, mb] = await Promise.all([scrape(a), scrape(b)]);
    expect(value(ma, 'ckan_portal_upload_sessions_started_total{mode="sts"}') + value(mb, 'ckan_portal_upload_sessions_started_total{mode="sts"}')).toBe(20);
    expect(value(ma, 'ckan_portal_upload_sessions_completed_total{mode="sts"}') + value(mb, 'ckan_portal_upload_sessions_completed_total{mode="sts"}')).toBe(completed);
    expect(value(ma, "ckan_portal_upload_parts_recorded_total") + value(mb, "ckan_portal_upload_parts_recorded_total")).toBe(40);
    expect(value(ma, 'ckan_portal_sweeper_runs_total{outcome="ran"}') + value(mb, 'ckan_portal_sweeper_runs_total{outcome="ran"}')).toBe(1);
    expect(value(ma, 'ckan_portal_sweeper_runs_total{outcome="skipped"}') + value(mb, 'ckan_portal_sweeper_runs_total{outcome="skipped"}')).toBe(1);

    console.log(
      `[two-instances] ${created.length} uploads (${completed} completed, ${created.length - completed} cancelled) from ${USERS} users in ${(elapsedMs / 1000).toFixed(1)} s; ` +
        `${refused.length} rate-limit refusals; requests per instance ${lb.counts.join("/")}; sweeper runs 1 (by ${sweep.instance})`,
    );
  });
});
