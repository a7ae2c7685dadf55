/**
 * Small files go fast (issue 12): a file of one part needs two portal requests. In presigned mode the
 * start's answer carries the part's presigned URL with the part's CRC32C signed in (no `sign` call),
 * and in both modes `complete` takes the unreported parts (no `parts` call). Every guarantee stays: the
 * part row with its checksum, the audit events, the object's bytes in the bucket, the CKAN resource with
 * the whole-file SHA-256, no multipart upload left behind, and a bad part is refused before anything is
 * claimed. Also: `PATCH /api/uploads/{id}/resource` is rate-limited per user like the other routes.
 * Peers: Ceph RGW (S3 + STS), demo CKAN, the selected database.
 */
import { crc32 } from "hash-wasm";
import { NextRequest } from "next/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PATCH } from "@/app/api/uploads/[id]/resource/route";
import { getConfig, resetConfigForTests } from "@/lib/config";
import { getS3Client } from "@/lib/storage/clients";
import { getDb } from "@/lib/db";
import { resetRateLimitsForTests } from "@/lib/security/rate-limit";
import { hexToBase64 } from "@/lib/uploader/checksum";
import { completeUpload } from "@/lib/uploads/complete";
import { createUpload } from "@/lib/uploads/create";
import { DEMO_TOKENS } from "@/scripts/ckan-demo/seed";
import { TEST_DB_NAME, callerFor, startIntegrationEnv } from "./support/env";
import { getObjectBytes, listMultipartUploads, sha256, tempS3, testBytes, uploadAllParts } from "./support/s3";

const KiB = 1024;
let env: Awaited<ReturnType<typeof startIntegrationEnv>>;

beforeAll(async () => {
  env = await startIntegrationEnv({ RATE_LIMIT_DESCRIBE_PER_MINUTE: "2" });
  resetRateLimitsForTests();
});
afterEach(() => {
  delete process.env.CREDENTIALS_MODE;
  resetConfigForTests();
});
afterAll(async () => {
  resetRateLimitsForTests();
  await env?.close();
});

const ctx = { ip: null, userAgent: "vitest" };

function useMode(mode: "sts" | "presigned"): void {
  process.env.CREDENTIALS_MODE = mode;
  resetConfigForTests();
}

/** The audit event types of a session, sorted by name. */
async function auditTypes(sessionId: string): Promise<string[]> {
  const events = await getDb().auditEvent.findMany({ where: { sessionId }, select: { type: true } });
  return events.map((e) => e.type).sort();
}

/** The stored object, its part rows, its CKAN resource and what is left of its multipart upload. */
async function outcome(sessionId: string) {
  const session = await getDb().uploadSession.findUniqueOrThrow({ where: { id: sessionId }, include: { parts: true } });
  return {
    session,
    object: await getObjectBytes(session.key),
    resource: env.ckan.state.getResource(session.resourceId ?? "")?.resource,
    leftover: await listMultipartUploads(session.key),
  };
}

describe(`small files: one part, two requests (${TEST_DB_NAME})`, () => {
  it("presigned: the start signs the part with its CRC32C; complete records it, stores the object and registers it", async () => {
    useMode("presigned");
    const caller = callerFor(env.ckan, "editor_user");
    const bytes = testBytes(64 * KiB, 12);
    const crc = hexToBase64(await crc32(bytes, 0x82f63b78));
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "small-presigned.csv", size: bytes.length, contentType: "text/csv", partChecksum: { algorithm: "CRC32C", value: crc } }, ctx);
    expect(created.partCount).toBe(1);
    expect(created.signedParts).toHaveLength(1);
    const [part] = created.signedParts!;
    expect(part.partNumber).toBe(1);
    expect(part.headers).toEqual({ "x-amz-checksum-crc32c": crc, "x-amz-sdk-checksum-algorithm": "CRC32C" });
    expect(new URL(part.url).searchParams.get("X-Amz-SignedHeaders")).toContain("x-amz-checksum-crc32c");
    expect(Date.parse(part.expiresAt)).toBeGreaterThan(Date.now());

    const put = await fetch(part.url, { method: "PUT", body: Buffer.from(bytes), headers: part.headers });
    expect(put.status).toBe(200);
    const etag = put.headers.get("etag")!;
    const view = await completeUpload(caller, created.sessionId, { sha256: sha256(bytes), parts: [{ partNumber: 1, size: bytes.length, etag, checksum: crc }] });
    expect(view.status).toBe("completed");

    const o = await outcome(created.sessionId);
    expect(sha256(o.object.bytes)).toBe(sha256(bytes));
    expect(o.session.parts.map((p) => ({ partNumber: p.partNumber, size: Number(p.size), etag: p.etag, checksum: p.checksum }))).toEqual([{ partNumber: 1, size: bytes.length, etag, checksum: crc }]);
    expect(o.resource?.hash).toBe(`sha256:${sha256(bytes)}`);
    expect(Number(o.resource?.size)).toBe(bytes.length);
    expect(o.leftover).toEqual([]);
    expect(await auditTypes(created.sessionId)).toEqual(["object.stored", "parts.recorded", "session.completed", "session.created"]);
  });

  it("presigned without a checksum: the answer's URL has no checksum header; a file of several parts gets no URL", async () => {
    useMode("presigned");
    const caller = callerFor(env.ckan, "editor_user");
    const plain = await createUpload(caller, { datasetId: "test-dataset", fileName: "small-plain.csv", size: 1000, contentType: "" }, ctx);
    expect(plain.signedParts?.map((p) => p.headers)).toEqual([{}]);
    const put = await fetch(plain.signedParts![0].url, { method: "PUT", body: Buffer.from(testBytes(1000, 3)) });
    expect(put.status).toBe(200);
    const big = await createUpload(caller, { datasetId: "test-dataset", fileName: "two-parts.bin", size: 5 * 1024 * KiB + 1, contentType: "", partChecksum: { algorithm: "CRC32C", value: "AAAAAA==" } }, ctx);
    expect(big.partCount).toBe(2);
    expect(big.signedParts).toBeUndefined();
  });

  it("sts: complete takes the part sent with it", async () => {
    useMode("sts");
    const caller = callerFor(env.ckan, "editor_user");
    const bytes = testBytes(3000, 13);
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "small-sts.csv", size: bytes.length, contentType: "text/csv" }, ctx);
    expect(created.signedParts).toBeUndefined();
    const parts = await uploadAllParts(tempS3(created.credentials!), created, bytes);
    expect((await completeUpload(caller, created.sessionId, { sha256: sha256(bytes), parts })).status).toBe("completed");
    const o = await outcome(created.sessionId);
    expect(sha256(o.object.bytes)).toBe(sha256(bytes));
    expect(o.session.parts).toHaveLength(1);
    expect(o.resource?.hash).toBe(`sha256:${sha256(bytes)}`);
    expect(o.leftover).toEqual([]);
  });

  it("the portal asks S3 for the stored object once per completion: one HeadObject for the size check and the fingerprint", async () => {
    useMode("sts");
    const caller = callerFor(env.ckan, "editor_user");
    const bytes = testBytes(4000, 17);
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "one-head.csv", size: bytes.length, contentType: "text/csv" }, ctx);
    const parts = await uploadAllParts(tempS3(created.credentials!), created, bytes);
    const commands: string[] = [];
    const s3 = getS3Client(getConfig());
    const name = `count-commands-${created.sessionId}`;
    s3.middlewareStack.add((next, context) => async (args) => (commands.push(String(context.commandName)), next(args)), { step: "initialize", name });
    try {
      expect((await completeUpload(caller, created.sessionId, { sha256: sha256(bytes), parts })).status).toBe("completed");
    } finally {
      s3.middlewareStack.remove(name);
    }
    expect(commands).toEqual(["CompleteMultipartUploadCommand", "HeadObjectCommand"]);
    const o = await outcome(created.sessionId);
    expect(o.session.etag).toBeTruthy(); // the fingerprint came from that one HeadObject
    expect(sha256(o.object.bytes)).toBe(sha256(bytes));
  });

  it("a part sent with complete that does not fit the plan is refused (400) before anything is claimed or stored", async () => {
    useMode("sts");
    const caller = callerFor(env.ckan, "editor_user");
    const bytes = testBytes(2000, 14);
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "small-bad.csv", size: bytes.length, contentType: "" }, ctx);
    const [part] = await uploadAllParts(tempS3(created.credentials!), created, bytes);
    const err = await completeUpload(caller, created.sessionId, { parts: [{ ...part, size: 1999 }] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "validation_failed", status: 400 });
    const session = await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId }, include: { parts: true } });
    expect(session.status).toBe("CREATED");
    expect(session.parts).toHaveLength(0);
    // Still resumable: the right part completes it.
    expect((await completeUpload(caller, created.sessionId, { parts: [part] })).status).toBe("completed");
  });
});

describe(`PATCH /api/uploads/{id}/resource is rate-limited per user (${TEST_DB_NAME})`, () => {
  it("answers 429 rate_limited with Retry-After past RATE_LIMIT_DESCRIBE_PER_MINUTE, and changes nothing", async () => {
    useMode("sts");
    const caller = callerFor(env.ckan, "editor_user");
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "described.csv", size: 10, contentType: "" }, ctx);
    const patch = (name: string) =>
      PATCH(
        new NextRequest(`http://portal.test:3000/api/uploads/${created.sessionId}/resource`, {
          method: "PATCH",
          headers: { authorization: `Bearer ${DEMO_TOKENS.editor_user}`, "content-type": "application/json" },
          body: JSON.stringify({ name }),
        }),
        { params: Promise.resolve({ id: created.sessionId }) },
      );
    expect((await patch("First")).status).toBe(200);
    expect((await patch("Second")).status).toBe(200);
    const third = await patch("Third");
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await third.json()).toEqual({ error: { code: "rate_limited", message: expect.stringMatching(/^Too many resource description changes: try again in \d+ s\.$/) } });
    const session = await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId } });
    expect(session.resourceName).toBe("Second");
    expect((await auditTypes(created.sessionId)).filter((t) => t === "resource.described")).toHaveLength(2);
  });
});
