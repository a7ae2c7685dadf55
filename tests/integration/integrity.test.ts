/**
 * Post-completion integrity (CASES 38), on Ceph RGW with the demo CKAN: after completion the upload's
 * still-valid STS credential can replace the object (RGW, like AWS, allows PutObject on the key: the
 * session policy cannot tell UploadPart from PutObject). The portal detects it — at the next download
 * and at the next sweep — writes an `object.integrity_failed` audit event, flags the session for
 * admins, and never serves the new bytes. In a versioned bucket the uploaded bytes stay available as
 * the version recorded at completion, and downloads name that version.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateBucketCommand, GetObjectCommand, PutBucketVersioningCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { ApiError } from "@/lib/api/errors";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { decideDownload } from "@/lib/downloads/download";
import { parseUploadFilter } from "@/lib/admin/filters";
import { listUploadPage } from "@/lib/admin/uploads";
import { completeUpload } from "@/lib/uploads/complete";
import { createUpload } from "@/lib/uploads/create";
import { expectedMultipartEtag } from "@/lib/uploads/integrity";
import { recordParts } from "@/lib/uploads/parts";
import { sweepStaleUploads } from "@/lib/uploads/sweep";
import { callerFor, startIntegrationEnv, type DemoCkan } from "./support/env";
import { portalS3, sha256, tempS3, testBytes, uploadAllParts } from "./support/s3";

const MiB = 1024 * 1024;
let env: Awaited<ReturnType<typeof startIntegrationEnv>>;
let ckan: DemoCkan;

beforeAll(async () => {
  env = await startIntegrationEnv({ NEXTAUTH_URL: "http://portal.test:3000" });
  ckan = env.ckan;
});
afterAll(async () => env?.close());

/** A completed two-part upload by editor_user; returns the parts' ETags and the still-valid credential's client. */
async function completedUpload(fileName: string, seed: number) {
  const caller = callerFor(ckan, "editor_user");
  const bytes = testBytes(6 * MiB, seed);
  const created = await createUpload(caller, { datasetId: "test-dataset", fileName, size: bytes.length, contentType: "" }, { ip: null, userAgent: null });
  const userS3 = tempS3(created.credentials!);
  const parts = await uploadAllParts(userS3, created, bytes);
  await recordParts(caller, created.sessionId, parts);
  const done = await completeUpload(caller, created.sessionId, {});
  return { caller, bytes, created, parts, userS3, done };
}

async function row(id: string) {
  return getDb().uploadSession.findUniqueOrThrow({ where: { id } });
}

async function followDownload(d: Awaited<ReturnType<typeof decideDownload>>) {
  if (d.kind !== "redirect") throw new Error(`expected a redirect, got ${d.kind}`);
  const res = await fetch(d.url);
  return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()), url: new URL(d.url) };
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; status: number; message: string } | null> {
  return p.then(
    () => null,
    (e: unknown) => {
      if (!(e instanceof ApiError)) throw e;
      return { code: e.code, status: e.status, message: e.message };
    },
  );
}

/** Overwrites the object with the user's own, still-valid STS credential. @returns the HTTP status. */
async function overwrite(userS3: ReturnType<typeof tempS3>, bucket: string, key: string, body: Uint8Array): Promise<number> {
  return userS3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length })).then(
    (out) => out.$metadata.httpStatusCode ?? 0,
    (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode ?? 0,
  );
}

describe("at completion", () => {
  it("records the stored object's fingerprint: the multipart ETag the parts make, size and Last-Modified", async () => {
    const { created, parts } = await completedUpload("fingerprint.bin", 1);
    const r = await row(created.sessionId);
    expect(r.status).toBe("COMPLETED");
    expect(r.etag).toBe(expectedMultipartEtag(parts.map((p) => p.etag)));
    expect(r.etag).toMatch(/^[0-9a-f]{32}-2$/);
    expect(r.storedLastModified).toBeInstanceOf(Date);
    expect(r.integrityFailedAt).toBeNull();
    expect(r.storedVersionId).toBeNull(); // the default test bucket is not versioned
  });
});

describe("an overwrite with the upload's still-valid credential after completion", () => {
  it("is detected at the next download: refused with 409 object_changed, audited once, flagged for admins, never served", async () => {
    const { created, userS3, bytes } = await completedUpload("overwritten.csv", 2);
    const editor = callerFor(ckan, "editor_user");
    const before = await followDownload(await decideDownload(editor, created.sessionId, "overwritten.csv"));
    expect(sha256(before.bytes)).toBe(sha256(bytes));

    const evil = new TextEncoder().encode("not the uploaded bytes");
    // RGW accepts the write (the session policy allows s3:PutObject on the key, as AWS would): the portal must detect it.
    expect(await overwrite(userS3, created.bucket, created.key, evil)).toBe(200);

    for (const caller of [editor, null]) {
      const refused = await refusal(decideDownload(caller, created.sessionId, "overwritten.csv"));
      expect(refused).toMatchObject({ code: "object_changed", status: 409 });
      expect(refused!.message).toMatch(/cannot be downloaded: the object was replaced after completion: size 6291456 → 22 bytes; ETag .*an administrator has been notified/);
    }
    const r = await row(created.sessionId);
    expect(r.integrityFailedAt).toBeInstanceOf(Date);
    expect(r.integrityProblem).toMatch(/^the object was replaced after completion: size 6291456 → 22 bytes; ETag [0-9a-f]{32}-2 → [0-9a-f]{32}/);
    const events = await getDb().auditEvent.findMany({ where: { sessionId: created.sessionId, type: "object.integrity_failed" } });
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0].detail)).toMatchObject({ detectedBy: "download", key: created.key, current: { size: 22 }, recorded: { size: 6 * MiB } });
    const downloads = await getDb().auditEvent.count({ where: { sessionId: created.sessionId, type: "object.downloaded" } });
    expect(downloads).toBe(1); // only the download before the overwrite

    // Admin-visible: the flag is on the row and the "changed after completion" filter finds exactly the flagged sessions.
    const flagged = await listUploadPage(parseUploadFilter({ integrity: "changed" }).filter);
    expect(flagged.rows.map((x) => x.id)).toContain(created.sessionId);
    expect(flagged.rows.every((x) => x.integrityProblem !== null)).toBe(true);
  });

  it("is detected by the sweeper without any download, and an unchanged object is left unflagged", async () => {
    const changed = await completedUpload("swept-changed.bin", 3);
    const intact = await completedUpload("swept-intact.bin", 4);
    // Same size, other bytes: only the ETag (and Last-Modified) can tell.
    expect(await overwrite(changed.userS3, changed.created.bucket, changed.created.key, testBytes(6 * MiB, 99))).toBe(200);

    const result = await sweepStaleUploads({ staleHours: 72 });
    expect(result.integrity.flagged).toContain(changed.created.sessionId);
    expect(result.integrity.flagged).not.toContain(intact.created.sessionId);
    expect(result.integrity.failed).toEqual([]);

    const c = await row(changed.created.sessionId);
    expect(c.integrityProblem).toMatch(/ETag [0-9a-f]{32}-2 → [0-9a-f]{32}(;|$)/);
    expect(c.integrityProblem).not.toMatch(/size/);
    const ev = await getDb().auditEvent.findFirstOrThrow({ where: { sessionId: changed.created.sessionId, type: "object.integrity_failed" } });
    expect(ev.actorName).toBe("sweeper");
    expect(JSON.parse(ev.detail).detectedBy).toBe("sweeper");

    const i = await row(intact.created.sessionId);
    expect(i.integrityFailedAt).toBeNull();
    expect(i.integrityCheckedAt!.getTime()).toBeGreaterThan(i.completedAt!.getTime() - 1);
    const got = await followDownload(await decideDownload(callerFor(ckan, "editor_user"), intact.created.sessionId, "swept-intact.bin"));
    expect(sha256(got.bytes)).toBe(sha256(intact.bytes));
    expect(await refusal(decideDownload(null, changed.created.sessionId, "swept-changed.bin"))).toMatchObject({ code: "object_changed" });
  });

  it("a session completed before fingerprints were recorded gets one at its first check (same size), and is checked from then on", async () => {
    const { created, userS3, bytes } = await completedUpload("legacy.bin", 5);
    const recorded = await row(created.sessionId);
    await getDb().uploadSession.update({ where: { id: created.sessionId }, data: { etag: null, storedLastModified: null, integrityCheckedAt: null } });
    const got = await followDownload(await decideDownload(null, created.sessionId, "legacy.bin"));
    expect(sha256(got.bytes)).toBe(sha256(bytes));
    expect((await row(created.sessionId)).etag).toBe(recorded.etag);
    expect(await overwrite(userS3, created.bucket, created.key, new Uint8Array(10))).toBe(200);
    expect(await refusal(decideDownload(null, created.sessionId, "legacy.bin"))).toMatchObject({ code: "object_changed" });
  });
});

describe("in a versioned bucket", () => {
  const bucket = `ckan-versioned-${Date.now().toString(36)}`;
  beforeAll(async () => {
    await portalS3().send(new CreateBucketCommand({ Bucket: bucket }));
    await portalS3().send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    process.env.S3_BUCKET = bucket;
    resetConfigForTests();
  });
  afterAll(() => {
    process.env.S3_BUCKET = "ckan-uploads";
    resetConfigForTests();
  });

  it("pins the VersionId at completion, downloads name it, and an overwrite is flagged while the uploaded version is kept", async () => {
    const { created, userS3, bytes } = await completedUpload("versioned.bin", 6);
    const r = await row(created.sessionId);
    expect(r.storedVersionId).toEqual(expect.any(String));
    const before = await followDownload(await decideDownload(null, created.sessionId, "versioned.bin"));
    expect(before.url.searchParams.get("versionId")).toBe(r.storedVersionId);
    expect(sha256(before.bytes)).toBe(sha256(bytes));

    expect(await overwrite(userS3, bucket, created.key, testBytes(6 * MiB, 7))).toBe(200);
    // A presigned GET handed out before the overwrite still serves the uploaded bytes (it names the version).
    const stale = await fetch(before.url);
    expect(sha256(new Uint8Array(await stale.arrayBuffer()))).toBe(sha256(bytes));

    expect(await refusal(decideDownload(null, created.sessionId, "versioned.bin"))).toMatchObject({ code: "object_changed" });
    expect((await row(created.sessionId)).integrityProblem).toMatch(/VersionId/);
    const kept = await portalS3().send(new GetObjectCommand({ Bucket: bucket, Key: created.key, VersionId: r.storedVersionId! }));
    expect(sha256(await kept.Body!.transformToByteArray())).toBe(sha256(bytes));
  });
});
