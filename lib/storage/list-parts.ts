import "server-only";
import { ListPartsCommand, type S3Client } from "@aws-sdk/client-s3";
import { toStorageError } from "./errors";

/** A part S3 holds for a multipart upload. */
export interface StoredPart {
  partNumber: number;
  /** Bytes. */
  size: number;
  etag: string;
}

/** What ListParts found: the parts, or why it could not tell. */
export type ListPartsResult =
  | { kind: "listed"; parts: StoredPart[] }
  /** The multipart upload no longer exists (aborted, completed or expired by a lifecycle rule). */
  | { kind: "gone" }
  /** The store does not implement ListParts (e.g. s3rver): trust the portal's own records. */
  | { kind: "unsupported"; reason: string };

/** Largest page ListParts returns (AWS S3 API Reference, ListParts: `max-parts` ≤ 1,000). */
export const LIST_PARTS_PAGE_SIZE = 1000;

/**
 * Every part of multipart upload `uploadId`, following `PartNumberMarker` pagination (a page holds at
 * most 1,000 parts; a 10,000-part upload takes 10 pages). `NoSuchUpload` — and Ceph RGW's `NoSuchKey`
 * after an abort — mean the upload is gone; `NotImplemented`/501 means the store has no ListParts.
 * @throws StorageError for any other failure.
 */
export async function listAllParts(s3: S3Client, input: { bucket: string; key: string; uploadId: string }): Promise<ListPartsResult> {
  const parts: StoredPart[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 100; page++) {
    let out;
    try {
      out = await s3.send(
        new ListPartsCommand({ Bucket: input.bucket, Key: input.key, UploadId: input.uploadId, MaxParts: LIST_PARTS_PAGE_SIZE, PartNumberMarker: marker }),
      );
    } catch (err) {
      const e = toStorageError(err, "S3", "ListParts");
      if (e.code === "NoSuchUpload" || e.code === "NoSuchKey") return { kind: "gone" };
      if (e.code === "NotImplemented" || e.httpStatus === 501 || e.httpStatus === 405) return { kind: "unsupported", reason: e.message };
      throw e;
    }
    for (const p of out.Parts ?? []) {
      if (p.PartNumber && p.ETag) parts.push({ partNumber: p.PartNumber, size: Number(p.Size ?? 0), etag: p.ETag });
    }
    const next = out.NextPartNumberMarker;
    if (!out.IsTruncated || !next || next === marker) break;
    marker = String(next);
  }
  return { kind: "listed", parts };
}
