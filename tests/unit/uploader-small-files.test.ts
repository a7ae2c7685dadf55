/**
 * Small files go fast (issue 12): a file of one part costs the portal two requests — start and
 * complete — instead of four. In presigned mode the start's answer carries the part's signed URL (with
 * the part's CRC32C signed in: no `sign` call), and in both modes the part is reported with complete
 * (no `parts` call). Guarantees kept: the part's checksum reaches S3 and the portal's records, the
 * object is intact, a failed completion still leaves the part recorded for resume, and a portal from
 * before the fast path (no signed URL, parts with complete ignored) still gets the file completed.
 */
import { describe, expect, it } from "vitest";
import { checksumPart } from "@/lib/uploader/checksum";
import { type CreateFileHasher, createInlineFileHasher } from "@/lib/uploader/file-hasher";
import type { Clock } from "@/lib/uploader/clock";
import { createFileUpload } from "@/lib/uploader/file-upload";
import type { UploadFile } from "@/lib/uploader/file-upload-options";
import { KiB, MiB } from "@/lib/uploader/limits";
import type { CompleteInput, CreateSessionInput } from "@/lib/uploader/portal-api";
import { FakePortal, type FakePortalOptions } from "@/lib/uploader/testing/fake-portal";
import { MemoryS3 } from "@/lib/uploader/testing/memory-s3";
import { bytesOf, sha256 } from "@/lib/uploader/testing/bytes";

/**
 * Real time and real sleeps: the engine's 1 s part-report timer must not fire before complete (a
 * clock whose sleeps return at once would report every part at once).
 */
const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      signal?.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
    }),
};

function setup(size: number, portalOpts: Partial<FakePortalOptions> = {}, maxAttempts?: number) {
  const bytes = bytesOf(size, 7);
  const file = new File([bytes], "small.csv", { lastModified: 1_700_000_000_000 }) as UploadFile;
  const s3 = new MemoryS3({});
  const portal = new FakePortal({ s3, mode: "presigned", ...portalOpts });
  const upload = createFileUpload({ file, datasetId: "ds-1", api: portal, transport: s3, clock: realClock, retryBaseMs: 10, checksum: "CRC32C", ...(maxAttempts && { maxAttempts }) });
  return { bytes, file, s3, portal, upload };
}

const methods = (portal: FakePortal) => portal.calls.map((c) => c.method);

describe("small files: one part, two portal requests", () => {
  it("presigned: the start's answer signs the part with its CRC32C; the part is reported with complete", async () => {
    const t = setup(64 * KiB);
    await t.upload.start();
    expect(t.upload.state).toBe("completed");
    expect(methods(t.portal)).toEqual(["createSession", "complete"]);
    const crc = await checksumPart(t.file.slice(0, t.file.size), "CRC32C");
    expect((t.portal.callsOf("createSession")[0].args[0] as CreateSessionInput).partChecksum).toEqual({ algorithm: "CRC32C", value: crc });
    // The PUT carried the checksum that was signed in, and S3 stored the file's bytes.
    expect(t.s3.puts).toHaveLength(1);
    expect(t.s3.puts[0].headers["x-amz-checksum-crc32c"]).toBe(crc);
    expect(sha256(t.portal.object as Uint8Array)).toBe(sha256(t.bytes));
    // complete carried the part (number, size, S3's ETag, checksum) and the whole-file SHA-256.
    const body = t.portal.callsOf("complete")[0].args[1] as CompleteInput;
    expect(body.sha256).toBe(sha256(t.bytes));
    expect(body.parts).toEqual([{ partNumber: 1, size: 64 * KiB, etag: expect.stringMatching(/^"[0-9a-f]{32}"$/), checksum: { algorithm: "CRC32C", value: crc } }]);
  });

  it("sts: no part report of its own either (the part goes with complete)", async () => {
    const t = setup(5 * MiB, { mode: "sts" }); // the largest file of one part
    await t.upload.start();
    expect(t.upload.state).toBe("completed");
    expect(methods(t.portal)).toEqual(["createSession", "complete"]);
    expect(sha256(t.portal.object as Uint8Array)).toBe(sha256(t.bytes));
    expect((t.portal.callsOf("complete")[0].args[1] as CompleteInput).parts?.map((p) => p.partNumber)).toEqual([1]);
  });

  it("a file of several parts still signs with /sign and sends its checksums there", async () => {
    const t = setup(5 * MiB + 1);
    await t.upload.start();
    expect(t.upload.state).toBe("completed");
    expect((t.portal.callsOf("createSession")[0].args[0] as CreateSessionInput).partChecksum).toBeUndefined();
    expect(t.portal.callsOf("signParts").length).toBeGreaterThanOrEqual(2);
    expect(sha256(t.portal.object as Uint8Array)).toBe(sha256(t.bytes));
  });

  it("a portal from before the fast path: signs with /sign, and after complete's 409 reports the part and completes", async () => {
    const t = setup(64 * KiB, { legacy: true });
    await t.upload.start();
    expect(t.upload.state).toBe("completed");
    expect(methods(t.portal)).toEqual(["createSession", "signParts", "complete", "recordParts", "complete"]);
    expect(sha256(t.portal.object as Uint8Array)).toBe(sha256(t.bytes));
    expect([...t.portal.recorded.keys()]).toEqual([1]);
  });

  it("a completion that fails still leaves the part recorded (resumable: nothing is sent twice)", async () => {
    const t = setup(64 * KiB, { failCompleteTimes: 10 }, 2);
    await t.upload.start();
    expect(t.upload.state).toBe("failed");
    // complete (2 attempts) failed before the fake recorded anything; the part went to /parts afterwards.
    expect(methods(t.portal)).toEqual(["createSession", "complete", "complete", "recordParts"]);
    expect([...t.portal.recorded.keys()]).toEqual([1]);
  });

  // Issue 12 (the page's cost per file): the file is read and hashed once — by the file hasher (a
  // Worker on a page) — not a second time on the page's thread for the start's checksum.
  it("a CRC32C file of one part: the start's checksum is the file hasher's part 1 digest, not hashed again", async () => {
    const bytes = bytesOf(64 * KiB, 9);
    const file = new File([bytes], "small.csv", { lastModified: 1_700_000_000_000 }) as UploadFile;
    const s3 = new MemoryS3({});
    const portal = new FakePortal({ s3, mode: "presigned" });
    let hashedHere = 0;
    const upload = createFileUpload({
      file, datasetId: "ds-1", api: portal, transport: s3, clock: realClock, checksum: "CRC32C",
      hashFile: createInlineFileHasher,
      computeChecksum: async (blob, algorithm) => (hashedHere++, checksumPart(blob, algorithm)),
    });
    await upload.start();
    expect(upload.state).toBe("completed");
    expect(hashedHere).toBe(0);
    const crc = await checksumPart(file.slice(0, file.size), "CRC32C");
    expect((portal.callsOf("createSession")[0].args[0] as CreateSessionInput).partChecksum).toEqual({ algorithm: "CRC32C", value: crc });
    expect(s3.puts[0].headers["x-amz-checksum-crc32c"]).toBe(crc);
    expect(sha256(portal.object as Uint8Array)).toBe(sha256(bytes));
  });

  it("a file hasher that fails: the start's checksum is computed here instead, and the file still completes", async () => {
    const bytes = bytesOf(64 * KiB, 10);
    const file = new File([bytes], "small.csv", { lastModified: 1_700_000_000_000 }) as UploadFile;
    const s3 = new MemoryS3({});
    const portal = new FakePortal({ s3, mode: "presigned" });
    const failing: CreateFileHasher = () => ({ partDigest: () => Promise.reject(new Error("worker crashed")), sha256: () => Promise.reject(new Error("worker crashed")), dispose: () => undefined });
    let hashedHere = 0;
    const upload = createFileUpload({
      file, datasetId: "ds-1", api: portal, transport: s3, clock: realClock, checksum: "CRC32C",
      hashFile: failing,
      computeChecksum: async (blob, algorithm) => (hashedHere++, checksumPart(blob, algorithm)),
    });
    await upload.start();
    expect(upload.state).toBe("completed");
    expect(hashedHere).toBe(1);
    const crc = await checksumPart(file.slice(0, file.size), "CRC32C");
    expect((portal.callsOf("createSession")[0].args[0] as CreateSessionInput).partChecksum).toEqual({ algorithm: "CRC32C", value: crc });
    expect(sha256(portal.object as Uint8Array)).toBe(sha256(bytes));
  });
});
