/**
 * The whole upload flow through the service layer, against real peers: Ceph RGW (S3 + STS), the demo
 * CKAN server and SQLite. Bytes go to RGW with the temporary STS credentials, exactly as the browser sends them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ListPartsCommand } from "@aws-sdk/client-s3";
import { ApiError } from "@/lib/api/errors";
import { getDb } from "@/lib/db";
import { abortUpload } from "@/lib/uploads/abort";
import { completeUpload } from "@/lib/uploads/complete";
import { createUpload } from "@/lib/uploads/create";
import { recordParts } from "@/lib/uploads/parts";
import { callerFor, startIntegrationEnv, type DemoCkan } from "./support/env";
import { getObjectBytes, listMultipartUploads, portalS3, sha256, tempS3, testBytes, uploadAllParts } from "./support/s3";
import { expectApiError } from "./support/errors";

const MiB = 1024 * 1024;
const ctx = { ip: "203.0.113.7", userAgent: "vitest" };
let env: Awaited<ReturnType<typeof startIntegrationEnv>>;
let ckan: DemoCkan;

beforeAll(async () => {
  env = await startIntegrationEnv();
  ckan = env.ckan;
});
afterAll(async () => env?.close());

/** Uploads `bytes` as `fileName` to `dataset` as `user`, all the way to completion. */
async function uploadFile(user: string, dataset: string, fileName: string, bytes: Uint8Array) {
  const caller = callerFor(ckan, user);
  const created = await createUpload(caller, { datasetId: dataset, fileName, size: bytes.length, contentType: "", lastModified: 1_700_000_000_000 }, ctx);
  const parts = created.partCount > 0 ? await uploadAllParts(tempS3(created.credentials!), created, bytes) : [];
  if (parts.length) await recordParts(caller, created.sessionId, parts);
  const done = await completeUpload(caller, created.sessionId, { sha256: sha256(bytes) });
  return { caller, created, done };
}

describe("upload flow (sts mode, RGW, demo CKAN, SQLite)", () => {
  it("stores a 12 MiB + 1 B file byte-identical, registers the CKAN resource and writes the audit trail", async () => {
    const bytes = testBytes(12 * MiB + 1, 7);
    const { created, done } = await uploadFile("editor_user", "test-dataset", "report & notes #1?.csv", bytes);

    expect(created.mode).toBe("sts");
    expect(created.partCount).toBe(3);
    expect(created.partSize).toBe(5 * MiB);
    expect(created.key).toMatch(new RegExp(`^uploads/test-org/test-dataset/${created.sessionId}/report_notes_1_\\.csv$`));
    expect(new Date(created.credentials!.expiration).getTime()).toBeGreaterThan(Date.now() + 10 * 60_000);

    const stored = await getObjectBytes(created.key);
    expect(sha256(stored.bytes)).toBe(sha256(bytes));
    expect(stored.metadata).toMatchObject({
      "ckan-site": process.env.CKAN_URL,
      "ckan-user": "editor_user",
      "upload-session": created.sessionId,
    });
    expect(stored.metadata["ckan-package-id"]).toBe(ckan.state.getDataset("test-dataset")!.id);
    expect(stored.contentType).toBe("text/csv");

    expect(done.status).toBe("completed");
    const res = ckan.state.getResource(done.resourceId!)!.resource as Record<string, unknown>;
    expect(res).toMatchObject({ name: "report & notes #1?.csv", size: bytes.length, mimetype: "text/csv", format: "CSV", hash: `sha256:${sha256(bytes)}` });
    // No S3_PUBLIC_BASE_URL: the portal's /download/ redirect, never the raw (private, 403) object URL.
    expect(res.url).toBe(`http://portal.test:3000/download/${created.sessionId}/${encodeURIComponent("report & notes #1?.csv")}`);
    expect(res.url_type ?? null).toBeNull();
    expect(done.ckanResourceUrl).toBe(`${process.env.CKAN_URL}/dataset/test-dataset/resource/${done.resourceId}`);

    const row = await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId }, include: { parts: true, user: true, dataset: true } });
    expect(row).toMatchObject({ status: "COMPLETED", size: BigInt(bytes.length), bytesConfirmed: BigInt(bytes.length), resourceId: done.resourceId, clientIp: "203.0.113.0", sha256: sha256(bytes) });
    expect(row.parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
    expect(row.user.name).toBe("editor_user");
    expect(row.dataset.organizationName).toBe("test-org");
    const events = await getDb().auditEvent.findMany({ where: { sessionId: created.sessionId }, orderBy: { createdAt: "asc" } });
    expect(events.map((e) => e.type)).toEqual(["session.created", "credentials.granted", "parts.recorded", "object.stored", "session.completed"]);
    const grant = JSON.parse(events[1].detail);
    expect(grant.accessKeyId).toBe(created.credentials!.accessKeyId);
    expect(events.map((e) => e.detail).join("")).not.toContain(created.credentials!.secretAccessKey);
    expect(events.map((e) => e.detail).join("")).not.toContain(created.credentials!.sessionToken);
  });

  it("a session's audit trail reads in order: session.created before credentials.granted, though one statement writes both", async () => {
    const caller = callerFor(ckan, "editor_user");
    for (let n = 0; n < 6; n++) {
      const created = await createUpload(caller, { datasetId: "test-dataset", fileName: `order-${n}.csv`, size: 100, contentType: "" }, ctx);
      // Ordered as the admin timeline and the audit export read a trail: by time, then id.
      const trail = await getDb().auditEvent.findMany({ where: { sessionId: created.sessionId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { type: true } });
      expect(trail.map((e) => e.type)).toEqual(["session.created", "credentials.granted"]);
    }
  });

  it("complete is idempotent: a second call returns the same resource and creates nothing", async () => {
    const bytes = testBytes(1024, 3);
    const { caller, created, done } = await uploadFile("editor_user", "test-dataset", "twice.bin", bytes);
    const before = ckan.state.getDataset("test-dataset")!.resources.length;
    const again = await completeUpload(caller, created.sessionId, {});
    expect(again.resourceId).toBe(done.resourceId);
    expect(ckan.state.getDataset("test-dataset")!.resources.length).toBe(before);
  });

  it("uploads names in any script, and the same name twice gives two objects (CASES 6, 7)", async () => {
    const a = await uploadFile("editor_user", "test-dataset", "日本語データ.csv", testBytes(10, 1));
    const b = await uploadFile("editor_user", "test-dataset", "日本語データ.csv", testBytes(20, 2));
    expect(a.created.key).toMatch(/\/日本語データ\.csv$/);
    expect(a.created.key).not.toBe(b.created.key);
    expect((await getObjectBytes(a.created.key)).bytes.length).toBe(10);
    expect((await getObjectBytes(b.created.key)).bytes.length).toBe(20);
    expect(ckan.state.getResource(a.done.resourceId!)!.resource.name).toBe("日本語データ.csv");
  });

  it("stores a 0-byte file without a multipart upload (CASES 1)", async () => {
    const { created, done } = await uploadFile("editor_user", "test-dataset", "empty.txt", new Uint8Array(0));
    expect(created.partCount).toBe(0);
    expect(created.uploadId).toBeNull();
    expect((await getObjectBytes(created.key)).bytes.length).toBe(0);
    expect(ckan.state.getResource(done.resourceId!)!.resource.size).toBe(0);
  });

  it("refuses a user who may not edit the dataset before any multipart upload exists (CASES 23)", async () => {
    const prefix = "uploads/test-org/test-dataset/";
    const uploadsBefore = (await listMultipartUploads(prefix)).length;
    const sessionsBefore = await getDb().uploadSession.count();
    await expectApiError(createUpload(callerFor(ckan, "plain_user"), { datasetId: "test-dataset", fileName: "x.bin", size: 10, contentType: "" }, ctx), "forbidden");
    // A collaborator with capacity "member" may see the private dataset but not edit it.
    await expectApiError(createUpload(callerFor(ckan, "plain_user"), { datasetId: "private-dataset", fileName: "x.bin", size: 10, contentType: "" }, ctx), "forbidden");
    expect((await listMultipartUploads(prefix)).length).toBe(uploadsBefore);
    expect(await getDb().uploadSession.count()).toBe(sessionsBefore);
  });

  it("answers 404 for unknown datasets and for private datasets the caller cannot see", async () => {
    await expectApiError(createUpload(callerFor(ckan, "editor_user"), { datasetId: "no-such-dataset", fileName: "x", size: 1, contentType: "" }, ctx), "not_found");
    const token = ckan.state.addUser({ name: `outsider-${Date.now()}` });
    const outsider = callerFor(ckan, ckan.state.userForToken(token)!.name, token);
    await expectApiError(createUpload(outsider, { datasetId: "private-dataset", fileName: "x", size: 1, contentType: "" }, ctx), "not_found");
  });

  it("refuses a file over MAX_UPLOAD_BYTES with 413 and a message that states the limit", async () => {
    const err = await expectApiError(createUpload(callerFor(ckan, "editor_user"), { datasetId: "test-dataset", fileName: "huge", size: 10_000 * 5 * 1024 ** 3 + 1, contentType: "" }, ctx), "too_large");
    expect(err.message).toMatch(/48\.8 TiB/);
  });

  it("keeps the stored object when CKAN fails, and a retry registers it without re-uploading (CASES 13)", async () => {
    const caller = callerFor(ckan, "editor_user");
    const bytes = testBytes(3000, 9);
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "late.csv", size: bytes.length, contentType: "text/csv" }, ctx);
    await recordParts(caller, created.sessionId, await uploadAllParts(tempS3(created.credentials!), created, bytes));
    ckan.state.failNext("resource_create", 500);
    await expectApiError(completeUpload(caller, created.sessionId, {}), "ckan_failed");
    const mid = await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId } });
    expect(mid.status).toBe("UPLOADED");
    expect(mid.errorCode).toBe("ckan_failed");
    expect(sha256((await getObjectBytes(created.key)).bytes)).toBe(sha256(bytes));

    const done = await completeUpload(caller, created.sessionId, {});
    expect(done.status).toBe("completed");
    expect(ckan.state.getResource(done.resourceId!)).toBeDefined();
    const types = (await getDb().auditEvent.findMany({ where: { sessionId: created.sessionId }, orderBy: { createdAt: "asc" } })).map((e) => e.type);
    expect(types).toEqual(["session.created", "credentials.granted", "parts.recorded", "object.stored", "registration.failed", "session.completed"]);
  });

  it("refuses to complete while parts are missing, and keeps the upload", async () => {
    const caller = callerFor(ckan, "editor_user");
    const bytes = testBytes(6 * MiB, 5);
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "half.bin", size: bytes.length, contentType: "" }, ctx);
    const parts = await uploadAllParts(tempS3(created.credentials!), created, bytes);
    await recordParts(caller, created.sessionId, [parts[0]]);
    const err = await expectApiError(completeUpload(caller, created.sessionId, {}), "conflict");
    expect(err.message).toMatch(/part 2 has not been uploaded/);
    await recordParts(caller, created.sessionId, [parts[1]]);
    expect((await completeUpload(caller, created.sessionId, {})).status).toBe("completed");
  });

  it("rejects a recorded part whose size does not match the plan", async () => {
    const caller = callerFor(ckan, "editor_user");
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "p.bin", size: 6 * MiB, contentType: "" }, ctx);
    await expectApiError(recordParts(caller, created.sessionId, [{ partNumber: 1, size: 100, etag: '"x"' }]), "validation_failed");
    await expectApiError(recordParts(caller, created.sessionId, [{ partNumber: 3, size: MiB, etag: '"x"' }]), "validation_failed");
    await abortUpload(caller, created.sessionId);
  });

  it("cancel aborts the multipart upload in S3 and marks the session aborted (CASES 17)", async () => {
    const caller = callerFor(ckan, "editor_user");
    const bytes = testBytes(6 * MiB, 11);
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "cancel-me.bin", size: bytes.length, contentType: "" }, ctx);
    const parts = await uploadAllParts(tempS3(created.credentials!), created, bytes);
    await recordParts(caller, created.sessionId, parts);
    const view = await abortUpload(caller, created.sessionId);
    expect(view.status).toBe("aborted");
    const listed = await portalS3()
      .send(new ListPartsCommand({ Bucket: created.bucket, Key: created.key, UploadId: created.uploadId! }))
      .then(() => "exists", (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode);
    expect(listed).toBe(404);
    expect((await listMultipartUploads(created.key)).length).toBe(0);
    const row = await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId } });
    expect(row.status).toBe("ABORTED");
    await expectApiError(completeUpload(caller, created.sessionId, {}), "conflict");
  });

  it("lets only the owner act on a session", async () => {
    const owner = callerFor(ckan, "editor_user");
    const created = await createUpload(owner, { datasetId: "test-dataset", fileName: "mine.bin", size: 10, contentType: "" }, ctx);
    await expectApiError(abortUpload(callerFor(ckan, "plain_user"), created.sessionId), "forbidden");
    await expectApiError(abortUpload(owner, "00000000-0000-0000-0000-000000000000"), "not_found");
    await abortUpload(owner, created.sessionId);
  });

  it("creates exactly one CKAN resource when completions race", async () => {
    const caller = callerFor(ckan, "editor_user");
    const bytes = testBytes(100, 21);
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "race.bin", size: bytes.length, contentType: "" }, ctx);
    await recordParts(caller, created.sessionId, await uploadAllParts(tempS3(created.credentials!), created, bytes));
    const before = ckan.state.getDataset("test-dataset")!.resources.length;
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => completeUpload(caller, created.sessionId, {})));
    const ok = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof completeUpload>>> => r.status === "fulfilled");
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of results) if (r.status === "rejected") expect((r.reason as ApiError).code).toBe("conflict");
    expect(new Set(ok.map((r) => r.value.resourceId)).size).toBe(1);
    expect(ckan.state.getDataset("test-dataset")!.resources.length).toBe(before + 1);
    const completed = await getDb().auditEvent.count({ where: { sessionId: created.sessionId, type: "session.completed" } });
    expect(completed).toBe(1);
  });

  it("takes over a completion that died (a stale COMPLETING claim), and cancel works on it too", async () => {
    const caller = callerFor(ckan, "editor_user");
    const bytes = testBytes(200, 22);
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "crashed.bin", size: bytes.length, contentType: "" }, ctx);
    await recordParts(caller, created.sessionId, await uploadAllParts(tempS3(created.credentials!), created, bytes));
    const db = getDb();
    await db.uploadSession.update({ where: { id: created.sessionId }, data: { status: "COMPLETING" } });
    await expectApiError(completeUpload(caller, created.sessionId, {}), "conflict");
    await expectApiError(abortUpload(caller, created.sessionId), "conflict");
    // As if the request holding the claim died 16 minutes ago (Prisma keeps an explicit updatedAt).
    await db.uploadSession.update({ where: { id: created.sessionId }, data: { updatedAt: new Date(Date.now() - 16 * 60_000) } });
    const done = await completeUpload(caller, created.sessionId, {});
    expect(done.status).toBe("completed");
    expect(sha256((await getObjectBytes(created.key)).bytes)).toBe(sha256(bytes));
  });

  it("never lets a late part report undo a cancel", async () => {
    const caller = callerFor(ckan, "editor_user");
    const bytes = testBytes(6 * MiB, 23);
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "late-report.bin", size: bytes.length, contentType: "" }, ctx);
    const parts = await uploadAllParts(tempS3(created.credentials!), created, bytes);
    await abortUpload(caller, created.sessionId);
    await expectApiError(recordParts(caller, created.sessionId, parts), "conflict");
    const row = await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId }, include: { parts: true } });
    expect(row.status).toBe("ABORTED");
    expect(row.parts).toHaveLength(0);
  });

  it("keeps a failed upload resumable: parts can be recorded again and it completes", async () => {
    const caller = callerFor(ckan, "editor_user");
    const bytes = testBytes(6 * MiB, 24);
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "resumable.bin", size: bytes.length, contentType: "" }, ctx);
    const parts = await uploadAllParts(tempS3(created.credentials!), created, bytes);
    await getDb().uploadSession.update({ where: { id: created.sessionId }, data: { status: "FAILED", errorCode: "network", errorMessage: "lost" } });
    await recordParts(caller, created.sessionId, parts);
    const mid = await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId } });
    expect(mid).toMatchObject({ status: "UPLOADING", errorCode: null });
    expect((await completeUpload(caller, created.sessionId, {})).status).toBe("completed");
  });
});

