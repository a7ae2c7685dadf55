/**
 * Resume after a reload (CASES 14, 15), whole-file SHA-256 and per-part checksums with stores that
 * do not verify them (CASES 21, 22), with the in-memory S3 and portal.
 */
import { crc32 } from "hash-wasm";
import { describe, expect, it } from "vitest";
import { hexToBase64 } from "@/lib/uploader/checksum";
import type { Clock } from "@/lib/uploader/clock";
import { throwIfAborted } from "@/lib/uploader/errors";
import type { FileUploadEvent } from "@/lib/uploader/events";
import { createInlineFileHasher } from "@/lib/uploader/file-hasher";
import { createFileUpload } from "@/lib/uploader/file-upload";
import type { FileUploadOptions, UploadFile } from "@/lib/uploader/file-upload-options";
import { KiB, MiB } from "@/lib/uploader/limits";
import { FakePortal } from "@/lib/uploader/testing/fake-portal";
import { type Fault, MemoryS3, type PutInfo } from "@/lib/uploader/testing/memory-s3";
import { bytesOf, sha256 } from "@/lib/uploader/testing/bytes";



const fastClock: Clock = {
  now: () => Date.now(),
  sleep: async (_ms, signal) => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    throwIfAborted(signal);
  },
};

const fileOf = (bytes: Uint8Array<ArrayBuffer>, name = "data.csv") => new File([bytes], name, { lastModified: 1_700_000_000_000 }) as UploadFile;

/** One "page visit": an upload of `file` on the shared S3 and portal, collecting its events. */
function visit(s3: MemoryS3, portal: FakePortal, file: UploadFile, extra: Partial<FileUploadOptions> = {}) {
  const events: FileUploadEvent[] = [];
  const upload = createFileUpload({ clock: fastClock, file, datasetId: "ds-1", api: portal, transport: s3, onEvent: (e) => events.push(e), ...extra });
  const digests = () => Object.fromEntries(events.flatMap((e) => (e.type === "digest" ? [[e.partNumber, e.digest]] : [])));
  const errors = () => events.flatMap((e) => (e.type === "error" ? [e.error] : []));
  return { upload, events, digests, errors };
}

describe("resume after a reload (CASES 14, 15)", { timeout: 30_000 }, () => {
  const partSize = 256 * KiB;
  const size = 2 * MiB + 5; // 9 parts

  /** A first visit that stores parts 1–4 and is then abandoned (the page reloads). */
  async function interrupted(bytes: Uint8Array<ArrayBuffer>) {
    let gate = true;
    const s3 = new MemoryS3({ faults: (p: PutInfo): Fault | undefined => (gate && p.partNumber > 4 ? { kind: "stall" } : undefined) });
    const portal = new FakePortal({ s3, partSize });
    const first = visit(s3, portal, fileOf(bytes), { concurrency: 2, recordBatchSize: 1, stallTimeoutMs: 60_000 });
    void first.upload.start();
    // Wait until parts 1–4 are stored and their fingerprints known (the page keeps them as they come):
    // a condition, not a time budget (the test's own timeout is the only guard).
    while (portal.recorded.size < 4 || Object.keys(first.digests()).length < 4) await new Promise((r) => setTimeout(r, 2));
    first.upload.pause(); // the page goes away: nothing more is sent from it
    gate = false;
    const sessionId = first.upload.sessionId as string;
    s3.puts.length = 0;
    return { s3, portal, sessionId, digests: first.digests() };
  }

  it("selecting the same file again sends only the missing parts, and the object is intact", async () => {
    const bytes = bytesOf(size, 3);
    const { s3, portal, sessionId, digests } = await interrupted(bytes);
    expect(Object.keys(digests).length).toBeGreaterThanOrEqual(4);
    const second = visit(s3, portal, fileOf(bytes), { resume: { sessionId, digests } });
    await second.upload.start();
    expect(second.upload.state).toBe("completed");
    expect(portal.callsOf("createSession")).toHaveLength(1); // no new session
    expect(s3.puts.map((p) => p.partNumber).sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 9]);
    expect(sha256(portal.object as Uint8Array)).toBe(sha256(bytes));
    // The whole-file SHA-256 goes with complete (with the parts not yet reported, issue 12).
    expect((portal.callsOf("complete").at(-1)?.args[1] as { sha256?: string }).sha256).toBe(sha256(bytes));
  });

  it("refuses a different file with the same name, size and date, and says so (nothing merged)", async () => {
    const bytes = bytesOf(size, 3);
    const { s3, portal, sessionId, digests } = await interrupted(bytes);
    const other = bytesOf(size, 4);
    const second = visit(s3, portal, fileOf(other), { resume: { sessionId, digests } });
    await second.upload.start();
    expect(second.upload.state).toBe("failed");
    expect(second.errors()).toEqual([expect.objectContaining({ code: "file_changed", message: expect.stringMatching(/different content.*not merged/) })]);
    expect(s3.puts).toHaveLength(0);
    expect(portal.callsOf("complete")).toHaveLength(0);
  });

  it("detects a different file whose first part is equal but last stored part differs", async () => {
    const bytes = bytesOf(size, 3);
    const { s3, portal, sessionId, digests } = await interrupted(bytes);
    const other = bytes.slice();
    other[3 * partSize + 10] ^= 0xff; // inside part 4, the last stored part
    const second = visit(s3, portal, fileOf(other), { resume: { sessionId, digests } });
    await second.upload.start();
    expect(second.errors()).toEqual([expect.objectContaining({ code: "file_changed", partNumber: 4 })]);
  });

  it("sends again stored parts whose fingerprint the page never kept", async () => {
    const bytes = bytesOf(size, 3);
    const { s3, portal, sessionId, digests } = await interrupted(bytes);
    const partial = { ...digests };
    delete partial[2];
    const second = visit(s3, portal, fileOf(bytes), { resume: { sessionId, digests: partial } });
    await second.upload.start();
    expect(second.upload.state).toBe("completed");
    expect(s3.puts.map((p) => p.partNumber).sort((a, b) => a - b)).toEqual([2, 5, 6, 7, 8, 9]);
    expect(sha256(portal.object as Uint8Array)).toBe(sha256(bytes));
  });

  it("reports a cancelled session as not resumable", async () => {
    const bytes = bytesOf(size, 3);
    const { s3, portal, sessionId, digests } = await interrupted(bytes);
    await portal.abort(sessionId);
    const second = visit(s3, portal, fileOf(bytes), { resume: { sessionId, digests } });
    await second.upload.start();
    expect(second.errors()).toEqual([expect.objectContaining({ code: "not_resumable" })]);
  });
});

describe("integrity (CASES 21, 22)", () => {
  it("hashes the whole file and each part once, reading one part-sized slice at a time", async () => {
    const bytes = bytesOf(1 * MiB + 7, 9);
    const file = fileOf(bytes);
    const reads: number[] = [];
    const spy = new Proxy(file, {
      get(target, prop) {
        if (prop === "slice") return (a: number, b: number) => { reads.push(b - a); return target.slice(a, b); };
        const v = Reflect.get(target, prop, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    const plan = { size: bytes.length, partSize: 256 * KiB, partCount: 5 };
    const seen: number[] = [];
    const h = createInlineFileHasher(spy, plan, (n) => seen.push(n));
    expect(await h.sha256()).toBe(sha256(bytes));
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(Math.max(...reads)).toBe(256 * KiB);
    expect(reads.reduce((a, b) => a + b, 0)).toBe(bytes.length); // every byte read once
    expect(await h.partDigest(5)).toBe(hexToBase64(await crc32(bytes.subarray(4 * 256 * KiB), 0x82f63b78)));
  });

  it("sends CRC32C per part where the store verifies them, and the whole-file SHA-256 on complete", async () => {
    const bytes = bytesOf(1 * MiB, 5);
    const s3 = new MemoryS3();
    const portal = new FakePortal({ s3, partSize: 256 * KiB, mode: "sts" });
    const v = visit(s3, portal, fileOf(bytes), { checksum: "CRC32C" });
    await v.upload.start();
    expect(v.upload.state).toBe("completed");
    expect(s3.puts.every((p) => p.headers["x-amz-checksum-crc32c"] !== undefined)).toBe(true);
    expect([...portal.recorded.values()].every((p) => p.checksum?.algorithm === "CRC32C")).toBe(true);
    expect((portal.callsOf("complete")[0].args[1] as { sha256?: string }).sha256).toBe(sha256(bytes));
  });

  it("falls back to no checksums when the store ignores them (Ceph RGW 16): the upload completes intact", async () => {
    const bytes = bytesOf(1 * MiB, 6);
    const s3 = new MemoryS3({ ignoreChecksums: true });
    const portal = new FakePortal({ s3, partSize: 256 * KiB, mode: "sts" });
    const v = visit(s3, portal, fileOf(bytes), { checksum: "CRC32C", concurrency: 1 });
    await v.upload.start();
    expect(v.upload.state).toBe("completed");
    expect(v.events.filter((e) => e.type === "checksums-off")).toHaveLength(1);
    expect(s3.puts.filter((p) => p.headers["x-amz-checksum-crc32c"] !== undefined).map((p) => p.partNumber)).toEqual([1]);
    expect([...portal.recorded.values()].some((p) => p.checksum)).toBe(false);
    expect(sha256(portal.object as Uint8Array)).toBe(sha256(bytes));
  });

  it("falls back to no checksums when the store refuses the header, without spending attempts", async () => {
    const bytes = bytesOf(512 * KiB, 7);
    const s3 = new MemoryS3({ faults: (p) => (p.headers["x-amz-checksum-crc32c"] ? { kind: "status", status: 400, code: "InvalidRequest", message: "x-amz-checksum-crc32c is not supported" } : undefined) });
    const portal = new FakePortal({ s3, partSize: 256 * KiB, mode: "sts" });
    const v = visit(s3, portal, fileOf(bytes), { checksum: "CRC32C", concurrency: 1, maxAttempts: 1 });
    await v.upload.start();
    expect(v.upload.state).toBe("completed");
    expect(v.events.find((e) => e.type === "checksums-off")).toMatchObject({ reason: expect.stringContaining("InvalidRequest") });
    expect(sha256(portal.object as Uint8Array)).toBe(sha256(bytes));
  });
});

describe("outages (CASES 9)", () => {
  const failing = (times: number) => (p: PutInfo): Fault | undefined => (p.partNumber === 2 && p.attempt <= times ? { kind: "reset" } : undefined);

  it("waits out a run of failures without any answer (refused or reset connections) beyond maxAttempts", async () => {
    const bytes = bytesOf(1 * MiB, 8);
    const s3 = new MemoryS3({ faults: failing(12) });
    const portal = new FakePortal({ s3, partSize: 256 * KiB });
    const v = visit(s3, portal, fileOf(bytes), { maxAttempts: 6 });
    await v.upload.start();
    expect(v.upload.state).toBe("completed");
    expect(s3.putsOf(2)).toHaveLength(13);
    expect(sha256(portal.object as Uint8Array)).toBe(sha256(bytes));
  });

  it("counts them as attempts once the outage tolerance is used up", async () => {
    const s3 = new MemoryS3({ faults: failing(12) });
    const portal = new FakePortal({ s3, partSize: 256 * KiB });
    const v = visit(s3, portal, fileOf(bytesOf(1 * MiB, 8)), { maxAttempts: 6, outageToleranceMs: 0 });
    await v.upload.start();
    expect(v.upload.state).toBe("failed");
    expect(s3.putsOf(2)).toHaveLength(6);
    expect(v.errors()).toEqual([expect.objectContaining({ code: "network", partNumber: 2 })]);
  });
});

describe("part reports (resume state on the portal)", () => {
  it("reports finished parts after recordIntervalMs even when no further part finishes", async () => {
    const s3 = new MemoryS3({ faults: (p) => (p.partNumber > 2 ? { kind: "stall" } : undefined) });
    const portal = new FakePortal({ s3, partSize: 256 * KiB });
    const v = visit(s3, portal, fileOf(bytesOf(1 * MiB, 2)), { clock: { now: Date.now, sleep: (ms, signal) => new Promise((resolve, reject) => { const t = setTimeout(resolve, ms); signal?.addEventListener("abort", () => { clearTimeout(t); reject(signal.reason); }); }) }, recordBatchSize: 8, recordIntervalMs: 20, concurrency: 2, stallTimeoutMs: 60_000 });
    void v.upload.start();
    // Wait for the condition (recordIntervalMs of real time, however long the machine takes to get there).
    while (portal.recorded.size < 2) await new Promise((r) => setTimeout(r, 5));
    expect([...portal.recorded.keys()].sort()).toEqual([1, 2]);
    v.upload.pause();
  }, 30_000);
});
