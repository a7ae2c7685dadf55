/**
 * The file hasher for Node: the same one sequential pass as `createInlineFileHasher`
 * (whole-file SHA-256 for the portal, per-part CRC32C for resume and S3's
 * `x-amz-checksum-crc32c`), but the SHA-256 is node:crypto's (OpenSSL, several
 * times faster than WASM on large files). CRC32C (Castagnoli) is not in
 * node:crypto, so it stays hash-wasm's. One part's bytes are in memory at a time.
 */
import { createHash } from "node:crypto";
import { createCRC32 } from "hash-wasm";
import { hexToBase64 } from "../checksum";
import type { ChecksumFn } from "../checksum";
import type { CreateFileHasher } from "../file-hasher";
import { partRange } from "../plan";

/** The CRC32C polynomial, reversed form (RFC 3720 §12.1), as S3's `CRC32C`. */
const CRC32C_POLYNOMIAL = 0x82f63b78;
/** A part this many parts ahead of the pass is hashed on its own when asked for (resume verification). */
const LOOKAHEAD_PARTS = 8;

type Readable = { slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> } };

async function crc32c(bytes: Uint8Array): Promise<string> {
  const h = await createCRC32(CRC32C_POLYNOMIAL);
  h.init();
  h.update(bytes);
  return hexToBase64(h.digest("hex"));
}

/** Per-part checksum for Node: SHA-256 with node:crypto, CRC32C with hash-wasm (base64 of the digest). */
export const nodeChecksumPart: ChecksumFn = async (part, algorithm) => {
  const bytes = new Uint8Array(await part.arrayBuffer());
  return algorithm === "SHA256" ? createHash("sha256").update(bytes).digest("base64") : crc32c(bytes);
};

/** {@link CreateFileHasher} for Node (see the file comment). */
export const createNodeFileHasher: CreateFileHasher = (blob, plan, onDigest) => {
  const file = blob as unknown as Readable;
  type D = { promise: Promise<string>; resolve(v: string): void; reject(e: unknown): void };
  const make = (): D => {
    let resolve!: (v: string) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<string>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => undefined);
    return { promise, resolve, reject };
  };
  const digests = new Map<number, D>();
  const slot = (n: number) => digests.get(n) ?? (digests.set(n, make()), digests.get(n) as D);
  const whole = make();
  let cursor = 0;
  let disposed = false;

  void (async () => {
    try {
      const sha = createHash("sha256");
      const crc = await createCRC32(CRC32C_POLYNOMIAL);
      for (let n = 1; n <= plan.partCount; n++) {
        if (disposed) throw new Error("hasher disposed");
        const { start, end } = partRange(plan, n);
        const bytes = new Uint8Array(await file.slice(start, end).arrayBuffer());
        sha.update(bytes);
        crc.init();
        crc.update(bytes);
        const digest = hexToBase64(crc.digest("hex"));
        slot(n).resolve(digest);
        onDigest?.(n, digest);
        cursor = n;
      }
      whole.resolve(sha.digest("hex"));
    } catch (error) {
      whole.reject(error);
      for (const d of digests.values()) d.reject(error);
    }
  })();

  return {
    partDigest(n) {
      const d = slot(n);
      if (n > cursor + LOOKAHEAD_PARTS) {
        const { start, end } = partRange(plan, n);
        void file
          .slice(start, end)
          .arrayBuffer()
          .then((buf) => crc32c(new Uint8Array(buf)))
          .then((digest) => d.resolve(digest), (e) => d.reject(e));
      }
      return d.promise;
    },
    sha256: () => whole.promise,
    dispose() {
      disposed = true;
    },
  };
};
