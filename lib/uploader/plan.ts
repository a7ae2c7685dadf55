/**
 * Part planning: how a file of `size` bytes is cut into S3 multipart parts.
 *
 * Rules (see `limits.ts` for the S3 sources):
 * - part size = max(configured, ceil(size / 10,000)) rounded UP to a whole MiB,
 *   so a plan never needs 10,001 parts;
 * - every part has that size except the last, which may be smaller (some
 *   stores require equal parts);
 * - size 0 plans 0 parts: a 0-byte object cannot be a multipart upload with no
 *   parts, so the portal creates it without one and the engine completes at once;
 * - anything that cannot fit is refused here, before any request is made.
 *
 * Only Number arithmetic (exact to 2^53), never 32-bit bit operators.
 */
import { UploadEngineError } from "./errors";
import { MAX_OBJECT_SIZE, MAX_PARTS, MAX_PART_SIZE, MIN_PART_SIZE, MiB, formatBytes } from "./limits";

/** A file's part plan. */
export interface PartPlan {
  /** File size in bytes. */
  readonly size: number;
  /** Size of every part but the last, in bytes. */
  readonly partSize: number;
  /** Number of parts, 0 for an empty file. */
  readonly partCount: number;
}

/** One part's byte range: `[start, end)` of the file, part numbers from 1. */
export interface PartRange {
  readonly partNumber: number;
  /** First byte offset (inclusive). */
  readonly start: number;
  /** End offset (exclusive); `end - start` is the part's size in bytes. */
  readonly end: number;
}

/** Options of {@link planParts}. */
export interface PlanOptions {
  /**
   * Preferred part size in bytes. Default {@link MIN_PART_SIZE} (5 MiB): the
   * smallest S3 allows, which keeps memory (concurrency × part size) and the
   * cost of a retried part low. Raised to 5 MiB if smaller, and raised further
   * when the file would otherwise need more than 10,000 parts.
   */
  partSize?: number;
  /** Largest file size accepted, in bytes. Default {@link MAX_OBJECT_SIZE} (48.8 TiB, the S3 limit). */
  maxBytes?: number;
}

/** Throws `invalid_size` unless `value` is a non-negative safe integer. */
export function assertByteCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new UploadEngineError("invalid_size", `${what} must be a whole number of bytes between 0 and 2^53 − 1, got ${String(value)}`);
  }
}

/** Rounds a byte count up to a whole number of MiB. */
function roundUpToMiB(bytes: number): number {
  return Math.ceil(bytes / MiB) * MiB;
}

/**
 * Plans the parts of a file of `size` bytes.
 * @throws UploadEngineError `invalid_size` for a negative, fractional or unsafe size;
 *   `too_large` when the file exceeds `maxBytes` or would need parts over 5 GiB.
 */
export function planParts(size: number, opts: PlanOptions = {}): PartPlan {
  assertByteCount(size, "File size");
  const maxBytes = opts.maxBytes ?? MAX_OBJECT_SIZE;
  const configured = opts.partSize ?? MIN_PART_SIZE;
  assertByteCount(configured, "Part size");
  if (size > maxBytes) {
    throw new UploadEngineError(
      "too_large",
      `File is ${formatBytes(size)} (${size} bytes); the largest file that can be uploaded is ${formatBytes(maxBytes)} (${maxBytes} bytes)` +
        (maxBytes === MAX_OBJECT_SIZE ? `: S3 allows at most ${MAX_PARTS} parts of at most ${formatBytes(MAX_PART_SIZE)}.` : "."),
    );
  }
  const partSize = roundUpToMiB(Math.max(configured, MIN_PART_SIZE, Math.ceil(size / MAX_PARTS)));
  if (partSize > MAX_PART_SIZE) {
    throw new UploadEngineError(
      "too_large",
      `File is ${formatBytes(size)} (${size} bytes): it would need parts of ${formatBytes(partSize)}, over the S3 limit of ` +
        `${formatBytes(MAX_PART_SIZE)} per part (${MAX_PARTS} parts, ${formatBytes(MAX_OBJECT_SIZE)} at most).`,
    );
  }
  return { size, partSize, partCount: Math.ceil(size / partSize) };
}

/**
 * Checks a plan that came from elsewhere (the portal's session) and returns it.
 * The store enforces the 5 MiB minimum itself (the embedded demo store does
 * not, and tests use small parts), so only what would break the engine or S3's
 * hard limits is checked here.
 * @throws UploadEngineError `api` if the plan is inconsistent with `size`.
 */
export function checkPlan(size: number, partSize: number, partCount: number): PartPlan {
  assertByteCount(size, "File size");
  const fits =
    Number.isSafeInteger(partSize) && partSize > 0 && partSize <= MAX_PART_SIZE &&
    Number.isSafeInteger(partCount) && partCount <= MAX_PARTS && partCount === Math.ceil(size / partSize);
  if (!fits) {
    throw new UploadEngineError(
      "api",
      `The portal planned ${partCount} parts of ${partSize} bytes for a file of ${size} bytes; ` +
        `expected ${size === 0 ? 0 : "ceil(size / partSize)"} parts of at most ${formatBytes(MAX_PART_SIZE)}, at most ${MAX_PARTS} parts.`,
    );
  }
  return { size, partSize, partCount };
}

/** The byte range of part `partNumber` (1-based) of `plan`. */
export function partRange(plan: PartPlan, partNumber: number): PartRange {
  if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > plan.partCount) {
    throw new UploadEngineError("invalid_state", `Part ${partNumber} is outside 1…${plan.partCount}`);
  }
  const start = (partNumber - 1) * plan.partSize;
  return { partNumber, start, end: Math.min(start + plan.partSize, plan.size) };
}

/** All parts of `plan` in order. Lazy: a 10,000-part plan allocates one range at a time. */
export function* parts(plan: PartPlan): Generator<PartRange> {
  for (let n = 1; n <= plan.partCount; n++) yield partRange(plan, n);
}
