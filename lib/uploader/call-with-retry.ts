/**
 * Retries one call (a portal request, CompleteMultipartUpload) by the one
 * classifier in `retry.ts`: back-off with full jitter, and while offline wait
 * for the network instead of spending attempts.
 */
import type { Clock } from "./clock";
import { abortReason, toUploadEngineError, type UploadEngineError } from "./errors";
import type { OnlineMonitor } from "./online";
import { type BackoffOptions, DEFAULT_MAX_ATTEMPTS, backoffDelay, classify } from "./retry";

/** Options of {@link callWithRetry}. */
export interface CallRetryOptions {
  clock: Clock;
  online: OnlineMonitor;
  /** Total attempts. Default {@link DEFAULT_MAX_ATTEMPTS} (6). */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  signal?: AbortSignal;
  /** Told about each retry before its back-off delay. */
  onRetry?(info: { attempt: number; delayMs: number; error: UploadEngineError }): void;
}

/** Calls `fn` until it succeeds, the classifier says `fatal`/`refresh`, or attempts run out; then throws the last error. */
export async function callWithRetry<T>(fn: () => Promise<T>, opts: CallRetryOptions): Promise<T> {
  const maxAttempts = Math.max(1, opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  for (let attempt = 1; ; ) {
    try {
      return await fn();
    } catch (error) {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      const e = toUploadEngineError(error);
      if (e.code === "network" && !opts.online.isOnline()) {
        await opts.online.waitUntilOnline(opts.signal); // offline: not an attempt
        continue;
      }
      if (classify(e) !== "retry" || attempt >= maxAttempts) throw e;
      const delayMs = backoffDelay(attempt, opts.backoff);
      opts.onRetry?.({ attempt, delayMs, error: e });
      await opts.clock.sleep(delayMs, opts.signal);
      attempt++;
    }
  }
}
