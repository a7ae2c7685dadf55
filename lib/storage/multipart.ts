import "server-only";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { toStorageError } from "./errors";

/** Object metadata written on every upload (sent as `x-amz-meta-*` headers). */
export interface UploadMetadata {
  "ckan-site": string;
  "ckan-user": string;
  "ckan-package-id": string;
  "upload-session": string;
}

/**
 * CreateMultipartUpload for `key` with Content-Type and metadata. Never sends an ACL: new buckets have
 * ACLs disabled (CASES 20). @returns the S3 UploadId. @throws StorageError
 */
export async function createMultipartUpload(
  s3: S3Client,
  input: { bucket: string; key: string; contentType: string; metadata: UploadMetadata },
): Promise<string> {
  try {
    const out = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: input.bucket,
        Key: input.key,
        ContentType: input.contentType,
        Metadata: asciiMetadata(input.metadata),
      }),
    );
    if (!out.UploadId) throw new Error("no UploadId in the response");
    return out.UploadId;
  } catch (err) {
    throw toStorageError(err, "S3", "CreateMultipartUpload");
  }
}

/** A 0-byte file cannot be a multipart upload with zero parts: store it with one empty PutObject. */
export async function putEmptyObject(
  s3: S3Client,
  input: { bucket: string; key: string; contentType: string; metadata: UploadMetadata },
): Promise<void> {
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: input.bucket,
        Key: input.key,
        Body: new Uint8Array(0),
        ContentLength: 0,
        ContentType: input.contentType,
        Metadata: asciiMetadata(input.metadata),
      }),
    );
  } catch (err) {
    throw toStorageError(err, "S3", "PutObject");
  }
}

/**
 * CompleteMultipartUpload with parts sorted by part number. A CompleteMultipartUpload body holds up
 * to 10,000 parts (AWS S3 API Reference). @throws StorageError
 */
export async function completeMultipartUpload(
  s3: S3Client,
  input: { bucket: string; key: string; uploadId: string; parts: Array<{ partNumber: number; etag: string }> },
): Promise<void> {
  const parts = [...input.parts].sort((a, b) => a.partNumber - b.partNumber);
  try {
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: input.bucket,
        Key: input.key,
        UploadId: input.uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
      }),
    );
  } catch (err) {
    throw toStorageError(err, "S3", "CompleteMultipartUpload");
  }
}

/**
 * AbortMultipartUpload. @returns "aborted"; "gone" when the upload no longer exists (NoSuchUpload, or
 * RGW's NoSuchKey); "unsupported" when the store lacks the operation (MethodNotAllowed/NotImplemented,
 * e.g. s3rver): its parts are then left to the bucket's lifecycle rule. @throws StorageError
 */
export async function abortMultipartUpload(
  s3: S3Client,
  input: { bucket: string; key: string; uploadId: string },
): Promise<"aborted" | "gone" | "unsupported"> {
  try {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: input.bucket, Key: input.key, UploadId: input.uploadId }));
    return "aborted";
  } catch (err) {
    const e = toStorageError(err, "S3", "AbortMultipartUpload");
    if (e.code === "NoSuchUpload" || e.code === "NoSuchKey" || e.httpStatus === 404) return "gone";
    if (e.code === "MethodNotAllowed" || e.code === "NotImplemented" || e.httpStatus === 405 || e.httpStatus === 501) return "unsupported";
    throw e;
  }
}

/** DeleteObject (the portal's identity needs s3:DeleteObject on the upload prefix). @throws StorageError */
export async function deleteObject(s3: S3Client, input: { bucket: string; key: string }): Promise<void> {
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: input.bucket, Key: input.key }));
  } catch (err) {
    throw toStorageError(err, "S3", "DeleteObject");
  }
}

/** HeadObject: the stored object's size in bytes and ETag. @throws StorageError */
export async function headObject(
  s3: S3Client,
  input: { bucket: string; key: string },
): Promise<{ size: number; etag?: string; contentType?: string }> {
  try {
    const out = await s3.send(new HeadObjectCommand({ Bucket: input.bucket, Key: input.key }));
    return { size: Number(out.ContentLength ?? 0), etag: out.ETag, contentType: out.ContentType };
  } catch (err) {
    throw toStorageError(err, "S3", "HeadObject");
  }
}

/** S3 user metadata travels in HTTP headers: non-ASCII values are percent-encoded (RFC 3986). */
function asciiMetadata(meta: UploadMetadata): Record<string, string> {
  return Object.fromEntries(
    Object.entries(meta).map(([k, v]) => [k, /^[\x20-\x7e]*$/.test(v) ? v : encodeURIComponent(v)]),
  );
}
