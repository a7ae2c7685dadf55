/**
 * Reports finished parts to the portal in batches (for resume and audit):
 * flushed every few parts or every second, and always before pause and failure;
 * the last ones go with complete (`take`, issue 12: a small file needs no report of its own). Only numbers, sizes, ETags and checksums are kept — never bytes.
 */
import type { Clock } from "./clock";
import type { PortalApi, RecordedPart } from "./portal-api";

/** Most parts per `recordParts` call: the portal's `/parts` route accepts up to 1,000. */
export const MAX_PARTS_PER_REPORT = 1_000;

/** Options of {@link createPartRecorder}. */
export interface PartRecorderOptions {
  api: PortalApi;
  sessionId: string;
  clock: Clock;
  /** Flush when this many parts wait. Default 8: one portal call per ~40 MiB at 5 MiB parts. */
  batchSize?: number;
  /** Flush when the oldest waiting part has waited this long, in ms (checked as parts finish, and by a timer). Default 1,000. */
  flushIntervalMs?: number;
  /** Performs one `recordParts` call with retries (the engine passes `callWithRetry`). */
  send(parts: RecordedPart[]): Promise<void>;
}

/** Batches part reports. */
export interface PartRecorder {
  /** Adds a finished part; flushes (and waits) when the batch is due. */
  add(part: RecordedPart): Promise<void>;
  /** Sends everything waiting; resolves when the portal has it. */
  flush(): Promise<void>;
  /**
   * Hands over the parts not yet sent, for the caller to send another way (with `complete`): waits for
   * a report already under way, then empties the batch. More than {@link MAX_PARTS_PER_REPORT} waiting
   * are flushed here instead (the answer is then empty). Give them back with `restore` if that send fails.
   */
  take(): Promise<RecordedPart[]>;
  /** Puts parts from `take` back in front of the batch (their other send failed): the next flush sends them. */
  restore(parts: readonly RecordedPart[]): void;
  /** Parts not yet sent. */
  readonly pendingCount: number;
}

/** Creates a part recorder. Flushes are serialised: the portal sees reports in order. */
export function createPartRecorder(opts: PartRecorderOptions): PartRecorder {
  const batchSize = Math.max(1, opts.batchSize ?? 8);
  const intervalMs = opts.flushIntervalMs ?? 1_000;
  let pending: RecordedPart[] = [];
  let oldestAt = 0;
  let chain: Promise<void> = Promise.resolve();

  const sendPending = async () => {
    while (pending.length > 0) {
      const batch = pending.slice(0, MAX_PARTS_PER_REPORT);
      pending = pending.slice(batch.length);
      try {
        await opts.send(batch);
      } catch (error) {
        pending = [...batch, ...pending]; // keep them for the next flush
        throw error;
      }
    }
  };

  const flush = () => {
    const next = chain.then(sendPending);
    chain = next.catch(() => undefined);
    return next;
  };

  return {
    get pendingCount() {
      return pending.length;
    },
    async add(part) {
      if (pending.length === 0) {
        oldestAt = opts.clock.now();
        // Also flush on time, so parts finished just before a long stall (or a crash) are reported.
        const since = oldestAt;
        void opts.clock
          .sleep(intervalMs)
          .then(() => (pending.length > 0 && oldestAt === since ? flush() : undefined))
          .catch(() => undefined);
      }
      pending.push(part);
      if (pending.length >= batchSize || opts.clock.now() - oldestAt >= intervalMs) await flush();
    },
    flush,
    async take() {
      await chain;
      if (pending.length > MAX_PARTS_PER_REPORT) {
        await flush();
        return [];
      }
      const out = pending;
      pending = [];
      return out;
    },
    restore(parts) {
      if (parts.length === 0) return;
      if (pending.length === 0) oldestAt = opts.clock.now();
      pending = [...parts, ...pending];
    },
  };
}
