/**
 * The standalone build as an operator runs it (issue 14): `node .next/standalone/server.js` on SQLite
 * with RGW and the demo CKAN. One upload through it; health and readiness; Prometheus metrics behind a
 * bearer token; one JSON log line per request with the request id that is also in the audit trail and
 * no secret in any line; a client cannot choose the audited IP; SIGTERM lets an in-flight request finish.
 */
import Database from "better-sqlite3";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoCkan } from "@/scripts/ckan-demo/server";
import { DEMO_TOKENS } from "@/scripts/ckan-demo/seed";
import { freshSqliteDatabase, requireRgwEnv } from "../integration/support/env";
import { startPortalInstance, type PortalInstance } from "../support/portal-instance";
import { api, putPart, signInHttp, type CreatedSession } from "../support/portal-http";

const PORT = Number(process.env.E2E_PORT_BASE ?? 3100) + 63;
const METRICS_TOKEN = "metrics-token-0123456789abcdef";
const NEXTAUTH_SECRET = randomBytes(32).toString("base64");
const TOKEN = DEMO_TOKENS.editor_user;

type Ckan = Awaited<ReturnType<typeof startDemoCkan>>;
let ckan: Ckan;
let dbUrl: string;
let portal: PortalInstance;
let cookie: string;
const secrets: string[] = [TOKEN, NEXTAUTH_SECRET, METRICS_TOKEN];

function openDb(): Database.Database {
  return new Database(dbUrl.replace(/^file:/, ""), { readonly: true });
}

/** One small upload (1 part) through the portal; returns the session and every answer's request id. */
async function upload(name: string, extraHeaders: Record<string, string> = {}): Promise<{ session: CreatedSession; requestIds: string[] }> {
  const size = 4096;
  const created = await api<CreatedSession>(portal.url, cookie, "POST", "/api/uploads", { datasetId: "test-dataset", fileName: name, size, contentType: "application/octet-stream" }, extraHeaders);
  expect(created.status).toBe(200);
  const s = created.body;
  secrets.push(s.credentials.secretAccessKey, s.credentials.sessionToken);
  const etag = await putPart(process.env.S3_ENDPOINT!, s, 1, randomBytes(size));
  const parts = await api(portal.url, cookie, "POST", `/api/uploads/${s.sessionId}/parts`, { parts: [{ partNumber: 1, size, etag }] });
  expect(parts.status).toBe(200);
  return { session: s, requestIds: [created.requestId!, parts.requestId!] };
}

beforeAll(async () => {
  requireRgwEnv();
  dbUrl = freshSqliteDatabase();
  ckan = await startDemoCkan({ host: "127.0.0.1", port: 0 });
  portal = await startPortalInstance(PORT, {
    DATABASE_URL: dbUrl,
    CKAN_URL: ckan.url,
    CREDENTIALS_MODE: "sts",
    NEXTAUTH_URL: `http://127.0.0.1:${PORT}`,
    NEXTAUTH_SECRET,
    METRICS_TOKEN,
    AUDIT_STORE_IP: "full",
    TRUSTED_PROXIES: "",
    INSTANCE_ID: "ops-test",
  });
  cookie = await signInHttp(portal.url, TOKEN);
  secrets.push(...cookie.split("; ").filter((c) => c.includes("session-token")).map((c) => c.split("=").slice(1).join("=")));
}, 180_000);

afterAll(async () => {
  await portal?.stop();
  await ckan?.close();
});

describe("the standalone build as a service", () => {
  it("runs one upload to a CKAN resource; the audited IP is the peer's, whatever the client sends", async () => {
    const { session, requestIds } = await upload("standalone.bin", { "x-forwarded-for": "203.0.113.5", "x-real-ip": "203.0.113.6", "x-portal-peer": "198.51.100.1" });
    const done = await api<{ status: string; resourceId: string }>(portal.url, cookie, "POST", `/api/uploads/${session.sessionId}/complete`, {});
    expect(done.status).toBe(200);
    expect(done.body.status).toBe("completed");
    expect(ckan.state.getResource(done.body.resourceId)).toBeDefined();
    const db = openDb();
    try {
      const row = db.prepare(`SELECT clientIp FROM UploadSession WHERE id = ?`).get(session.sessionId) as { clientIp: string };
      expect(row.clientIp).toBe("127.0.0.1");
      const events = db.prepare(`SELECT type, requestId FROM AuditEvent WHERE sessionId = ? ORDER BY createdAt, rowid`).all(session.sessionId) as Array<{ type: string; requestId: string }>;
      expect(events.map((e) => e.type)).toEqual(["session.created", "credentials.granted", "parts.recorded", "object.stored", "session.completed"]);
      expect(new Set(events.map((e) => e.requestId))).toEqual(new Set([...requestIds, done.requestId]));
    } finally {
      db.close();
    }
  });

  it("answers /api/health and /api/ready with each check's latency, and names the failing check with 503", async () => {
    const health = await fetch(`${portal.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });

    const ready = await fetch(`${portal.url}/api/ready`);
    const body = (await ready.json()) as { status: string; checks: Array<{ name: string; ok: boolean; latencyMs: number }> };
    expect(ready.status, JSON.stringify(body)).toBe(200);
    expect(body.status).toBe("ready");
    expect(body.checks.map((c) => c.name).sort()).toEqual(["ckan", "database", "storage"]);
    expect(body.checks.every((c) => c.ok && Number.isInteger(c.latencyMs) && c.latencyMs >= 0)).toBe(true);

    ckan.state.failNext("status_show", 500);
    const unready = await fetch(`${portal.url}/api/ready`);
    const text = await unready.text();
    expect(unready.status).toBe(503);
    expect(JSON.parse(text)).toMatchObject({ status: "unready", failing: ["ckan"] });
    // No internal address or secret in the answers.
    for (const leak of [ckan.url, new URL(ckan.url).host, process.env.S3_ENDPOINT!, new URL(process.env.S3_ENDPOINT!).host, dbUrl, process.env.AWS_SECRET_ACCESS_KEY!]) {
      expect(text).not.toContain(leak);
      expect(JSON.stringify(body)).not.toContain(leak);
    }
  });

  it("serves Prometheus metrics only with the bearer token", async () => {
    expect((await fetch(`${portal.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${portal.url}/metrics`, { headers: { authorization: "Bearer wrong-token-wrong-token" } })).status).toBe(401);
    const res = await fetch(`${portal.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    for (const line of [
      'ckan_portal_upload_sessions_started_total{mode="sts"} 1',
      'ckan_portal_upload_sessions_completed_total{mode="sts"} 1',
      'ckan_portal_upload_completed_bytes_total{mode="sts"} 4096',
      "ckan_portal_upload_parts_recorded_total 1",
      "ckan_portal_credential_grants_total 1",
      'ckan_portal_active_uploads{status="uploading"} 0',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toMatch(/ckan_portal_ckan_request_duration_seconds_count\{action="resource_create",outcome="ok"\} 1/);
    expect(text).toMatch(/ckan_portal_sts_request_duration_seconds_count\{action="AssumeRole",outcome="ok"\} 1/);
    expect(text).toMatch(/ckan_portal_ckan_request_errors_total\{action="status_show"\} 1/);
  });

  it("logs one JSON line per request and per upload state change, with request ids and no secrets", () => {
    const logs = portal.logs();
    const requests = logs.filter((l) => l.msg === "request");
    expect(requests.length).toBeGreaterThan(5);
    expect(requests.every((l) => typeof l.requestId === "string" && typeof l.status === "number" && l.instance === "ops-test")).toBe(true);
    const upload = logs.filter((l) => l.msg === "upload").map((l) => l.event);
    expect(upload).toEqual(expect.arrayContaining(["session.created", "parts.recorded", "session.completed"]));
    const all = portal.lines.join("\n");
    for (const secret of secrets) expect(all).not.toContain(secret);
  });

  it("on SIGTERM lets an in-flight request finish, then exits 0", async () => {
    const { session } = await upload("shutdown.bin");
    // Hold CKAN's resource_create for 3 s and learn when the portal's request reached it.
    let reached!: () => void;
    const inCkan = new Promise<void>((resolve) => (reached = resolve));
    const takeDelay = ckan.state.takeDelay.bind(ckan.state);
    ckan.state.takeDelay = (action: string) => {
      const ms = takeDelay(action);
      if (action === "resource_create") reached();
      return ms;
    };
    ckan.state.delayNext("resource_create", 3000);
    let answered = false;
    const completing = api<{ status: string }>(portal.url, cookie, "POST", `/api/uploads/${session.sessionId}/complete`, {}).then((r) => ((answered = true), r));
    await inCkan;
    const exited = portal.stop();
    expect(answered).toBe(false);
    const done = await completing;
    expect(done.status).toBe(200);
    expect(done.body.status).toBe("completed");
    expect(await exited).toBe(0);
    expect(portal.logs().some((l) => l.msg === "shutting down")).toBe(true);
  });
});
