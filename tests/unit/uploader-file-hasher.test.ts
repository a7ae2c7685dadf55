/**
 * The sequential file hasher (issue 11): known-answer digests on the browser path (hash-wasm
 * SHA-256) and the Node path (node:crypto SHA-256), equal to each other; and the pass's order —
 * each part's CRC32C is settled before that part goes into the slower whole-file SHA-256, and the
 * next part is already being read while a part is hashed, with every byte read once and at most
 * two parts' reads outstanding.
 */
import { describe, expect, it } from "vitest";
import { createInlineFileHasher, sequentialFileHasher, type CreateFileHasher, type IncrementalSha256 } from "@/lib/uploader/file-hasher";
import { createNodeFileHasher } from "@/lib/uploader/node";
import type { PartPlan } from "@/lib/uploader/plan";
import { bytesOf, sha256 } from "@/lib/uploader/testing/bytes";

const enc = (s: string) => new TextEncoder().encode(s);
const HASHERS: Array<[string, CreateFileHasher]> = [
  ["browser (hash-wasm SHA-256)", createInlineFileHasher],
  ["Node (node:crypto SHA-256)", createNodeFileHasher],
];

describe.each(HASHERS)("known answers, %s", (_name, create) => {
  it("CRC32C of '123456789' is 0xE3069283 (RFC 3720 check value) for every part; SHA-256 of the whole file", async () => {
    const file = new Blob([enc("123456789".repeat(3))]);
    const h = create(file, { size: 27, partSize: 9, partCount: 3 });
    for (const n of [1, 2, 3]) expect(await h.partDigest(n)).toBe("4waSgw=="); // base64 of e3 06 92 83
    expect(await h.sha256()).toBe(sha256(enc("123456789".repeat(3))));
  });

  it("SHA-256 of 'abc' in three one-byte parts is the FIPS 180-2 example digest", async () => {
    const h = create(new Blob([enc("abc")]), { size: 3, partSize: 1, partCount: 3 });
    expect(await h.sha256()).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("an empty file: SHA-256 of nothing, no parts", async () => {
    const h = create(new Blob([]), { size: 0, partSize: 5, partCount: 0 });
    expect(await h.sha256()).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
});

describe("the browser and Node hashers agree", () => {
  it("on every part's CRC32C and the whole-file SHA-256 of an uneven multi-part file", async () => {
    const bytes = bytesOf(3 * 65536 + 777, 11);
    const plan: PartPlan = { size: bytes.length, partSize: 65536, partCount: 4 };
    const browser = createInlineFileHasher(new Blob([bytes]), plan);
    const node = createNodeFileHasher(new Blob([bytes]), plan);
    expect(await browser.sha256()).toBe(sha256(bytes));
    expect(await node.sha256()).toBe(sha256(bytes));
    for (let n = 1; n <= plan.partCount; n++) expect(await node.partDigest(n)).toBe(await browser.partDigest(n));
  });
});

describe("the pass's order (issue 11)", () => {
  /** A file whose reads resolve only when the test lets them, logging each read and its release. */
  function gatedFile(bytes: Uint8Array<ArrayBuffer>, log: string[]) {
    const pending: Array<() => void> = [];
    const blob = new Blob([bytes]);
    const file = {
      size: bytes.length,
      slice(start: number, end: number) {
        const part = blob.slice(start, end);
        log.push(`read ${start}-${end}`);
        return {
          arrayBuffer: () => new Promise<ArrayBuffer>((resolve) => pending.push(() => void part.arrayBuffer().then(resolve))),
        };
      },
    } as unknown as Blob;
    return { file, release: () => pending.shift()?.(), outstanding: () => pending.length };
  }

  it("settles a part's CRC32C before that part enters the SHA-256, and reads the next part while hashing", async () => {
    const bytes = bytesOf(4 * 1000, 3);
    const plan: PartPlan = { size: bytes.length, partSize: 1000, partCount: 4 };
    const log: string[] = [];
    const { file, release, outstanding } = gatedFile(bytes, log);
    const fed: number[] = [];
    const recordingSha = async (): Promise<IncrementalSha256> => ({
      update(b: Uint8Array) {
        fed.push(b.length);
        log.push(`sha ${fed.length}`);
      },
      digest: () => "done",
    });
    let maxOutstanding = 0;
    const h = sequentialFileHasher(recordingSha)(file, plan, (n) => log.push(`digest ${n}`));
    const whole = h.sha256();
    for (let i = 0; i < 200 && !log.includes("sha 4"); i++) {
      await new Promise((r) => setTimeout(r, 0));
      maxOutstanding = Math.max(maxOutstanding, outstanding());
      release();
    }
    expect(await whole).toBe("done");
    for (let n = 1; n <= 4; n++) {
      expect(log.indexOf(`digest ${n}`)).toBeGreaterThan(-1);
      expect(log.indexOf(`digest ${n}`)).toBeLessThan(log.indexOf(`sha ${n}`)); // CRC32C known before the SHA-256 work
    }
    for (let n = 1; n < 4; n++) expect(log.indexOf(`read ${n * 1000}-${(n + 1) * 1000}`)).toBeLessThan(log.indexOf(`digest ${n}`)); // read-ahead
    expect(log.filter((l) => l.startsWith("read"))).toHaveLength(4); // each part read once
    expect(fed.reduce((a, b) => a + b, 0)).toBe(bytes.length);
    expect(maxOutstanding).toBeLessThanOrEqual(2);
  });
});
