/**
 * A tiny concurrency pool: at most N tasks in flight, pulled lazily from an
 * iterable (a 10,000-part upload never materialises 10,000 promises).
 */
import { abortReason } from "./errors";

/** Options of {@link runPool}. */
export interface PoolOptions {
  /** Most tasks in flight. Default 4: enough to fill a link to S3 without flooding the browser's per-host connection limit (6). */
  concurrency?: number;
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
export async function runPool<T>(items: Iterable<T>, worker: (item: T) => Promise<void>, opts: PoolOptions = {}): Promise<void> {
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 4));
  const iterator = items[Symbol.iterator]();
  let failed = false;
  let firstError: unknown;

  const fail = (error: unknown) => {
    if (failed) return;
    failed = true;
    firstError = error;
    opts.onError?.(error);
  };

  const lane = async () => {
    for (;;) {
      if (failed) return;
      if (opts.signal?.aborted) {
        fail(abortReason(opts.signal));
        return;
      }
      const next = iterator.next();
      if (next.done) return;
      try {
        await worker(next.value);
      } catch (error) {
        fail(error);
      }
    }
  };

  await Promise.all(Array.from({ length: concurrency }, lane));
  if (failed) throw firstError;
}
