/**
 * Per-part checksums (S3 flexible checksums), computed with hash-wasm (WASM,
 * several times faster than the SDK's JavaScript CRC). Reads only the part's
 * own bytes (`await slice.arrayBuffer()`), hashes them and lets them go; the
 * slice itself is what gets sent. Runs in a window, a Web Worker or Node, so a
 * caller can move it off the main thread by injecting a worker-backed
 * {@link ChecksumFn} into `createFileUpload`.
 */
import { crc32, sha256 } from "hash-wasm";
import type { ChecksumAlgorithm } from "./signer";

/** Computes a part's checksum: base64 of the big-endian digest, as S3's `x-amz-checksum-*` headers expect. */
export type ChecksumFn = (part: Blob, algorithm: ChecksumAlgorithm) => Promise<string>;

/** The CRC32C (Castagnoli) polynomial, reversed form; source: RFC 3720 §12.1 (as used by S3's `CRC32C`). */
const CRC32C_POLYNOMIAL = 0x82f63b78;

/** Base64 of the bytes spelled by a hex string. */
export function hexToBase64(hex: string): string {
  let binary = "";
  for (let i = 0; i < hex.length; i += 2) binary += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return btoa(binary);
}

/** Checksum of in-memory bytes (base64). */
export async function checksumBytes(bytes: Uint8Array, algorithm: ChecksumAlgorithm): Promise<string> {
  const hex = algorithm === "CRC32C" ? await crc32(bytes, CRC32C_POLYNOMIAL) : await sha256(bytes);
  return hexToBase64(hex);
}

/**
 * Default {@link ChecksumFn}: reads the part (one part's bytes in memory, for
 * the duration of the hash) and hashes it with hash-wasm.
 */
export const checksumPart: ChecksumFn = async (part, algorithm) => {
  const bytes = new Uint8Array(await part.arrayBuffer());
  return checksumBytes(bytes, algorithm);
};
