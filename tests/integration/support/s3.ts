/** S3 helpers for integration tests: the portal's own client and a client with temporary credentials. */
import { createHash } from "node:crypto";
import { GetObjectCommand, ListMultipartUploadsCommand, S3Client, UploadPartCommand } from "@aws-sdk/client-s3";

export function portalS3(): S3Client {
  return new S3Client({
    region: process.env.S3_REGION ?? "us-east-1",
    endpoint: process.env.S3_ENDPOINT,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

export function tempS3(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string }): S3Client {
  return new S3Client({
    region: process.env.S3_REGION ?? "us-east-1",
    endpoint: process.env.S3_ENDPOINT,
    forcePathStyle: true,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
    maxAttempts: 1,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

export function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
export function testBytes(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Reads a stored object's bytes with the portal's credentials. */
export async function getObjectBytes(key: string): Promise<{ bytes: Uint8Array; metadata: Record<string, string>; contentType?: string }> {
  const out = await portalS3().send(new GetObjectCommand({ Bucket: process.env.S3_BUCKET, Key: key }));
  return { bytes: await out.Body!.transformToByteArray(), metadata: out.Metadata ?? {}, contentType: out.ContentType };
}

/** Multipart uploads in progress under `prefix`. */
export async function listMultipartUploads(prefix: string): Promise<Array<{ key: string; uploadId: string }>> {
  const out = await portalS3().send(new ListMultipartUploadsCommand({ Bucket: process.env.S3_BUCKET, Prefix: prefix }));
  return (out.Uploads ?? []).map((u) => ({ key: u.Key!, uploadId: u.UploadId! }));
}

/** Sends every part of `bytes` with the temporary credentials, as the browser would. @returns the parts. */
export async function uploadAllParts(
  s3: S3Client,
  created: { bucket: string; key: string; uploadId: string | null; partSize: number; partCount: number },
  bytes: Uint8Array,
): Promise<Array<{ partNumber: number; size: number; etag: string }>> {
  const parts = [];
  for (let n = 1; n <= created.partCount; n++) {
    const body = bytes.subarray((n - 1) * created.partSize, Math.min(bytes.length, n * created.partSize));
    const out = await s3.send(new UploadPartCommand({ Bucket: created.bucket, Key: created.key, UploadId: created.uploadId!, PartNumber: n, Body: body, ContentLength: body.length }));
    if (!out.ETag) throw new Error(`no ETag for part ${n}`);
    parts.push({ partNumber: n, size: body.length, etag: out.ETag });
  }
  return parts;
}
