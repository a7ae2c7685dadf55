/**
 * Retries one call (a portal request, CompleteMultipartUpload) by the one
 * classifier in `retry.ts`: back-off with full jitter, and while offline wait
 * for the network instead of spending attempts.
 */
import type { Clock } from "./clock";
import { abortReason, toUploadEngineError, type UploadEngineError } from "./errors";
import type { OnlineMonitor } from "./online";
import { rateLimitWaitMs } from "./rate-limit-wait";
import { type BackoffOptions, DEFAULT_MAX_ATTEMPTS, backoffDelay, classify } from "./retry";

/** Options of {@link callWithRetry}. */
export interface CallRetryOptions {
  clock: Clock;
  online: OnlineMonitor;
  /** Total attempts. Default {@link DEFAULT_MAX_ATTEMPTS} (6). */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  signal?: AbortSignal;
  /**
   * Told about each retry before its back-off delay. `rateLimited`: the portal answered 429 with
   * `Retry-After`; the call waits `delayMs` and is sent again without spending an attempt.
   */
  onRetry?(info: { attempt: number; delayMs: number; error: UploadEngineError; rateLimited?: boolean }): void;
  /**
   * Called on a 401 (`signed_out`): resolves once the user is signed in again, and the call is made
   * again without spending an attempt. Absent: `signed_out` is thrown like any fatal error.
   */
  waitForSignIn?(error: UploadEngineError, signal?: AbortSignal): Promise<void>;
  /**
   * Failures without any answer (`network`: the portal is down or restarting) for less than this
   * long, in ms, are waited out without spending attempts, as for parts. Default 0 (every one counts).
   */
  outageToleranceMs?: number;
}

/**
 * Calls `fn` until it succeeds, the classifier says `fatal`/`refresh`, or attempts run out; then throws
 * the last error. Offline waits, tolerated outages, waits for a new sign-in and the portal's 429
 * `Retry-After` waits (`rate-limit-wait.ts`) are not attempts.
 */
export async function callWithRetry<T>(fn: () => Promise<T>, opts: CallRetryOptions): Promise<T> {
  const maxAttempts = Math.max(1, opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  let noAnswerSince: number | undefined;
  let outageTries = 0;
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
      if (e.code === "signed_out" && opts.waitForSignIn) {
        await opts.waitForSignIn(e, opts.signal); // not an attempt
        continue;
      }
      const limitedMs = rateLimitWaitMs(e, opts.backoff?.random);
      if (limitedMs !== undefined) {
        // The portal's limit: wait as told, then the same call again; not an attempt.
        opts.onRetry?.({ attempt, delayMs: limitedMs, error: e, rateLimited: true });
        await opts.clock.sleep(limitedMs, opts.signal);
        continue;
      }
      if (classify(e) !== "retry") throw e;
      const now = opts.clock.now();
      noAnswerSince = e.code === "network" ? (noAnswerSince ?? now) : undefined;
      const outage = noAnswerSince !== undefined && now - noAnswerSince < (opts.outageToleranceMs ?? 0);
      if (!outage && attempt >= maxAttempts) throw e;
      if (outage) outageTries++;
      const delayMs = backoffDelay(attempt + outageTries, opts.backoff);
      opts.onRetry?.({ attempt, delayMs, error: e });
      await opts.clock.sleep(delayMs, opts.signal);
      if (!outage) attempt++;
    }
  }
}
