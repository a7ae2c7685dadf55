/**
 * The file hasher for Node: the same one sequential pass as `createInlineFileHasher`
 * (whole-file SHA-256 for the portal, per-part CRC32C for resume and S3's
 * `x-amz-checksum-crc32c`), but the SHA-256 is node:crypto's (OpenSSL, several
 * times faster than WASM on large files). CRC32C (Castagnoli) is not in
 * node:crypto, so it stays hash-wasm's. One part's bytes are in memory at a time.
 */
import { createHash } from "node:crypto";
import type { ChecksumFn } from "../checksum";
import { crc32c, sequentialFileHasher, type CreateFileHasher } from "../file-hasher";

/** Per-part checksum for Node: SHA-256 with node:crypto, CRC32C with hash-wasm (base64 of the digest). */
export const nodeChecksumPart: ChecksumFn = async (part, algorithm) => {
  const bytes = new Uint8Array(await part.arrayBuffer());
  return algorithm === "SHA256" ? createHash("sha256").update(bytes).digest("base64") : crc32c(bytes);
};

/** {@link CreateFileHasher} for Node: the browser's sequential pass with node:crypto's SHA-256 (see the file comment). */
export const createNodeFileHasher: CreateFileHasher = sequentialFileHasher(async () => createHash("sha256"));
