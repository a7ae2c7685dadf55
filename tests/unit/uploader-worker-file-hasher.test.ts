/**
 * The page's worker-backed file hasher (issue 11, "Many files"): the files of a page share a small
 * pool of hashing workers instead of starting one worker each (a worker start + hash-wasm load cost
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

/** A fresh copy of the module (its pool is module state), with `cores` reported by navigator. */
async function load(cores: number) {
  vi.resetModules();
  vi.stubGlobal("navigator", { hardwareConcurrency: cores });
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

describe("pool size", () => {
  it("is half the cores, at least 1, at most 4", async () => {
    const { hashWorkerPoolSize } = await load(2);
    expect([undefined, 1, 2, 3, 4, 8, 16].map(hashWorkerPoolSize)).toEqual([1, 1, 1, 1, 2, 4, 4]);
  });
});

describe("several files at once", () => {
  it("on 2 cores, 20 files hashed at once share one worker, and every file gets its own correct digests", async () => {
    const { createWorkerFileHasher } = await load(2);
    const files = Array.from({ length: 20 }, (_, i) => bytesOf(3_000 + 17 * i, i + 1));
    const hashers = files.map((bytes) => createWorkerFileHasher(new Blob([bytes]), plan(bytes.length, 1_024)));
    const got = await Promise.all(hashers.map(async (h, i) => ({ last: await h.partDigest(plan(files[i].length, 1_024).partCount), sha: await h.sha256() })));
    expect(FakeWorker.started).toHaveLength(1);
    expect(FakeWorker.started[0].starts).toBe(20);
    for (let i = 0; i < files.length; i++) {
      expect(got[i].sha).toBe(sha256(files[i]));
      const inline = createInlineFileHasher(new Blob([files[i]]), plan(files[i].length, 1_024));
      expect(got[i].last).toBe(await inline.partDigest(plan(files[i].length, 1_024).partCount));
    }
  });

  it("on 8 cores, at most 4 workers for 6 files, each file on the least busy one", async () => {
    const { createWorkerFileHasher } = await load(8);
    const files = Array.from({ length: 6 }, (_, i) => bytesOf(2_048, i + 1));
    const hashers = files.map((bytes) => createWorkerFileHasher(new Blob([bytes]), plan(bytes.length, 1_024)));
    expect(FakeWorker.started).toHaveLength(4);
    expect(FakeWorker.started.map((w) => w.starts)).toEqual([2, 2, 1, 1]);
    expect(await Promise.all(hashers.map((h) => h.sha256()))).toEqual(files.map(sha256));
  });

  it("disposing one file does not disturb the others on the same worker", async () => {
    const { createWorkerFileHasher } = await load(2);
    const a = bytesOf(4_096, 1);
    const b = bytesOf(4_096, 2);
    const ha = createWorkerFileHasher(new Blob([a]), plan(a.length, 1_024));
    const hb = createWorkerFileHasher(new Blob([b]), plan(b.length, 1_024));
    ha.dispose();
    await expect(ha.sha256()).rejects.toThrow(/disposed/);
    expect(await hb.sha256()).toBe(sha256(b));
    expect(FakeWorker.started).toHaveLength(1);
  });
});

describe("worker lifetime", () => {
  it("a worker without files is kept for a next file within the idle time, then terminated", async () => {
    const { createWorkerFileHasher, HASH_WORKER_IDLE_MS } = await load(2);
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
    const { createWorkerFileHasher } = await load(2);
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
