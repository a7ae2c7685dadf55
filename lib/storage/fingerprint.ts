import "server-only";
import { HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from "@aws-sdk/client-s3";
import { toStorageError } from "./errors";

/**
 * What identifies the bytes of a stored object without reading them (CASES 38), from one HeadObject:
 * `size` (bytes), `etag` (a multipart ETag is MD5 of the part MD5s + `-N`, a single PUT's is the MD5 of
 * the body, so an overwrite by PutObject always changes it), `lastModified` (every write sets it),
 * `versionId` (only in a bucket with versioning enabled: every write makes a new one) and `checksum`
 * (`ALGORITHM:base64` of the full-object or composite checksum when the store keeps one; AWS S3 does
 * with `x-amz-checksum-mode: ENABLED`, Ceph RGW 16 does not and answers without it).
 */
export interface ObjectFingerprint {
  size: number;
  etag: string | null;
  lastModified: Date | null;
  versionId: string | null;
  checksum: string | null;
}

const CHECKSUM_FIELDS = ["ChecksumCRC64NVME", "ChecksumSHA256", "ChecksumSHA1", "ChecksumCRC32C", "ChecksumCRC32"] as const;

/** The fingerprint of a HeadObject answer (ETags are compared without their quotes: some gateways drop them, CASES 33). */
export function fingerprintOf(out: Pick<HeadObjectCommandOutput, "ContentLength" | "ETag" | "LastModified" | "VersionId" | (typeof CHECKSUM_FIELDS)[number]>): ObjectFingerprint {
  const field = CHECKSUM_FIELDS.find((f) => out[f]);
  return {
    size: Number(out.ContentLength ?? 0),
    etag: out.ETag ? out.ETag.replace(/^"|"$/g, "") : null,
    lastModified: out.LastModified ?? null,
    // "null" is the version id S3 reports for objects written while versioning was off or suspended.
    versionId: out.VersionId && out.VersionId !== "null" ? out.VersionId : null,
    checksum: field ? `${field.slice("Checksum".length)}:${out[field]}` : null,
  };
}

/**
 * HeadObject of the current object at `key` (or of `versionId`), asking for its checksum.
 * @returns the fingerprint, or `null` when there is no such object (404). @throws StorageError otherwise.
 */
export async function headFingerprint(s3: S3Client, input: { bucket: string; key: string; versionId?: string | null }): Promise<ObjectFingerprint | null> {
  try {
    const out = await s3.send(
      new HeadObjectCommand({ Bucket: input.bucket, Key: input.key, ChecksumMode: "ENABLED", ...(input.versionId ? { VersionId: input.versionId } : {}) }),
    );
    return fingerprintOf(out);
  } catch (err) {
    const e = toStorageError(err, "S3", "HeadObject");
    if (e.httpStatus === 404 || e.code === "NotFound" || e.code === "NoSuchKey" || e.code === "NoSuchVersion") return null;
    throw e;
  }
}

/**
 * Compares the object now (`current`, `null` = gone) with what was recorded at completion.
 * A field recorded as `null` (the store did not report it) is not compared. Last-Modified is compared
 * to the second (HTTP dates carry no more).
 * @returns `null` when they match, else a sentence naming every difference, for the audit event and admins.
 */
export function describeMismatch(recorded: ObjectFingerprint, current: ObjectFingerprint | null): string | null {
  if (!current) return "the object no longer exists at its key";
  const diffs: string[] = [];
  if (current.size !== recorded.size) diffs.push(`size ${recorded.size} → ${current.size} bytes`);
  if (recorded.etag !== null && current.etag !== recorded.etag) diffs.push(`ETag ${recorded.etag} → ${current.etag ?? "none"}`);
  if (recorded.versionId !== null && current.versionId !== recorded.versionId) diffs.push(`VersionId ${recorded.versionId} → ${current.versionId ?? "none"}`);
  if (recorded.checksum !== null && current.checksum !== recorded.checksum) diffs.push(`checksum ${recorded.checksum} → ${current.checksum ?? "none"}`);
  const sec = (d: Date) => Math.floor(d.getTime() / 1000);
  if (recorded.lastModified && current.lastModified && sec(current.lastModified) !== sec(recorded.lastModified)) {
    diffs.push(`Last-Modified ${recorded.lastModified.toISOString()} → ${current.lastModified.toISOString()}`);
  }
  return diffs.length ? `the object was replaced after completion: ${diffs.join("; ")}` : null;
}
