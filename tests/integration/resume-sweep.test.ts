/**
 * Resume after a reload (CASES 14) and the stale-upload sweeper (issue 3, item 9), through the service
 * layer against Ceph RGW, the demo CKAN server and SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ListPartsCommand } from "@aws-sdk/client-s3";
import { ApiError } from "@/lib/api/errors";
import { getDb } from "@/lib/db";
import { abortUpload } from "@/lib/uploads/abort";
import { completeUpload } from "@/lib/uploads/complete";
import { createUpload } from "@/lib/uploads/create";
import { recordParts } from "@/lib/uploads/parts";
import { getUploadForResume } from "@/lib/uploads/resume";
import { sweepStaleUploads } from "@/lib/uploads/sweep";
import { listAllParts } from "@/lib/storage/list-parts";
import { callerFor, startIntegrationEnv, type DemoCkan } from "./support/env";
import { getObjectBytes, listMultipartUploads, portalS3, sha256, tempS3, testBytes, uploadAllParts } from "./support/s3";

const MiB = 1024 * 1024;
const ctx = { ip: null, userAgent: "vitest" };
let env: Awaited<ReturnType<typeof startIntegrationEnv>>;
let ckan: DemoCkan;

beforeAll(async () => {
  env = await startIntegrationEnv({ S3_BROWSER_ENDPOINT: "http://127.0.0.1:4799" });
  ckan = env.ckan;
});
afterAll(async () => env?.close());

async function start(fileName: string, bytes: Uint8Array) {
  const caller = callerFor(ckan, "editor_user");
  const created = await createUpload(caller, { datasetId: "test-dataset", fileName, size: bytes.length, contentType: "", lastModified: 1_700_000_000_000 }, ctx);
  return { caller, created };
}

/** Moves a session and its audit events `hours` into the past (what idleness looks like). */
async function age(sessionId: string, hours: number): Promise<void> {
  const then = new Date(Date.now() - hours * 3600_000);
  const db = getDb();
  await db.auditEvent.updateMany({ where: { sessionId }, data: { createdAt: then } });
  await db.uploadSession.update({ where: { id: sessionId }, data: { updatedAt: then } });
}

describe("resume after a reload (CASES 14)", () => {
  it("answers the recorded parts reconciled with ListParts, the browser endpoint and the fingerprint", async () => {
    const bytes = testBytes(16 * MiB + 3, 21);
    const { caller, created } = await start("resume.bin", bytes);
    expect(created.endpoint).toBe("http://127.0.0.1:4799"); // S3_BROWSER_ENDPOINT: the browser's way to S3
    const parts = await uploadAllParts(tempS3(created.credentials!), created, bytes);
    // Parts 1 and 2 were reported; part 3 reached S3 but the page died before reporting it; part 4 never left.
    await recordParts(caller, created.sessionId, parts.slice(0, 2));
    const view = await getUploadForResume(caller, created.sessionId);
    expect(view).toMatchObject({ sessionId: created.sessionId, status: "uploading", resumable: true, partsSource: "list-parts", uploadId: created.uploadId, key: created.key, partSize: 5 * MiB, partCount: 4, lastModified: 1_700_000_000_000, endpoint: "http://127.0.0.1:4799" });
    expect(view.recordedParts.map((p) => [p.partNumber, p.etag])).toEqual(parts.map((p) => [p.partNumber, p.etag]));
    // The unreported part is now recorded, so completing needs nothing more.
    expect((await getDb().uploadPart.count({ where: { sessionId: created.sessionId } }))).toBe(4);
    const done = await completeUpload(caller, created.sessionId, { sha256: sha256(bytes) });
    expect(done.status).toBe("completed");
    expect(sha256((await getObjectBytes(created.key)).bytes)).toBe(sha256(bytes));
  });

  it("drops a recorded part whose ETag S3 does not hold, so it is sent again", async () => {
    const bytes = testBytes(6 * MiB, 22);
    const { caller, created } = await start("stale-etag.bin", bytes);
    const parts = await uploadAllParts(tempS3(created.credentials!), created, bytes);
    await recordParts(caller, created.sessionId, [{ ...parts[0], etag: '"0000000000000000000000000000dead"' }, parts[1]]);
    const view = await getUploadForResume(caller, created.sessionId);
    expect(view.recordedParts.map((p) => p.partNumber)).toEqual([2]);
    await abortUpload(caller, created.sessionId);
  });

  it("says not resumable once the multipart upload is gone, and refuses other users", async () => {
    const { caller, created } = await start("gone.bin", testBytes(100, 23));
    await expect(getUploadForResume(callerFor(ckan, "plain_user"), created.sessionId)).rejects.toMatchObject({ code: "forbidden" });
    await abortUpload(caller, created.sessionId);
    const view = await getUploadForResume(caller, created.sessionId);
    expect(view).toMatchObject({ status: "aborted", resumable: false, recordedParts: [] });
    await expect(getUploadForResume(caller, "00000000-0000-0000-0000-000000000000")).rejects.toBeInstanceOf(ApiError);
  });

  it("lists more than one page of parts (ListParts pages hold at most 1,000)", async () => {
    // RGW enforces 5 MiB parts, so 1,001 real parts would be 5 GB; the pager is proven with a page size RGW honours.
    const bytes = testBytes(11 * MiB, 24);
    const { caller, created } = await start("pages.bin", bytes);
    await uploadAllParts(tempS3(created.credentials!), created, bytes);
    const s3 = portalS3();
    const first = await s3.send(new ListPartsCommand({ Bucket: created.bucket, Key: created.key, UploadId: created.uploadId!, MaxParts: 2 }));
    expect(first.IsTruncated).toBe(true);
    const all = await listAllParts(s3, { bucket: created.bucket, key: created.key, uploadId: created.uploadId! });
    expect(all.kind === "listed" && all.parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
    await abortUpload(caller, created.sessionId);
  });
});

describe("stale-upload sweeper (item 9)", () => {
  it("aborts idle sessions' multipart uploads, marks them expired with an audit event, and leaves active ones", async () => {
    const idle = await start("idle.bin", testBytes(6 * MiB, 31));
    const idleParts = await uploadAllParts(tempS3(idle.created.credentials!), idle.created, testBytes(6 * MiB, 31));
    await recordParts(idle.caller, idle.created.sessionId, idleParts.slice(0, 1));
    const failed = await start("failed-long-ago.bin", testBytes(6 * MiB, 32));
    await getDb().uploadSession.update({ where: { id: failed.created.sessionId }, data: { status: "FAILED" } });
    const active = await start("active.bin", testBytes(6 * MiB, 33));
    const recent = await start("recent-refresh.bin", testBytes(6 * MiB, 34));
    const uploaded = await start("stored-not-registered.bin", testBytes(100, 35));
    await recordParts(uploaded.caller, uploaded.created.sessionId, await uploadAllParts(tempS3(uploaded.created.credentials!), uploaded.created, testBytes(100, 35)));
    ckan.state.failNext("resource_create", 500);
    await expect(completeUpload(uploaded.caller, uploaded.created.sessionId, {})).rejects.toMatchObject({ code: "ckan_failed" });

    for (const s of [idle, failed, recent, uploaded]) await age(s.created.sessionId, 73);
    // A credential refresh an hour ago is activity, even though the session row is old.
    await getDb().auditEvent.create({ data: { sessionId: recent.created.sessionId, type: "credentials.granted", createdAt: new Date(Date.now() - 3600_000) } });

    const result = await sweepStaleUploads({ staleHours: 72 });
    expect(result.failed).toEqual([]);
    expect(result.expired.sort()).toEqual([idle.created.sessionId, failed.created.sessionId].sort());

    for (const s of [idle, failed]) {
      const row = await getDb().uploadSession.findUniqueOrThrow({ where: { id: s.created.sessionId }, include: { parts: true } });
      expect(row.status).toBe("EXPIRED");
      expect(row.parts).toEqual([]);
      expect((await listMultipartUploads(s.created.key)).length).toBe(0);
      const events = await getDb().auditEvent.findMany({ where: { sessionId: s.created.sessionId, type: "session.expired" } });
      expect(events).toHaveLength(1);
      expect(events[0].actorName).toBe("sweeper");
    }
    for (const s of [active, recent]) {
      expect((await getDb().uploadSession.findUniqueOrThrow({ where: { id: s.created.sessionId } })).status).toBe("CREATED");
      expect((await listMultipartUploads(s.created.key)).length).toBe(1);
    }
    expect((await getDb().uploadSession.findUniqueOrThrow({ where: { id: uploaded.created.sessionId } })).status).toBe("UPLOADED");
    expect((await sweepStaleUploads({ staleHours: 72 })).expired).toEqual([]); // idempotent
    await abortUpload(active.caller, active.created.sessionId);
    await abortUpload(recent.caller, recent.created.sessionId);
  });
});
