/**
 * S3 multipart upload limits.
 *
 * Source: AWS S3 documentation, "Amazon S3 multipart upload limits"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html).
 * S3-compatible stores (Ceph RGW, MinIO) apply the same limits.
 *
 * All values are plain Numbers (exact up to 2^53); never combine them with the
 * 32-bit bit operators (`|`, `>>`, `<<`, `~~`).
 */

/** One kibibyte, 1024 bytes. */
export const KiB = 1024;

/** One mebibyte, 1024 × 1024 bytes: the unit part sizes are rounded up to. */
export const MiB = 1024 * KiB;

/** One gibibyte, 1024³ bytes. */
export const GiB = 1024 * MiB;

/** One tebibyte, 1024⁴ bytes. */
export const TiB = 1024 * GiB;

/**
 * Smallest part S3 accepts, 5 MiB (bytes). The last part of an upload may be
 * smaller. Source: "Amazon S3 multipart upload limits" — part size 5 MiB to 5 GiB.
 */
export const MIN_PART_SIZE = 5 * MiB;

/**
 * Largest part S3 accepts, 5 GiB (bytes).
 * Source: "Amazon S3 multipart upload limits" — part size 5 MiB to 5 GiB.
 */
export const MAX_PART_SIZE = 5 * GiB;

/**
 * Most parts one multipart upload may have; part numbers run 1…10,000.
 * Source: "Amazon S3 multipart upload limits" — maximum number of parts per upload.
 */
export const MAX_PARTS = 10_000;

/**
 * Largest object a multipart upload can produce: 10,000 parts × 5 GiB
 * = 53,687,091,200,000 bytes (48.8 TiB). Source: "Amazon S3 multipart upload
 * limits" — maximum object size 48.8 TiB (AWS raised it from 5 TiB).
 */
export const MAX_OBJECT_SIZE = MAX_PARTS * MAX_PART_SIZE;

/** Formats a byte count for messages, e.g. `5 GiB`, `48.8 TiB`, `12 bytes`. */
export function formatBytes(bytes: number): string {
  const units: Array<[string, number]> = [
    ["TiB", TiB],
    ["GiB", GiB],
    ["MiB", MiB],
    ["KiB", KiB],
  ];
  for (const [unit, size] of units) {
    if (bytes >= size) {
      const value = bytes / size;
      const text = Number.isInteger(value) ? String(value) : value.toFixed(1);
      return `${text} ${unit}`;
    }
  }
  return `${bytes} bytes`;
}
