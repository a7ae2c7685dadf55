/**
 * Part slots shared by every file uploading at once (one page, one CLI process): at most `limit`
 * parts in flight in total, whatever the number of files. A file asks for a slot before each part
 * and gives it back when the part settles.
 *
 * Scheduling, so small files are not starved by large ones: a free slot goes to the waiting file
 * with the fewest bytes still to send (shortest-remaining-first: a 79-byte file waiting behind a
 * 64 MiB one gets the next free slot), ties to the request that has waited longest. A request
 * that has waited longer than `maxWaitMs` goes first regardless of size, so a big file always
 * progresses while many small ones stream in. `setLimit(n)` changes the limit at run time (the
 * adaptive tuner): raising it grants waiting requests at once; lowering it lets parts in flight
 * finish and grants nothing until fewer than `n` are in flight.
 */
import { abortReason } from "./errors";

/** Options of {@link createPartSlots}. */
export interface PartSlotsOptions {
  /** Parts in flight in total. Default 4 (the engine's default concurrency). */
  limit?: number;
  /** A request waiting longer than this (ms) is served before smaller files. Default 10,000. */
  maxWaitMs?: number;
  /** Time source in ms, for tests. Default `Date.now`. */
  now?: () => number;
}

/** One granted slot: call `release()` once when the part settles (a second call is a no-op). */
export interface PartSlot {
  release(): void;
}

/** What a file tells the scheduler when it asks for a slot. */
export interface SlotRequest {
  /** Bytes this file still has to send (its own remaining bytes, including this part). */
  remainingBytes: number;
  /** Abort to stop waiting (pause/cancel): the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** The shared slots. */
export interface PartSlots {
  /** Resolves with a slot once one is free and this request is the next by the scheduling rule. */
  acquire(request: SlotRequest): Promise<PartSlot>;
  /** Changes the limit (≥ 1, whole number) at run time. */
  setLimit(limit: number): void;
  readonly limit: number;
  /** Slots granted and not yet released. */
  readonly inFlight: number;
  /** Requests waiting for a slot. */
  readonly waiting: number;
}

interface Waiter {
  seq: number;
  since: number;
  remainingBytes: number;
  grant: (slot: PartSlot) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

const clampLimit = (n: number) => Math.max(1, Math.floor(Number.isFinite(n) ? n : 1));

/** Creates a shared pool of part slots. */
export function createPartSlots(opts: PartSlotsOptions = {}): PartSlots {
  let limit = clampLimit(opts.limit ?? 4);
  const maxWaitMs = opts.maxWaitMs ?? 10_000;
  const now = opts.now ?? (() => Date.now());
  let inFlight = 0;
  let seq = 0;
  const queue: Waiter[] = [];

  const newSlot = (): PartSlot => {
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        inFlight--;
        pump();
      },
    };
  };

  /** The next waiter: any that waited past maxWaitMs (oldest first), else the fewest remaining bytes, then oldest. */
  const pickIndex = (): number => {
    const t = now();
    let best = 0;
    for (let i = 1; i < queue.length; i++) {
      const a = queue[i];
      const b = queue[best];
      const aOld = t - a.since >= maxWaitMs;
      const bOld = t - b.since >= maxWaitMs;
      if (aOld !== bOld) {
        if (aOld) best = i;
        continue;
      }
      if (aOld) {
        if (a.seq < b.seq) best = i;
        continue;
      }
      if (a.remainingBytes < b.remainingBytes || (a.remainingBytes === b.remainingBytes && a.seq < b.seq)) best = i;
    }
    return best;
  };

  function pump(): void {
    while (inFlight < limit && queue.length > 0) {
      const [w] = queue.splice(pickIndex(), 1);
      if (w.onAbort) w.signal?.removeEventListener("abort", w.onAbort);
      inFlight++;
      w.grant(newSlot());
    }
  }

  return {
    acquire({ remainingBytes, signal }) {
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      return new Promise<PartSlot>((resolve, reject) => {
        const w: Waiter = { seq: seq++, since: now(), remainingBytes: Math.max(0, remainingBytes), grant: resolve, signal };
        if (signal) {
          w.onAbort = () => {
            const i = queue.indexOf(w);
            if (i >= 0) queue.splice(i, 1);
            reject(abortReason(signal));
          };
          signal.addEventListener("abort", w.onAbort, { once: true });
        }
        queue.push(w);
        pump();
      });
    },
    setLimit(n) {
      limit = clampLimit(n);
      pump();
    },
    get limit() {
      return limit;
    },
    get inFlight() {
      return inFlight;
    },
    get waiting() {
      return queue.length;
    },
  };
}

/**
 * A counting gate — e.g. at most N files creating their portal sessions at once. `bySize` (default
 * true): the smallest waiting file goes first (after 60 s of waiting, first come first served), so
 * when the portal's limit on uploads under way paces a drop, its small files get their sessions
 * before the big ones; `bySize: false` is plain FIFO. Same slot shape as {@link PartSlots}.
 */
export function createGate(limit: number, opts: { bySize?: boolean; now?: () => number } = {}): PartSlots {
  return createPartSlots({ limit, maxWaitMs: opts.bySize === false ? 0 : 60_000, ...(opts.now && { now: opts.now }) });
}
