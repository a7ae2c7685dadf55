/**
 * Integrity of the whole file, computed alongside the upload (CASES 22):
 * one sequential pass reads the file part by part (`slice().arrayBuffer()`,
 * one part's bytes in memory at a time) and feeds each part to two hash-wasm
 * hashers — the incremental whole-file SHA-256 the portal stores (CKAN
 * resource `hash` = `sha256:<hex>`), and the part's CRC32C, which serves as
 * the S3 per-part checksum (`x-amz-checksum-crc32c`) and as the resume
 * fingerprint. Each byte is read and hashed once by the pass; the upload
 * itself sends the disk-backed slices (PERF-ANCHORS: sending the bytes read
 * instead costs several times the CPU, docs/performance.md "Loopback,
 * integrity on"). The pass reads part n + 1 while it hashes part n, and
 * settles a part's CRC32C before feeding it to the SHA-256, so a part that
 * waits for its checksum waits for one CRC32C, not for the slower SHA-256.
 *
 * `createInlineFileHasher` runs in the current thread (Node, tests, a Worker);
 * `worker-file-hasher.ts` runs the same code in a Web Worker for the page.
 */
import { createCRC32, createSHA256 } from "hash-wasm";
import { hexToBase64 } from "./checksum";
import { partRange, type PartPlan } from "./plan";

/** The hashes of one file, as the upload needs them. */
export interface FileHasher {
  /** CRC32C of part `partNumber` (1-based), base64 of the big-endian digest (S3's `x-amz-checksum-crc32c` form). */
  partDigest(partNumber: number): Promise<string>;
  /** SHA-256 of the whole file, lowercase hex; resolves once every byte has been hashed. */
  sha256(): Promise<string>;
  /** Stops reading and hashing; pending promises reject. */
  dispose(): void;
}

/** Builds the {@link FileHasher} of a file for its part plan. */
export type CreateFileHasher = (file: Blob, plan: PartPlan, onDigest?: (partNumber: number, digest: string) => void) => FileHasher;

/** The CRC32C (Castagnoli) polynomial, reversed form (RFC 3720 §12.1), as S3's `CRC32C`. */
const CRC32C_POLYNOMIAL = 0x82f63b78;

/**
 * A part more than this many parts ahead of the sequential pass is hashed on
 * its own when asked for (e.g. the last part, to verify a resume) instead of
 * waiting for the pass to get there.
 */
const LOOKAHEAD_PARTS = 8;

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // a rejection nobody awaits is not an unhandled error
  return { promise, resolve, reject };
}

/** CRC32C (base64 of the big-endian digest, S3's form) of bytes. */
export async function crc32c(bytes: Uint8Array): Promise<string> {
  const h = await createCRC32(CRC32C_POLYNOMIAL);
  h.init();
  h.update(bytes);
  return hexToBase64(h.digest("hex"));
}

/** An incremental whole-file SHA-256 (hash-wasm's here, node:crypto's in the Node hasher). */
export interface IncrementalSha256 {
  update(bytes: Uint8Array): unknown;
  digest(encoding: "hex"): string;
}

/**
 * A file hasher in the current thread whose whole-file SHA-256 comes from `newSha256`. The
 * sequential pass starts at once and yields between parts, so it runs alongside the upload.
 * Memory: at most two parts' bytes (the one being hashed and the next one being read).
 * A part asked for more than {@link LOOKAHEAD_PARTS} ahead of the pass (resume checks the last
 * stored part) is read once more on its own: the only part ever read twice.
 */
export function sequentialFileHasher(newSha256: () => Promise<IncrementalSha256>): CreateFileHasher {
  return (file, plan, onDigest) => {
    const digests = new Map<number, Deferred<string>>();
    const whole = deferred<string>();
    let cursor = 0; // parts 1..cursor have been hashed by the pass
    let disposed = false;
    const slot = (n: number) => {
      let d = digests.get(n);
      if (!d) digests.set(n, (d = deferred<string>()));
      return d;
    };
    const settle = (n: number, digest: string) => {
      slot(n).resolve(digest);
      onDigest?.(n, digest);
    };

    void (async () => {
      const read = (n: number) => {
        const { start, end } = partRange(plan, n);
        const bytes = file.slice(start, end).arrayBuffer();
        bytes.catch(() => undefined); // a read left behind by a failure or dispose() is not an unhandled error
        return bytes;
      };
      try {
        const sha = await newSha256();
        const crc = await createCRC32(CRC32C_POLYNOMIAL);
        let next = plan.partCount > 0 ? read(1) : undefined;
        for (let n = 1; n <= plan.partCount; n++) {
          if (disposed) throw new Error("hasher disposed");
          const bytes = new Uint8Array(await (next as Promise<ArrayBuffer>));
          // The next part is read (by the browser's file reader, or the disk) while this one is hashed:
          // at most two parts' bytes are held, and the pass runs at the speed of hashing, not of hashing + reading.
          next = n < plan.partCount ? read(n + 1) : undefined;
          // The part's CRC32C first: a part waiting to be sent (checksums on) needs only that, not the SHA-256.
          crc.init();
          crc.update(bytes);
          settle(n, hexToBase64(crc.digest("hex")));
          cursor = n;
          sha.update(bytes);
        }
        if (plan.partCount === 0) sha.update(new Uint8Array(0));
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
}

/** The file hasher in this thread with hash-wasm's SHA-256 (the page's Worker, tests). */
export const createInlineFileHasher: CreateFileHasher = sequentialFileHasher(async () => {
  const sha = await createSHA256();
  sha.init();
  return sha;
});
