/** Test files on disk (disk-backed `File`s in the browser, as users pick them), with their SHA-256. */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const DIR = path.resolve(__dirname, "../../.tmp/e2e-files");

/**
 * Writes `size` bytes of random data to .tmp/e2e-files/{name} (a sub-folder per call keeps names
 * free, so two files may share a name). @returns the path and the SHA-256 (hex) of the content.
 */
export function makeFile(name: string, size: number): { path: string; sha256: string; size: number } {
  const dir = path.join(DIR, randomBytes(6).toString("hex"));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  const fd = fs.openSync(file, "w");
  const hash = createHash("sha256");
  const block = randomBytes(4 * 1024 * 1024);
  let written = 0;
  let counter = 0;
  while (written < size) {
    // Vary each block so no two parts are identical.
    block.writeUInt32LE(counter++, 0);
    const n = Math.min(block.length, size - written);
    const chunk = block.subarray(0, n);
    fs.writeSync(fd, chunk);
    hash.update(chunk);
    written += n;
  }
  fs.closeSync(fd);
  return { path: file, sha256: hash.digest("hex"), size };
}
