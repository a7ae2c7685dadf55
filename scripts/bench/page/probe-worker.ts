/**
 * The bench's hashing probe (issue 11), a Worker bundled on its own: reads every part of the File it
 * is given once (`slice().arrayBuffer()`, as the engine's hasher does) and hashes it with one
 * candidate, so the cost of each per-part checksum and whole-file digest is measured in Chromium:
 * `crc32c` (hash-wasm, the engine's per-part checksum), `sha256-wasm` (hash-wasm incremental, the
 * engine's whole-file SHA-256), `sha256-subtle` (WebCrypto `crypto.subtle.digest` per part: native,
 * but one-shot, so usable per part only). Message in: `{file, partSize, hash}`; out: bytes hashed.
 */
import { createCRC32, createSHA256 } from "hash-wasm";

export type ProbeHash = "crc32c" | "sha256-wasm" | "sha256-subtle";

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<{ file: Blob; partSize: number; hash: ProbeHash }>) => void) | null; postMessage(m: unknown): void };

scope.onmessage = async (e) => {
  const { file, partSize, hash } = e.data;
  const crc = await createCRC32(0x82f63b78);
  const sha = await createSHA256();
  sha.init();
  let n = 0;
  for (let start = 0; start < file.size; start += partSize) {
    const bytes = new Uint8Array(await file.slice(start, Math.min(file.size, start + partSize)).arrayBuffer());
    if (hash === "crc32c") {
      crc.init();
      crc.update(bytes);
      crc.digest("hex");
    } else if (hash === "sha256-wasm") {
      sha.update(bytes);
    } else {
      await crypto.subtle.digest("SHA-256", bytes);
    }
    n += bytes.length;
  }
  if (hash === "sha256-wasm") sha.digest("hex");
  scope.postMessage(n);
};
