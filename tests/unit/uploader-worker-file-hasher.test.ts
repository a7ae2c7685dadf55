/**
 * The page's worker-backed file hasher (issue 11, "Many files"): the files of a page reuse a pool of
 * hashing workers (one per file hashing at once, at most 6) instead of starting one worker each (a worker start + hash-wasm load cost
 * ~0.1 s of CPU, more than hashing a small file: 500 × 256 KiB spent most of its time on it). Runs the
 * real worker handler (`createHashWorkerHandler`) in this thread behind a fake `Worker` that counts
 * how many workers were started; every digest is checked against node:crypto / the inline hasher.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createInlineFileHasher } from "@/lib/uploader/file-hasher";
import { createHashWorkerHandler, type HashWorkerRequest, type HashWorkerResponse } from "@/lib/uploader/hash-worker";
import type { PartPlan } from "@/lib/uploader/plan";
import { bytesOf, sha256 } from "@/lib/uploader/testing/bytes";

/** A Worker that runs the real hash-worker handler in this thread, asynchronously like a worker. */
class FakeWorker {
  static started: FakeWorker[] = [];
  onmessage: ((e: { data: HashWorkerResponse }) => void) | null = null;
  onerror: ((e: { message: string }) => void) | null = null;
  terminated = false;
  /** Files this worker was asked to hash (start messages). */
  starts = 0;
  private readonly handle = createHashWorkerHandler((m) => queueMicrotask(() => !this.terminated && this.onmessage?.({ data: m })));
  constructor() {
    FakeWorker.started.push(this);
  }
  postMessage(m: HashWorkerRequest) {
    if (m.type === "start") this.starts++;
    queueMicrotask(() => !this.terminated && this.handle(m)); // microtasks: not faked by vi.useFakeTimers
  }
  terminate() {
    this.terminated = true;
  }
  crash(message: string) {
    this.onerror?.({ message });
  }
}

const plan = (size: number, partSize: number): PartPlan => ({ size, partSize, partCount: Math.ceil(size / partSize) });

/** A fresh copy of the module (its pool is module state). */
async function load() {
  vi.resetModules();
  return import("@/lib/uploader/worker-file-hasher");
}

beforeEach(() => {
  FakeWorker.started = [];
  vi.stubGlobal("Worker", FakeWorker);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("several files", () => {
  it("20 files hashed at once: at most 6 workers, and every file gets its own correct digests", async () => {
    const { createWorkerFileHasher, MAX_HASH_WORKERS } = await load();
    expect(MAX_HASH_WORKERS).toBe(6);
    const files = Array.from({ length: 20 }, (_, i) => bytesOf(3_000 + 17 * i, i + 1));
    const hashers = files.map((bytes) => createWorkerFileHasher(new Blob([bytes]), plan(bytes.length, 1_024)));
    const got = await Promise.all(hashers.map(async (h, i) => ({ last: await h.partDigest(plan(files[i].length, 1_024).partCount), sha: await h.sha256() })));
    expect(FakeWorker.started).toHaveLength(6);
    expect(FakeWorker.started.map((w) => w.starts)).toEqual([4, 4, 3, 3, 3, 3]); // each file on the least busy worker
    for (let i = 0; i < files.length; i++) {
      expect(got[i].sha).toBe(sha256(files[i]));
      const inline = createInlineFileHasher(new Blob([files[i]]), plan(files[i].length, 1_024));
      expect(got[i].last).toBe(await inline.partDigest(plan(files[i].length, 1_024).partCount));
    }
  });

  it("50 files one after another (each hashed before the next starts) all use one worker", async () => {
    const { createWorkerFileHasher } = await load();
    for (let i = 0; i < 50; i++) {
      const bytes = bytesOf(1_500, i + 1);
      expect(await createWorkerFileHasher(new Blob([bytes]), plan(bytes.length, 1_024)).sha256()).toBe(sha256(bytes));
    }
    expect(FakeWorker.started).toHaveLength(1);
    expect(FakeWorker.started[0].starts).toBe(50);
  });

  it("disposing one file does not disturb another on the same worker", async () => {
    const { createWorkerFileHasher } = await load();
    const files = Array.from({ length: 7 }, (_, i) => bytesOf(4_096, i + 1)); // the 7th shares the first worker
    const hashers = files.map((bytes) => createWorkerFileHasher(new Blob([bytes]), plan(bytes.length, 1_024)));
    expect(FakeWorker.started[0].starts).toBe(2);
    hashers[0].dispose();
    await expect(hashers[0].sha256()).rejects.toThrow(/disposed/);
    expect(await hashers[6].sha256()).toBe(sha256(files[6]));
  });
});

describe("worker lifetime", () => {
  it("a worker without files is kept for a next file within the idle time, then terminated", async () => {
    const { createWorkerFileHasher, HASH_WORKER_IDLE_MS } = await load();
    vi.useFakeTimers(); // only the idle timer: the fake worker answers in microtasks
    const hashOne = async (seed: number) => {
      const bytes = bytesOf(2_000, seed);
      expect(await createWorkerFileHasher(new Blob([bytes]), plan(bytes.length, 1_024)).sha256()).toBe(sha256(bytes));
    };
    await hashOne(1);
    await vi.advanceTimersByTimeAsync(HASH_WORKER_IDLE_MS - 1);
    await hashOne(2); // within the idle time: the same worker
    expect(FakeWorker.started).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(HASH_WORKER_IDLE_MS - 1);
    expect(FakeWorker.started[0].terminated).toBe(false);
    await vi.advanceTimersByTimeAsync(2);
    expect(FakeWorker.started[0].terminated).toBe(true);
    await hashOne(3); // a new worker
    expect(FakeWorker.started).toHaveLength(2);
  });

  it("a crashing worker: its files finish on the page's thread, and a later file gets a new worker", async () => {
    const { createWorkerFileHasher } = await load();
    const a = bytesOf(5_000, 1);
    const b = bytesOf(5_000, 2);
    const ha = createWorkerFileHasher(new Blob([a]), plan(a.length, 1_024));
    const hb = createWorkerFileHasher(new Blob([b]), plan(b.length, 1_024));
    FakeWorker.started[0].crash("boom");
    expect(FakeWorker.started[0].terminated).toBe(true);
    expect(await ha.sha256()).toBe(sha256(a));
    expect(await hb.sha256()).toBe(sha256(b));
    const c = bytesOf(5_000, 3);
    const hc = createWorkerFileHasher(new Blob([c]), plan(c.length, 1_024));
    expect(await hc.sha256()).toBe(sha256(c));
    expect(FakeWorker.started).toHaveLength(2);
  });
});
