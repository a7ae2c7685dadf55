/**
 * Least privilege, proven on Ceph RGW: one upload's temporary credentials may send parts of their
 * own key and nothing else (the session policy intersected with a broad role policy).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectAclCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { abortUpload } from "@/lib/uploads/abort";
import { completeUpload } from "@/lib/uploads/complete";
import { createUpload, type CreatedUpload } from "@/lib/uploads/create";
import { recordParts } from "@/lib/uploads/parts";
import { callerFor, startIntegrationEnv } from "./support/env";
import { getObjectBytes, tempS3, testBytes, uploadAllParts } from "./support/s3";

let env: Awaited<ReturnType<typeof startIntegrationEnv>>;
let created: CreatedUpload;
let s3: S3Client;

beforeAll(async () => {
  env = await startIntegrationEnv();
  const caller = callerFor(env.ckan, "editor_user");
  // A finished object the credentials must not be able to read or delete.
  const bytes = testBytes(2048, 4);
  created = await createUpload(caller, { datasetId: "test-dataset", fileName: "target.bin", size: bytes.length, contentType: "" }, { ip: null, userAgent: null });
  s3 = tempS3(created.credentials!);
  await recordParts(caller, created.sessionId, await uploadAllParts(s3, created, bytes));
  await completeUpload(caller, created.sessionId, {});
});
afterAll(async () => env?.close());

/** HTTP status of an S3 call with the temporary credentials (200 when it succeeds). */
async function statusOf(p: Promise<unknown>): Promise<number | undefined> {
  return p.then(
    () => 200,
    (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode,
  );
}

describe("one upload's STS credentials", () => {
  const bucket = () => created.bucket;
  const sibling = () => created.key.replace(/[^/]+$/, "other.bin");

  it("were used to send the parts of their own key", async () => {
    expect((await getObjectBytes(created.key)).bytes.length).toBe(2048);
  });

  it.each([
    ["PutObject on another key in the same dataset", () => s3.send(new PutObjectCommand({ Bucket: bucket(), Key: sibling(), Body: "x" }))],
    ["PutObject on a key in another dataset", () => s3.send(new PutObjectCommand({ Bucket: bucket(), Key: "uploads/other-org/other-dataset/x/y.bin", Body: "x" }))],
    ["PutObject on the dataset prefix itself", () => s3.send(new PutObjectCommand({ Bucket: bucket(), Key: created.key.replace(/[^/]+\/[^/]+$/, "x.bin"), Body: "x" }))],
    ["GetObject on their own key", () => s3.send(new GetObjectCommand({ Bucket: bucket(), Key: created.key }))],
    ["DeleteObject on their own key", () => s3.send(new DeleteObjectCommand({ Bucket: bucket(), Key: created.key }))],
    ["ListBucket", () => s3.send(new ListObjectsV2Command({ Bucket: bucket() }))],
    ["CreateMultipartUpload on another key", () => s3.send(new CreateMultipartUploadCommand({ Bucket: bucket(), Key: sibling() }))],
    ["PutObjectAcl public-read on their own key", () => s3.send(new PutObjectAclCommand({ Bucket: bucket(), Key: created.key, ACL: "public-read" }))],
    ["ListMultipartUploads on the bucket", () => s3.send(new ListMultipartUploadsCommand({ Bucket: bucket() }))],
  ])("get 403 for %s", async (_name, call) => {
    expect(await statusOf(call())).toBe(403);
  });

  it("left the object in place after the denied delete", async () => {
    expect((await getObjectBytes(created.key)).bytes.length).toBe(2048);
  });

  it("cannot write the key of another upload session", async () => {
    const caller = callerFor(env.ckan, "editor_user");
    const other = await createUpload(caller, { datasetId: "test-dataset", fileName: "second.bin", size: 10, contentType: "" }, { ip: null, userAgent: null });
    expect(await statusOf(uploadAllParts(s3, { ...other, uploadId: other.uploadId }, testBytes(10)))).toBe(403);
    await abortUpload(caller, other.sessionId);
  });
});
