/**
 * A tiny concurrency pool: at most N tasks in flight, pulled lazily from an
 * iterable (a 10,000-part upload never materialises 10,000 promises). N may
 * change while the pool runs (part tuning, `tuning.ts`): it is read again
 * before each task starts.
 */
import { abortReason } from "./errors";

/** Options of {@link runPool}. */
export interface PoolOptions {
  /**
   * Most tasks in flight: a number, or a function read before each task starts (a limit that may
   * change, e.g. `tuner.concurrency`); a lower limit lets running tasks finish, a higher one starts
   * tasks when the next one finishes. Default 4: enough to fill a link to S3 without flooding the
   * browser's per-host connection limit (6).
   */
  concurrency?: number | (() => number);
  /** Stop taking new items once this aborts; the pool then rejects with its reason. */
  signal?: AbortSignal;
  /** Called at once with the first failure, before the running tasks settle (e.g. to abort them). */
  onError?(error: unknown): void;
}

/**
 * Runs `worker` over `items` with at most `concurrency` in flight. After the
 * first failure (or an abort) no new item starts; the pool waits for the
 * running ones to settle and rejects with that first failure.
 */
export function runPool<T>(items: Iterable<T>, worker: (item: T) => Promise<void>, opts: PoolOptions = {}): Promise<void> {
  const setting = opts.concurrency;
  const limit = () => Math.max(1, Math.floor((typeof setting === "function" ? setting() : setting) ?? 4));
  const iterator = items[Symbol.iterator]();
  let failed = false;
  let firstError: unknown;
  let exhausted = false;
  let running = 0;

  return new Promise<void>((resolve, reject) => {
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      firstError = error;
      opts.onError?.(error);
    };
    const settleIfDone = () => {
      if (running > 0 || !(failed || exhausted)) return;
      if (failed) reject(firstError);
      else resolve();
    };
    const pump = () => {
      while (!failed && !exhausted && running < limit()) {
        if (opts.signal?.aborted) {
          fail(abortReason(opts.signal));
          break;
        }
        const next = iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        running++;
        let task: Promise<void>;
        try {
          task = worker(next.value);
        } catch (error) {
          task = Promise.reject(error);
        }
        task.then(
          () => {
            running--;
            pump();
          },
          (error: unknown) => {
            running--;
            fail(error);
            settleIfDone();
          },
        );
      }
      settleIfDone();
    };
    pump();
  });
}
