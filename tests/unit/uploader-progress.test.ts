import { describe, expect, it } from "vitest";
import { createProgressTracker } from "@/lib/uploader/progress";

function tracker(total: number) {
  let now = 0;
  const t = createProgressTracker({ total, now: () => now });
  return { t, advance: (ms: number) => (now += ms) };
}

describe("progress", () => {
  it("sums confirmed and in-flight bytes per part", () => {
    const { t } = tracker(300);
    t.update(1, 50);
    t.update(2, 20);
    expect(t.snapshot().bytesSent).toBe(70);
    t.confirm(1, 100);
    expect(t.snapshot().bytesSent).toBe(120);
    expect(t.snapshot().percent).toBeCloseTo(40);
  });

  it("never goes down when a part is retried or paused", () => {
    const { t, advance } = tracker(300);
    const seen: number[] = [];
    const look = () => {
      advance(100);
      seen.push(t.snapshot().bytesSent);
    };
    t.update(1, 90);
    look();
    t.drop(1); // reset mid-body
    look();
    t.update(1, 10); // the retry starts again from 0
    look();
    t.update(1, 100);
    t.confirm(1, 100);
    look();
    t.update(2, 60);
    look();
    t.drop(2); // pause
    look();
    t.update(2, 100);
    t.confirm(2, 100);
    t.update(3, 100);
    t.confirm(3, 100);
    look();
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    expect(seen).toEqual([90, 90, 90, 100, 160, 160, 300]);
  });

  it("never exceeds 100 % even if a transport over-reports", () => {
    const { t } = tracker(100);
    t.update(1, 80);
    t.update(2, 80);
    const s = t.snapshot();
    expect(s.bytesSent).toBe(100);
    expect(s.percent).toBe(100);
    t.confirm(1, 60);
    t.confirm(2, 40);
    expect(t.snapshot().percent).toBe(100);
  });

  it("reports 100 % for a completed 0-byte file, 0 % before", () => {
    const { t } = tracker(0);
    expect(t.snapshot().percent).toBe(0);
    t.finish();
    expect(t.snapshot()).toMatchObject({ percent: 100, bytesSent: 0, etaSeconds: 0 });
  });

  it("measures speed as a moving average of bytes sent (retries included) and derives the ETA", () => {
    const { t, advance } = tracker(10_000_000);
    expect(t.snapshot().etaSeconds).toBeNull(); // unknown before any sample
    let sent = 0;
    for (let i = 0; i < 30; i++) {
      advance(250);
      sent += 250_000; // 1 MB/s
      t.update(1, sent);
      t.snapshot();
    }
    const s = t.snapshot();
    expect(s.speedBps).toBeGreaterThan(900_000);
    expect(s.speedBps).toBeLessThan(1_100_000);
    expect(s.etaSeconds).toBeGreaterThan(0);
    expect(s.etaSeconds as number).toBeCloseTo((10_000_000 - sent) / s.speedBps, 5);
  });

  it("does not count resumed bytes as speed", () => {
    const { t, advance } = tracker(1_000);
    t.confirmResumed(600);
    advance(1_000);
    const s = t.snapshot();
    expect(s.bytesSent).toBe(600);
    expect(s.speedBps).toBe(0);
  });
});
