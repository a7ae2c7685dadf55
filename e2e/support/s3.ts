/** Reads stored objects back to prove the bytes: SHA-256 of an object, streamed. */
import { createHash } from "node:crypto";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";

/** S3 client for the sts stack: Ceph RGW with the portal's credentials from the environment. */
export function rgwClient(): S3Client {
  return new S3Client({ region: "us-east-1", endpoint: process.env.S3_ENDPOINT, forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" });
}

/** S3 client for the demo stack's embedded s3rver (it accepts any credentials). */
export function demoS3Client(endpoint: string): S3Client {
  return new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }, requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" });
}

/** SHA-256 (hex) and size of a stored object, streamed (never held whole in memory). */
export async function objectSha256(s3: S3Client, bucket: string, key: string): Promise<{ sha256: string; size: number }> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of out.Body as Readable) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), size };
}
