/**
 * Signing, behind one interface with two implementations (the `sts` and
 * `presigned` credential modes): the engine only ever asks "URL + headers for
 * part N".
 * - `sts-signer.ts` presigns in the browser with temporary STS credentials;
 * - `portal-signer.ts` asks the portal to presign, in small batches.
 */

/** Checksum algorithms the engine can send per part (S3 flexible checksums). */
export type ChecksumAlgorithm = "CRC32C" | "SHA256";

/** A part's checksum, computed from the part's bytes. */
export interface PartChecksum {
  algorithm: ChecksumAlgorithm;
  /** Base64 of the big-endian digest bytes, as S3 expects in `x-amz-checksum-*`. */
  value: string;
}

/** What the signer needs to know about the part it signs. */
export interface SignOptions {
  /** The part's size in bytes. */
  contentLength: number;
  /** The part's checksum, to be part of the signed request; absent = none. */
  checksum?: PartChecksum;
}

/** A signed part request. */
export interface SignedPart {
  /** The presigned UploadPart URL. */
  url: string;
  /** Headers that must be sent exactly as signed. */
  headers: Record<string, string>;
  /** When the URL stops working, local clock, ms since epoch; absent = unknown. */
  expiresAt?: number;
}

/** Why a signer is asked to refresh. */
export interface RefreshReason {
  /**
   * - `credentials`: S3 said `ExpiredToken` / `TokenRefreshRequired`;
   * - `url_expired`: a presigned URL expired before use;
   * - `clock_skew`: S3 said `RequestTimeTooSkewed`.
   */
  kind: "credentials" | "url_expired" | "clock_skew";
  /** The part whose request failed, if any. */
  partNumber?: number;
  /** The server's time (ms since epoch) from the error response, for `clock_skew`. */
  serverTime?: number;
  /** The local time (ms since epoch) when that response arrived. */
  localTime?: number;
}

/** Produces signed UploadPart requests. */
export interface PartSigner {
  /** URL + headers for part `partNumber` (1-based). */
  sign(partNumber: number, opts: SignOptions): Promise<SignedPart>;
  /** Drops whatever made the last request fail (cached URLs, credentials, clock skew). */
  refresh(reason: RefreshReason): Promise<void>;
  /**
   * Optional hint: these parts will be signed next, in this order. A batching
   * signer uses it to sign ahead; others ignore it.
   */
  queue?(partNumbers: readonly number[]): void;
}

/** The header that carries a part checksum of `algorithm`. */
export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return algorithm === "CRC32C" ? "x-amz-checksum-crc32c" : "x-amz-checksum-sha256";
}

/** The headers S3 requires for a part checksum: the value and `x-amz-sdk-checksum-algorithm`. */
export function checksumHeaders(checksum: PartChecksum | undefined): Record<string, string> {
  if (!checksum) return {};
  return {
    [checksumHeaderName(checksum.algorithm)]: checksum.value,
    "x-amz-sdk-checksum-algorithm": checksum.algorithm,
  };
}
