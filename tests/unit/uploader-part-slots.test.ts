import { describe, expect, it } from "vitest";
import { createGate, createPartSlots, type PartSlot } from "@/lib/uploader/part-slots";
import { createFileUpload } from "@/lib/uploader/file-upload";
import type { UploadFile } from "@/lib/uploader/file-upload-options";
import { KiB } from "@/lib/uploader/limits";
import { FakePortal } from "@/lib/uploader/testing/fake-portal";
import { MemoryS3 } from "@/lib/uploader/testing/memory-s3";
import { bytesOf, sha256 } from "@/lib/uploader/testing/bytes";
import type { Clock } from "@/lib/uploader/clock";
import { throwIfAborted } from "@/lib/uploader/errors";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Acquires and records the order in which requests are granted. */
function recorder() {
  const granted: string[] = [];
  const slots = new Map<string, PartSlot>();
  return {
    granted,
    take: (name: string, p: Promise<PartSlot>) => void p.then((s) => { granted.push(name); slots.set(name, s); }),
    release: (name: string) => slots.get(name)?.release(),
  };
}

describe("part slots: the scheduler", () => {
  it("never grants more than the limit", async () => {
    const slots = createPartSlots({ limit: 3 });
    const r = recorder();
    for (let i = 0; i < 10; i++) r.take(`p${i}`, slots.acquire({ remainingBytes: 100 }));
    await tick();
    expect(r.granted).toHaveLength(3);
    expect(slots.inFlight).toBe(3);
    expect(slots.waiting).toBe(7);
    r.release("p0");
    r.release("p0"); // a second release is a no-op, not a second free slot
    await tick();
    expect(r.granted).toHaveLength(4);
    expect(slots.inFlight).toBe(3);
  });

  it("gives a free slot to the small file queued behind a big one", async () => {
    let t = 0;
    const slots = createPartSlots({ limit: 2, now: () => t });
    const r = recorder();
    r.take("big-1", slots.acquire({ remainingBytes: 64 * 1024 * 1024 }));
    r.take("big-2", slots.acquire({ remainingBytes: 64 * 1024 * 1024 }));
    for (let i = 3; i <= 8; i++) r.take(`big-${i}`, slots.acquire({ remainingBytes: 64 * 1024 * 1024 }));
    t += 5;
    r.take("small", slots.acquire({ remainingBytes: 79 })); // arrives last
    await tick();
    expect(r.granted).toEqual(["big-1", "big-2"]);
    r.release("big-1");
    await tick();
    expect(r.granted.at(-1)).toBe("small"); // not big-3, which waited longer
  });

  it("serves a request that has waited past maxWaitMs before smaller ones (a big file is not starved either)", async () => {
    let t = 0;
    const slots = createPartSlots({ limit: 1, maxWaitMs: 1_000, now: () => t });
    const r = recorder();
    r.take("first", slots.acquire({ remainingBytes: 1 }));
    r.take("big", slots.acquire({ remainingBytes: 1_000_000 }));
    await tick();
    t = 500;
    r.take("small-a", slots.acquire({ remainingBytes: 10 }));
    r.release("first");
    await tick();
    expect(r.granted).toEqual(["first", "small-a"]);
    t = 1_500; // big has now waited 1.5 s
    r.take("small-b", slots.acquire({ remainingBytes: 10 }));
    r.release("small-a");
    await tick();
    expect(r.granted).toEqual(["first", "small-a", "big"]);
  });

  it("setLimit raises the limit at once and lowers it as parts finish", async () => {
    const slots = createPartSlots({ limit: 2 });
    const r = recorder();
    for (let i = 0; i < 8; i++) r.take(`p${i}`, slots.acquire({ remainingBytes: 1 }));
    await tick();
    expect(r.granted).toHaveLength(2);
    slots.setLimit(5);
    await tick();
    expect(r.granted).toHaveLength(5);
    expect(slots.limit).toBe(5);
    slots.setLimit(1);
    r.release("p0");
    r.release("p1");
    r.release("p2");
    r.release("p3");
    await tick();
    expect(r.granted).toHaveLength(5); // 1 still in flight = the new limit: nothing granted
    r.release("p4");
    await tick();
    expect(r.granted).toHaveLength(6);
    expect(slots.inFlight).toBe(1);
  });

  it("an aborted wait leaves the queue and rejects with the reason", async () => {
    const slots = createPartSlots({ limit: 1 });
    const held = await slots.acquire({ remainingBytes: 1 });
    const c = new AbortController();
    const waiting = slots.acquire({ remainingBytes: 1, signal: c.signal });
    c.abort(new Error("paused"));
    await expect(waiting).rejects.toThrow();
    expect(slots.waiting).toBe(0);
    held.release();
    expect(slots.inFlight).toBe(0);
  });

  it("a FIFO gate is first come, first served", async () => {
    const gate = createGate(1, { bySize: false });
    const r = recorder();
    r.take("a", gate.acquire({ remainingBytes: 1_000 }));
    r.take("b", gate.acquire({ remainingBytes: 5_000 }));
    r.take("c", gate.acquire({ remainingBytes: 1 }));
    await tick();
    r.release("a");
    await tick();
    r.release("b");
    await tick();
    expect(r.granted).toEqual(["a", "b", "c"]);
  });
});

/** Real time, but back-off sleeps return at once. */
const fastClock: Clock = {
  now: () => Date.now(),
  sleep: async (_ms, signal) => {
    await tick();
    throwIfAborted(signal);
  },
};

function fileOf(name: string, size: number): { file: UploadFile; bytes: Uint8Array } {
  const bytes = bytesOf(size);
  return { bytes, file: new File([bytes], name, { lastModified: 1_700_000_000_000 }) as UploadFile };
}

describe("session gate by size", () => {
  it("lets the smallest waiting file create its session first", async () => {
    const gate = createGate(1);
    const r = recorder();
    r.take("first", gate.acquire({ remainingBytes: 10 }));
    r.take("big", gate.acquire({ remainingBytes: 40 << 20 }));
    r.take("small", gate.acquire({ remainingBytes: 100 }));
    await tick();
    r.release("first");
    await tick();
    expect(r.granted).toEqual(["first", "small"]);
  });
});

describe("part slots: several files at once", () => {
  it("several files share one limit of parts in flight, and a small file started behind a big one finishes first", async () => {
    // Every PUT is held a few ms so parts overlap.
    const s3 = new MemoryS3({ faults: () => ({ kind: "delay", ms: 3 }) });
    const slots = createPartSlots({ limit: 3 });
    const big = fileOf("big.bin", 40 * 16 * KiB);
    const small = fileOf("small.csv", 79);
    const bigPortal = new FakePortal({ s3, partSize: 16 * KiB });
    const smallPortal = new FakePortal({ s3, partSize: 16 * KiB });
    const common = { datasetId: "ds-1", transport: s3, clock: fastClock, hashFile: null, probeStore: null, concurrency: 3, slots };
    const bigUpload = createFileUpload({ ...common, file: big.file, api: bigPortal });
    const smallUpload = createFileUpload({ ...common, file: small.file, api: smallPortal });
    const bigRun = bigUpload.start();
    // The small file arrives once the big one is sending parts.
    while (s3.puts.length < 2) await tick();
    await smallUpload.start();
    expect(smallUpload.state).toBe("completed");
    expect(bigUpload.state).toBe("uploading"); // the big one is still going when the small one is done
    await bigRun;
    expect(bigUpload.state).toBe("completed");
    expect(s3.maxInFlight).toBeLessThanOrEqual(3); // 2 files × 3 lanes, but one shared limit of 3
    expect(s3.maxInFlight).toBeGreaterThanOrEqual(2);
    expect(sha256(bigPortal.object as Uint8Array)).toBe(sha256(big.bytes));
    expect(sha256(smallPortal.object as Uint8Array)).toBe(sha256(small.bytes));
    expect(slots.inFlight).toBe(0);
  });

  it("setLimit during an upload changes the parts in flight of all files", async () => {
    const s3 = new MemoryS3({ faults: () => ({ kind: "delay", ms: 2 }) });
    const slots = createPartSlots({ limit: 1 });
    const files = [fileOf("a.bin", 20 * 16 * KiB), fileOf("b.bin", 20 * 16 * KiB)];
    const uploads = files.map((f) => createFileUpload({
      datasetId: "ds-1", transport: s3, clock: fastClock, hashFile: null, probeStore: null, concurrency: 4, slots,
      file: f.file, api: new FakePortal({ s3, partSize: 16 * KiB }),
    }));
    const runs = uploads.map((u) => u.start());
    while (s3.puts.length < 4) await tick();
    expect(s3.maxInFlight).toBe(1);
    slots.setLimit(6);
    await Promise.all(runs);
    expect(uploads.map((u) => u.state)).toEqual(["completed", "completed"]);
    expect(s3.maxInFlight).toBeGreaterThan(1);
    expect(s3.maxInFlight).toBeLessThanOrEqual(6);
  });
});

describe("file queue: which file starts next", () => {
  it("starts the smallest queued file, ties in queue order, restarts first", async () => {
    const { nextFileIndex, rateLimitLabel } = await import("@/lib/uploader/file-queue");
    expect(nextFileIndex([])).toBe(-1);
    expect(nextFileIndex([{ size: 64 << 20 }, { size: 79 }, { size: 79 }, { size: 1 << 20 }])).toBe(1);
    expect(nextFileIndex([{ size: 5 }, { size: 64 << 20, first: true }])).toBe(1);
    expect(rateLimitLabel(11_200)).toBe("Waiting 12 s: upload limit");
    expect(rateLimitLabel(0)).toBe("Waiting 1 s: upload limit");
  });
});
