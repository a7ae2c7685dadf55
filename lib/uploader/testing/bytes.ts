/** Test data for the engine's specs: deterministic bytes and their SHA-256 (Node only). */
import { createHash } from "node:crypto";

/** SHA-256 (hex) of `bytes`. */
export const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** Deterministic pseudo-random bytes (so a misplaced part changes the hash). */
export function bytesOf(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    out[i] = x % 256;
  }
  return out;
}
