/**
 * Part tuning (lib/uploader/tuning.ts, issue 11): decisions from synthetic per-part timings on an
 * injected clock, S3's limits on the part size, fixed mode equal to today's plan, and the pool's
 * limit that may change while it runs.
 */
import { describe, expect, it } from "vitest";
import { GiB, MAX_PARTS, MAX_PART_SIZE, MIN_PART_SIZE, MiB, TiB } from "@/lib/uploader/limits";
import { planParts } from "@/lib/uploader/plan";
import { runPool } from "@/lib/uploader/pool";
import { MAX_TUNED_CONCURRENCY, MAX_TUNED_PART_SIZE, adaptivePartSize, createPartTuner, fitLink, type PartTuner, tuneSharedSlots } from "@/lib/uploader/tuning";

/**
 * Drives a tuner as the part pool would: `lanes()` parts in flight, each part taking
 * `partMs(lanes)` ms of injected time, completions in time order. Returns the levels seen.
 */
function simulate(tuner: ReturnType<typeof createPartTuner>, clock: { t: number }, parts: number, partBytes: number, partMs: (lanes: number) => number): number[] {
  const running: number[] = []; // completion times
  const levels: number[] = [];
  let started = 0;
  let done = 0;
  const fill = () => {
    while (started < parts && running.length < tuner.concurrency()) {
      running.push(clock.t + partMs(tuner.concurrency()));
      running.sort((a, b) => a - b);
      started++;
    }
  };
  fill();
  while (done < parts) {
    const end = running.shift() as number;
    const startedAt = end - partMs(tuner.concurrency());
    clock.t = end;
    tuner.onPartDone(partBytes, end - startedAt);
    done++;
    levels.push(tuner.concurrency());
    fill();
  }
  return levels;
}

describe("parts in flight (adaptive)", () => {
  it("adds lanes while throughput rises and settles at the cap when it keeps rising", () => {
    const clock = { t: 0 };
    const tuner = createPartTuner({ concurrency: 4, now: () => clock.t });
    // Round-trip bound: each part takes 500 ms however many run at once, so throughput grows with lanes.
    const levels = simulate(tuner, clock, 400, 5 * MiB, () => 500);
    expect(levels[0]).toBe(4);
    expect(Math.max(...levels)).toBe(MAX_TUNED_CONCURRENCY);
    expect(tuner.concurrency()).toBe(MAX_TUNED_CONCURRENCY);
    expect([...new Set(levels)]).toEqual([4, 6, 8, 10, 12, 14, 16]); // never above the cap, only upwards while rising
  });

  it("goes back to the best level once throughput stops rising (a link that 6 lanes fill)", () => {
    const clock = { t: 0 };
    const tuner = createPartTuner({ concurrency: 4, now: () => clock.t });
    // Bandwidth bound above 6 lanes: per-part time grows with lanes beyond 6, aggregate flat.
    const levels = simulate(tuner, clock, 200, 5 * MiB, (lanes) => 500 * Math.max(1, lanes / 6));
    expect(levels).toContain(8); // tried 8…
    expect(tuner.concurrency()).toBe(6); // …saw no rise, went back to 6 and stayed
    expect(levels.slice(-50).every((l) => l === 6)).toBe(true);
  });

  it("stays at the configured level when more lanes do not help at all", () => {
    const clock = { t: 0 };
    const tuner = createPartTuner({ concurrency: 4, now: () => clock.t });
    const levels = simulate(tuner, clock, 100, 5 * MiB, (lanes) => 125 * lanes); // a full link from the start
    expect(tuner.concurrency()).toBe(4);
    expect(Math.max(...levels)).toBe(6); // one probe
  });

  it("fixed mode never changes the parts in flight", () => {
    const clock = { t: 0 };
    const tuner = createPartTuner({ mode: "fixed", concurrency: 4, now: () => clock.t });
    const levels = simulate(tuner, clock, 100, 5 * MiB, () => 500);
    expect(new Set(levels)).toEqual(new Set([4]));
  });
});

describe("part size of a new session", () => {
  it("fixed mode is today's plan exactly: the configured preference (or the portal's) untouched", () => {
    const tuner = createPartTuner({ mode: "fixed" });
    for (const size of [0, 1, 5 * MiB, 1 * GiB, 100 * GiB, 10 * TiB]) {
      expect(tuner.partSizeFor(size, undefined)).toBeUndefined();
      expect(tuner.partSizeFor(size, 8 * MiB)).toBe(8 * MiB);
      expect(planParts(size, { partSize: tuner.partSizeFor(size, 8 * MiB) })).toEqual(planParts(size, { partSize: 8 * MiB }));
    }
  });

  it("adaptive: small files keep the configured size, large files get larger parts (≥ 32 parts, ≤ 64 MiB) before anything is measured", () => {
    const tuner = createPartTuner();
    expect(tuner.partSizeFor(10 * MiB, undefined)).toBe(5 * MiB);
    expect(tuner.partSizeFor(100 * MiB, 8 * MiB)).toBe(8 * MiB); // never below the configured size
    expect(tuner.partSizeFor(512 * MiB, undefined)).toBe(16 * MiB);
    expect(tuner.partSizeFor(1 * GiB, undefined)).toBe(32 * MiB);
    expect(tuner.partSizeFor(10 * GiB, undefined)).toBe(MAX_TUNED_PART_SIZE);
  });

  it("adaptive sizes stay within S3's limits: ≤ 10,000 parts, 5 MiB–5 GiB, whole MiB", () => {
    for (const size of [1, 5 * MiB + 1, 3 * GiB + 7, 700 * GiB, 1 * TiB, 20 * TiB + 3, 48 * TiB]) {
      const partSize = adaptivePartSize(size, undefined) as number;
      expect(partSize % MiB).toBe(0);
      expect(partSize).toBeGreaterThanOrEqual(MIN_PART_SIZE);
      expect(partSize).toBeLessThanOrEqual(MAX_PART_SIZE);
      expect(Math.ceil(size / partSize)).toBeLessThanOrEqual(MAX_PARTS);
      expect(planParts(size, { partSize }).partSize).toBe(partSize); // the portal's plan takes it as is
    }
    expect(adaptivePartSize(1 * TiB, undefined)).toBe(105 * MiB); // ceil(1 TiB / 10,000) rounded up to a MiB: over the 64 MiB soft cap
  });

  it("once parts of different sizes were timed, sizes parts so round trips cost ≤ 10 % of a part's time", () => {
    const tuner = createPartTuner();
    // A 40 ms link: 80 ms of round trips per part, one lane carries 10 MB/s (10,000 bytes/ms).
    for (const bytes of [5 * MiB, 8 * MiB, 16 * MiB, 5 * MiB, 16 * MiB]) tuner.onPartDone(bytes, 80 + bytes / 10_000);
    const link = tuner.linkEstimate();
    expect(link?.overheadMs).toBeCloseTo(80, 6);
    expect(link?.bytesPerMs).toBeCloseTo(10_000, 6);
    const partSize = tuner.partSizeFor(10 * GiB, undefined) as number;
    expect(partSize).toBe(7 * MiB); // 9 × 80 ms × 10,000 B/ms = 7.2 MB → 7 MiB (whole MiB, up)
    const partMs = 80 + partSize / 10_000;
    expect(80 / partMs).toBeLessThanOrEqual(0.1);
  });

  it("cannot tell round trips from transfer with equal part sizes, and then keeps the reference", () => {
    expect(fitLink([{ bytes: 5 * MiB, ms: 600 }, { bytes: 5 * MiB, ms: 610 }, { bytes: 5 * MiB, ms: 590 }])).toBeUndefined();
    expect(fitLink([{ bytes: 1 * MiB, ms: 600 }, { bytes: 8 * MiB, ms: 100 }, { bytes: 8 * MiB, ms: 100 }])).toBeUndefined(); // not physical
  });
});

describe("runPool with a limit that changes", () => {
  it("starts more tasks as soon as the limit rises, fewer once it falls, never above it", async () => {
    let limit = 2;
    let inFlight = 0;
    let peak = 0;
    const peaks: number[] = [];
    const gates: Array<() => void> = [];
    const pool = runPool(
      Array.from({ length: 12 }, (_, i) => i),
      async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        expect(inFlight).toBeLessThanOrEqual(limit);
        await new Promise<void>((resolve) => gates.push(resolve));
        inFlight--;
      },
      { concurrency: () => limit },
    );
    const settle = () => new Promise((r) => setTimeout(r, 0));
    await settle();
    expect(inFlight).toBe(2);
    limit = 5;
    gates.shift()?.(); // one finishes: the pool reads the new limit and fills up to 5
    await settle();
    expect(inFlight).toBe(5);
    peaks.push(peak);
    limit = 1;
    for (let i = 0; i < 5; i++) {
      gates.shift()?.();
      await settle();
    }
    expect(inFlight).toBe(1); // the running ones finished; only one at a time now
    while (gates.length) {
      gates.shift()?.();
      await settle();
    }
    await pool;
    expect(peaks).toEqual([5]);
  });

  it("keeps a plain number as before", async () => {
    let inFlight = 0;
    let peak = 0;
    await runPool([1, 2, 3, 4, 5, 6, 7], async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 0));
      inFlight--;
    }, { concurrency: 3 });
    expect(peak).toBe(3);
  });
});

describe("tuneSharedSlots", () => {
  it("makes the shared slots' limit follow the tuned parts in flight after every part", () => {
    const limits: number[] = [];
    let level = 4;
    const inner: PartTuner = { mode: "adaptive", partSizeFor: () => undefined, concurrency: () => level, onPartDone: () => void (level += 2), linkEstimate: () => undefined };
    const shared = tuneSharedSlots(inner, { setLimit: (n) => limits.push(n) });
    expect(limits).toEqual([4]);
    shared.onPartDone(5 * 1024 * 1024, 100);
    shared.onPartDone(5 * 1024 * 1024, 100);
    expect(limits).toEqual([4, 6, 8]);
    expect(shared.concurrency()).toBe(8);
  });
});
