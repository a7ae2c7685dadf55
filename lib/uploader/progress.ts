/**
 * Progress summed from per-part state: confirmed bytes + bytes in flight.
 * What is shown never goes down (a retried part restarts from 0, but the
 * display keeps its high-water mark) and never exceeds the total. Speed is an
 * exponential moving average of bytes actually sent; time is injected.
 */

/** What a progress event carries. */
export interface ProgressSnapshot {
  /** Bytes shown as sent: monotonic, at most `total`. */
  bytesSent: number;
  /** File size in bytes. */
  total: number;
  /** 0–100. */
  percent: number;
  /** Smoothed upload speed in bytes/s; 0 until measured. */
  speedBps: number;
  /** Seconds left at the current speed; null while unknown. */
  etaSeconds: number | null;
}

/** Options of {@link createProgressTracker}. */
export interface ProgressOptions {
  /** File size in bytes. */
  total: number;
  /** Local time in ms. */
  now(): number;
  /** Time constant of the speed average, in ms. Default 5,000: steady enough to read, quick enough to follow a change of network. */
  speedWindowMs?: number;
  /** Shortest interval between speed samples, in ms. Default 250: bursts of progress events do not make the speed jump. */
  minSampleMs?: number;
}

/** Per-part progress accounting. */
export interface ProgressTracker {
  /** Part `partNumber` has sent `loaded` bytes in its current request. */
  update(partNumber: number, loaded: number): void;
  /** Part `partNumber` is stored: `size` bytes are confirmed. */
  confirm(partNumber: number, size: number): void;
  /** Bytes confirmed in an earlier visit (resume): counted, but not as speed. */
  confirmResumed(size: number): void;
  /** The request of part `partNumber` failed or was aborted: its in-flight bytes no longer count. */
  drop(partNumber: number): void;
  /** The upload completed: 100 % (also for a 0-byte file). */
  finish(): void;
  snapshot(): ProgressSnapshot;
}

/** Creates a progress tracker for a file of `total` bytes. */
export function createProgressTracker(opts: ProgressOptions): ProgressTracker {
  const { total, now } = opts;
  const windowMs = opts.speedWindowMs ?? 5_000;
  const minSampleMs = opts.minSampleMs ?? 250;
  const inFlight = new Map<number, number>();
  let confirmed = 0;
  let highWater = 0;
  let finished = false;
  let transferred = 0; // bytes actually sent, retries included: the speed source
  let sampleAt = now();
  let sampleBytes = 0;
  let speed = 0;
  let measured = false;

  const sendDelta = (partNumber: number, loaded: number) => {
    const before = inFlight.get(partNumber) ?? 0;
    if (loaded > before) transferred += loaded - before;
  };

  return {
    update(partNumber, loaded) {
      const value = Math.max(0, loaded);
      sendDelta(partNumber, value);
      inFlight.set(partNumber, value);
    },
    confirm(partNumber, size) {
      sendDelta(partNumber, size);
      inFlight.delete(partNumber);
      confirmed += size;
    },
    confirmResumed(size) {
      confirmed += size;
    },
    drop(partNumber) {
      inFlight.delete(partNumber);
    },
    finish() {
      finished = true;
    },
    snapshot() {
      let flying = 0;
      for (const bytes of inFlight.values()) flying += bytes;
      highWater = Math.max(highWater, Math.min(total, confirmed + flying), finished ? total : 0);
      const t = now();
      const dt = t - sampleAt;
      if (dt >= minSampleMs) {
        const rate = ((transferred - sampleBytes) * 1000) / dt;
        speed = measured ? speed + (1 - Math.exp(-dt / windowMs)) * (rate - speed) : rate;
        measured = true;
        sampleAt = t;
        sampleBytes = transferred;
      }
      const remaining = total - highWater;
      const percent = total === 0 ? (finished ? 100 : 0) : Math.min(100, (highWater / total) * 100);
      return {
        bytesSent: highWater,
        total,
        percent,
        speedBps: speed,
        etaSeconds: remaining === 0 ? 0 : speed > 0 ? remaining / speed : null,
      };
    },
  };
}
