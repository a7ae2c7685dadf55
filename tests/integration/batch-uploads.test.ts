/**
 * Small files go fast (issue 12): many files starting or finishing at once share one request —
 * `POST /api/uploads/batch` and `POST /api/uploads/batch/complete` — and the portal's fixed costs. Each item
 * behaves exactly as its single route: the same rows, audit events, objects in the bucket and CKAN resources
 * for the good items, and its own error (403 a dataset the caller may not edit, 413 over MAX_UPLOAD_BYTES,
 * 429 over MAX_ACTIVE_UPLOADS_PER_USER with retryAfter, 404 an unknown session) beside them, with no
 * multipart upload left behind. Shared: one CKAN permission check per dataset per batch, and fewer database
 * statements per file than single calls (counted by `ckan_portal_db_queries_total`, as
 * control-plane-cost.test.ts counts them). Peers: Ceph RGW, demo CKAN, the selected database.
 */
import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { POST as createBatch } from "@/app/api/uploads/batch/route";
import { POST as completeBatch } from "@/app/api/uploads/batch/complete/route";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { getMetrics } from "@/lib/ops/metrics";
import { resetRateLimitsForTests } from "@/lib/security/rate-limit";
import { completeUpload } from "@/lib/uploads/complete";
import { createUpload } from "@/lib/uploads/create";
import { recordPartsOf } from "@/lib/uploads/parts";
import type { UploadSession } from "@/lib/uploader/portal-api";
import { DEMO_TOKENS } from "@/scripts/ckan-demo/seed";
import { TEST_DB_NAME, callerFor, startIntegrationEnv } from "./support/env";
import { getObjectBytes, listMultipartUploads, sha256, testBytes } from "./support/s3";

const KiB = 1024;
const MAX_UPLOAD_BYTES = 1024 * KiB;
let env: Awaited<ReturnType<typeof startIntegrationEnv>>;

beforeAll(async () => {
  env = await startIntegrationEnv({ CREDENTIALS_MODE: "presigned", MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES), MAX_ACTIVE_UPLOADS_PER_USER: "6", RATE_LIMIT_UPLOADS_PER_MINUTE: "1000" });
  resetRateLimitsForTests();
});
afterEach(() => resetConfigForTests());
afterAll(async () => {
  resetRateLimitsForTests();
  await env?.close();
});

type ItemError = { error: { code: string; message: string }; status: number; retryAfter?: number };

async function post(handler: typeof createBatch, path: string, token: string, body: unknown) {
  const res = await handler(
    new NextRequest(`http://portal.test:3000${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) }),
    { params: Promise.resolve({}) },
  );
  return { status: res.status, body: (await res.json()) as any };
}

/** A fresh editor of test-org: its own active-upload count, its token. */
function freshEditor(prefix: string) {
  const name = `${prefix}-${Date.now()}-${Math.round(Math.random() * 1e6)}`;
  const token = env.ckan.state.addUser({ name });
  env.ckan.state.addMember("test-org", name, "editor");
  return { caller: callerFor(env.ckan, name, token), token };
}

/** PUTs `bytes` to the answer's signed part URL. @returns the part as /complete takes it. */
async function sendPart(upload: UploadSession, bytes: Uint8Array) {
  const [part] = upload.signedParts!;
  const put = await fetch(part.url, { method: "PUT", body: Buffer.from(bytes), headers: part.headers });
  expect(put.status).toBe(200);
  return { partNumber: 1, size: bytes.length, etag: put.headers.get("etag")! };
}

async function counters() {
  const m = getMetrics();
  const { values } = await m.ckanSeconds.get();
  const ckan = (action?: string) => values.filter((v) => v.metricName?.endsWith("_count") && (!action || v.labels.action === action)).reduce((s, v) => s + v.value, 0);
  return { db: (await m.dbQueries.get()).values.reduce((s, v) => s + v.value, 0), ckan: ckan(), packageShow: ckan("package_show") };
}

describe(`batch routes: many small files share requests (${TEST_DB_NAME})`, () => {
  it("creates and completes good items as the single routes do, beside per-item errors; one CKAN check per dataset", async () => {
    const files = [0, 1, 2, 3].map((n) => testBytes(64 * KiB, 40 + n));
    const items = [
      ...files.slice(0, 2).map((b, n) => ({ datasetId: "test-dataset", fileName: `batch-${n}.csv`, size: b.length, contentType: "text/csv" })),
      { datasetId: "other-dataset", fileName: "not-mine.csv", size: 10, contentType: "text/csv" }, // editor_user may not edit other-org's dataset
      { datasetId: "test-dataset", fileName: "too-big.bin", size: MAX_UPLOAD_BYTES + 1, contentType: "" },
      { datasetId: "test-dataset", fileName: "bad\u0007name.csv", size: 10, contentType: "" }, // fails the body schema: that item only
      ...files.slice(2).map((b, n) => ({ datasetId: "test-dataset", fileName: `batch-${n + 2}.csv`, size: b.length, contentType: "text/csv" })),
    ];
    const created = await post(createBatch, "/api/uploads/batch", DEMO_TOKENS.editor_user, { uploads: items });
    expect(created.status).toBe(200);
    const results = created.body.results as Array<{ upload: UploadSession } | ItemError>;
    expect(results).toHaveLength(items.length);
    expect(results[2]).toMatchObject({ status: 403, error: { code: "forbidden" } });
    expect(results[3]).toMatchObject({ status: 413, error: { code: "too_large", message: expect.stringContaining("accepts files up to") } });
    expect(results[4]).toMatchObject({ status: 400, error: { code: "validation_failed" } });
    const uploads = [0, 1, 5, 6].map((i) => (results[i] as { upload: UploadSession }).upload);
    expect(uploads.map((u) => [u.partCount, u.signedParts?.length])).toEqual([[1, 1], [1, 1], [1, 1], [1, 1]]);
    // Only the good items have sessions: nothing for the refused ones, no multipart upload left behind for them.
    const sessions = await getDb().uploadSession.findMany({ where: { user: { ckanId: callerFor(env.ckan, "editor_user").id } }, select: { id: true, fileName: true } });
    expect(sessions.map((s) => s.fileName).sort()).toEqual(["batch-0.csv", "batch-1.csv", "batch-2.csv", "batch-3.csv"]);

    const parts = await Promise.all(uploads.map((u, n) => sendPart(u, files[n])));
    const before = await counters();
    const done = await post(completeBatch, "/api/uploads/batch/complete", DEMO_TOKENS.editor_user, {
      uploads: [
        ...uploads.map((u, n) => ({ sessionId: u.sessionId, sha256: sha256(files[n]), parts: [parts[n]] })),
        { sessionId: "00000000-0000-4000-8000-000000000000" },
      ],
    });
    const after = await counters();
    expect(done.status).toBe(200);
    expect(done.body.results[4]).toMatchObject({ status: 404, error: { code: "not_found" } });
    expect(after.packageShow - before.packageShow).toBe(1); // one fresh permission check for the dataset, not one per file
    for (const [n, u] of uploads.entries()) {
      expect(done.body.results[n].session).toMatchObject({ sessionId: u.sessionId, status: "completed" });
      const session = await getDb().uploadSession.findUniqueOrThrow({ where: { id: u.sessionId }, include: { parts: true } });
      expect(session.parts.map((p) => p.etag)).toEqual([parts[n].etag]);
      expect(sha256((await getObjectBytes(session.key)).bytes)).toBe(sha256(files[n]));
      const resource = env.ckan.state.getResource(session.resourceId ?? "")?.resource;
      expect(resource?.hash).toBe(`sha256:${sha256(files[n])}`);
      expect(await listMultipartUploads(session.key)).toEqual([]);
      const audit = await getDb().auditEvent.findMany({ where: { sessionId: u.sessionId }, select: { type: true } });
      expect(audit.map((e) => e.type).sort()).toEqual(["object.stored", "parts.recorded", "session.completed", "session.created"]);
    }
  });

  it("items over MAX_ACTIVE_UPLOADS_PER_USER get their own 429 with retryAfter; the others start", async () => {
    const { caller, token } = freshEditor("batch-active");
    const items = Array.from({ length: 8 }, (_, n) => ({ datasetId: "test-dataset", fileName: `active-${n}.csv`, size: 100, contentType: "" }));
    const res = await post(createBatch, "/api/uploads/batch", token, { uploads: items });
    expect(res.status).toBe(200);
    const results = res.body.results as Array<{ upload: UploadSession } | ItemError>;
    expect(results.slice(0, 6).every((r) => "upload" in r)).toBe(true);
    for (const r of results.slice(6)) expect(r).toMatchObject({ status: 429, retryAfter: 2, error: { code: "too_many_active_uploads" } });
    expect(await getDb().uploadSession.count({ where: { user: { ckanId: caller.id } } })).toBe(6);
  });

  it("whole-request errors stay whole: 401 for a token CKAN refuses, 400 for a body of the wrong shape or over 100 items", async () => {
    const anonymous = await post(createBatch, "/api/uploads/batch", "not-a-token", { uploads: [{ datasetId: "test-dataset", fileName: "a.csv", size: 1 }] });
    expect(anonymous.status).toBe(401);
    expect((await post(createBatch, "/api/uploads/batch", DEMO_TOKENS.editor_user, { uploads: [] })).status).toBe(400);
    const tooMany = await post(completeBatch, "/api/uploads/batch/complete", DEMO_TOKENS.editor_user, { uploads: Array.from({ length: 101 }, () => ({ sessionId: "x" })) });
    expect(tooMany).toMatchObject({ status: 400, body: { error: { code: "validation_failed" } } });
  });

  it("a draft dataset is made active once for a batch of completions: one package_patch, one dataset.activated event", async () => {
    const { token } = freshEditor("draft-batch");
    const name = `draft-batch-${Date.now()}`;
    const id = env.ckan.state.addDataset({ name, title: "Draft Batch", owner_org: "test-org", state: "draft", creator: "editor_user" }).id;
    const files = [0, 1, 2].map((n) => testBytes(8 * KiB, 70 + n));
    const started = await post(createBatch, "/api/uploads/batch", token, { uploads: files.map((b, n) => ({ datasetId: name, fileName: `draft-${n}.csv`, size: b.length, contentType: "text/csv" })) });
    expect(started.status).toBe(200);
    const uploads = started.body.results.map((r: { upload: UploadSession }) => r.upload);
    const parts = await Promise.all(uploads.map((u: UploadSession, n: number) => sendPart(u, files[n])));
    const patchesBefore = env.ckan.state.calls.filter((c) => c.action === "package_patch" && c.params.id === id).length;
    const done = await post(completeBatch, "/api/uploads/batch/complete", token, { uploads: uploads.map((u: UploadSession, n: number) => ({ sessionId: u.sessionId, sha256: sha256(files[n]), parts: [parts[n]] })) });
    expect(done.status).toBe(200);
    expect(done.body.results.map((r: { session?: { status: string } }) => r.session?.status)).toEqual(["completed", "completed", "completed"]);
    expect(env.ckan.state.getDataset(name)!.state).toBe("active");
    expect(env.ckan.state.calls.filter((c) => c.action === "package_patch" && c.params.id === id).length - patchesBefore).toBe(1);
    expect(await getDb().auditEvent.count({ where: { type: "dataset.activated", sessionId: { in: uploads.map((u: UploadSession) => u.sessionId) } } })).toBe(1);
  });

  it("a batch costs fewer database statements per file than single starts and completions", async () => {
    const N = 6;
    const files = Array.from({ length: N }, (_, n) => testBytes(4 * KiB, 60 + n));
    const ctx = { ip: null, userAgent: "vitest" };

    const single = freshEditor("cost-single");
    const s0 = await counters();
    for (const [n, b] of files.entries()) {
      const u = await createUpload(single.caller, { datasetId: "test-dataset", fileName: `single-${n}.csv`, size: b.length, contentType: "" }, ctx);
      const part = await sendPart(u, b);
      expect((await completeUpload(single.caller, u.sessionId, { parts: [part] })).status).toBe("completed");
    }
    const s1 = await counters();

    const batch = freshEditor("cost-batch");
    const b0 = await counters();
    const created = await post(createBatch, "/api/uploads/batch", batch.token, { uploads: files.map((b, n) => ({ datasetId: "test-dataset", fileName: `batched-${n}.csv`, size: b.length, contentType: "" })) });
    const uploads = (created.body.results as Array<{ upload: UploadSession }>).map((r) => r.upload);
    const parts = await Promise.all(uploads.map((u, n) => sendPart(u, files[n])));
    const done = await post(completeBatch, "/api/uploads/batch/complete", batch.token, { uploads: uploads.map((u, n) => ({ sessionId: u.sessionId, parts: [parts[n]] })) });
    expect(done.body.results.map((r: { session: { status: string } }) => r.session.status)).toEqual(files.map(() => "completed"));
    const b1 = await counters();

    const singlePerFile = (s1.db - s0.db) / N;
    const batchPerFile = (b1.db - b0.db) / N;
    console.log(`statements per file: single ${singlePerFile.toFixed(1)}, batch ${batchPerFile.toFixed(1)}; CKAN calls per file: single ${((s1.ckan - s0.ckan) / N).toFixed(1)}, batch ${((b1.ckan - b0.ckan) / N).toFixed(1)}`);
    expect(batchPerFile).toBeLessThan(singlePerFile);
    // Set-based: a batch's statements no longer grow with its items (≈ 23 for 6 files: 3.8 per file; one
    // Prisma model query or more per item before, 15.7 per file). Headroom for a Dataset row refreshed meanwhile.
    expect(batchPerFile).toBeLessThanOrEqual(4);
    expect((b1.ckan - b0.ckan) / N).toBeLessThan((s1.ckan - s0.ckan) / N);
  });

  it("set-based completions keep each item's outcome: a bad part, a session claimed elsewhere, a cancelled one and a repeated id beside good ones", async () => {
    const { caller, token } = freshEditor("batch-mixed");
    const files = Array.from({ length: 5 }, (_, n) => testBytes(8 * KiB, 90 + n));
    const started = await post(createBatch, "/api/uploads/batch", token, { uploads: files.map((b, n) => ({ datasetId: "test-dataset", fileName: `mixed-${n}.csv`, size: b.length, contentType: "text/csv" })) });
    const [good1, good2, badPart, claimed, cancelled] = (started.body.results as Array<{ upload: UploadSession }>).map((r) => r.upload);
    const parts = await Promise.all([good1, good2, badPart, claimed, cancelled].map((u, n) => sendPart(u, files[n])));
    // Another request holds the completion claim of `claimed`; `cancelled` was cancelled.
    await getDb().uploadSession.update({ where: { id: claimed.sessionId }, data: { status: "COMPLETING" } });
    await getDb().uploadSession.update({ where: { id: cancelled.sessionId }, data: { status: "ABORTED" } });
    const done = await post(completeBatch, "/api/uploads/batch/complete", token, {
      uploads: [
        { sessionId: good1.sessionId, sha256: sha256(files[0]), parts: [parts[0]] },
        { sessionId: badPart.sessionId, parts: [{ ...parts[2], size: parts[2].size - 1 }] },
        { sessionId: claimed.sessionId, parts: [parts[3]] },
        { sessionId: cancelled.sessionId, parts: [parts[4]] },
        { sessionId: good2.sessionId, sha256: sha256(files[1]), parts: [parts[1]] },
        { sessionId: good1.sessionId, parts: [parts[0]] },
      ],
    });
    expect(done.status).toBe(200);
    const r = done.body.results;
    expect(r[0].session).toMatchObject({ sessionId: good1.sessionId, status: "completed" });
    expect(r[4].session).toMatchObject({ sessionId: good2.sessionId, status: "completed" });
    expect(r[1]).toMatchObject({ status: 400, error: { code: "validation_failed", message: `Part 1 is ${parts[2].size - 1} bytes; it must be ${parts[2].size} bytes.` } });
    expect(r[2]).toMatchObject({ status: 409, error: { code: "conflict", message: "This upload is being completed by another request; try again in a moment." } });
    expect(r[3]).toMatchObject({ status: 409, error: { code: "conflict", message: "Cannot complete: the upload is aborted." } });
    expect(r[5]).toMatchObject({ status: 409, error: { code: "conflict", message: "This upload is being completed by another request; try again in a moment." } });
    // The good ones: stored, registered, their rows and events; each once (the repeated id made no second resource).
    for (const [n, u] of [good1, good2].entries()) {
      const s = await getDb().uploadSession.findUniqueOrThrow({ where: { id: u.sessionId }, include: { parts: true } });
      expect(s).toMatchObject({ status: "COMPLETED", sha256: sha256(files[n]), bytesConfirmed: BigInt(files[n].length), errorCode: null });
      expect(s.etag).not.toBeNull();
      expect(s.parts.map((p) => p.etag)).toEqual([parts[n].etag]);
      expect(env.ckan.state.getResource(s.resourceId ?? "")?.resource.hash).toBe(`sha256:${sha256(files[n])}`);
      const audit = await getDb().auditEvent.findMany({ where: { sessionId: u.sessionId }, select: { type: true } });
      expect(audit.map((e) => e.type).sort()).toEqual(["object.stored", "parts.recorded", "session.completed", "session.created"]);
    }
    // The refused ones: nothing recorded for them, their status as it was, no event beyond their start.
    for (const [u, status] of [[badPart, "CREATED"], [claimed, "COMPLETING"], [cancelled, "ABORTED"]] as const) {
      const s = await getDb().uploadSession.findUniqueOrThrow({ where: { id: u.sessionId }, include: { parts: true } });
      expect([s.status, s.parts.length, s.resourceId]).toEqual([status, 0, null]);
      expect((await getDb().auditEvent.findMany({ where: { sessionId: u.sessionId } })).map((e) => e.type)).toEqual(["session.created"]);
    }
    expect(await getDb().uploadSession.count({ where: { user: { ckanId: caller.id }, status: "COMPLETED" } })).toBe(2);
  });

  it("records 40 sessions × 1,000 parts together in statements both databases accept (each binds under SQLite's 32,766 parameters)", async () => {
    const { caller, token } = freshEditor("batch-many-parts");
    const started = await post(createBatch, "/api/uploads/batch", token, { uploads: [{ datasetId: "test-dataset", fileName: "seed.csv", size: 1000, contentType: "" }] });
    const seed = await getDb().uploadSession.findUniqueOrThrow({ where: { id: started.body.results[0].upload.sessionId } });
    const ids = Array.from({ length: 40 }, () => randomUUID());
    const { id: _id, key, ...fields } = seed;
    await getDb().uploadSession.createMany({ data: ids.map((id) => ({ ...fields, id, key: `${key}-${id}`, size: 1000n, partSize: 1n, partCount: 1000 })) });
    const parts = Array.from({ length: 1000 }, (_, i) => ({ partNumber: i + 1, size: 1, etag: `"e${i}"` }));
    const confirmed = await getDb().$transaction((tx) => recordPartsOf(tx, ids.map((sessionId) => ({ sessionId, userId: seed.userId, actorName: caller.name, parts }))), { timeout: 120_000 });
    expect(confirmed).toEqual(ids.map(() => 1000n));
    expect(await getDb().uploadPart.count({ where: { sessionId: { in: ids } } })).toBe(40_000);
    expect(await getDb().uploadSession.count({ where: { id: { in: ids }, status: "UPLOADING", bytesConfirmed: 1000n } })).toBe(40);
  });

  it("records the parts of many sessions in one compare-and-swap: a session no longer active gets nothing written", async () => {
    const { caller, token } = freshEditor("batch-cas");
    const started = await post(createBatch, "/api/uploads/batch", token, { uploads: [0, 1, 2].map((n) => ({ datasetId: "test-dataset", fileName: `cas-${n}.csv`, size: 3000, contentType: "" })) });
    const [a, b, c] = (started.body.results as Array<{ upload: UploadSession }>).map((r) => r.upload.sessionId);
    await getDb().uploadSession.update({ where: { id: b }, data: { status: "COMPLETING" } }); // cancelled or claimed after the items were loaded
    const user = await getDb().user.findUniqueOrThrow({ where: { ckanId: caller.id } });
    const part = (etag: string) => ({ partNumber: 1, size: 3000, etag });
    const entries = [a, b, c].map((sessionId, n) => ({ sessionId, userId: user.id, actorName: caller.name, parts: [part(`"e${n}"`)] }));
    // `c` already has its part from an earlier report: re-sent, it replaces that row and is counted once.
    await getDb().$transaction((tx) => recordPartsOf(tx, [entries[2]]));
    expect(await getDb().$transaction((tx) => recordPartsOf(tx, [entries[0], entries[1], { ...entries[2], parts: [part('"e2b"')] }]))).toEqual([3000n, null, 3000n]);
    const rows = await getDb().uploadSession.findMany({ where: { id: { in: [a, b, c] } }, include: { parts: true } });
    const byId = new Map(rows.map((s) => [s.id, s]));
    expect([byId.get(a)!.status, byId.get(a)!.bytesConfirmed, byId.get(a)!.parts.map((p) => p.etag)]).toEqual(["UPLOADING", 3000n, ['"e0"']]);
    expect([byId.get(b)!.status, byId.get(b)!.bytesConfirmed, byId.get(b)!.parts.length]).toEqual(["COMPLETING", 0n, 0]);
    expect([byId.get(c)!.bytesConfirmed, byId.get(c)!.parts.map((p) => p.etag)]).toEqual([3000n, ['"e2b"']]);
    const events = await getDb().auditEvent.findMany({ where: { sessionId: { in: [a, b, c] }, type: "parts.recorded" } });
    expect(events.map((e) => `${e.sessionId} ${JSON.parse(e.detail).bytesConfirmed}`).sort()).toEqual([`${a} 3000`, `${c} 3000`, `${c} 3000`].sort());
  });
});
