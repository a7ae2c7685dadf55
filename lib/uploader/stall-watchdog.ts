/**
 * A watchdog that fires when a request makes no progress for a while, so no
 * part can hang forever (CASES 9). Transports kick it on every progress event.
 */

/** A running watchdog. */
export interface StallWatchdog {
  /** Progress was made: restart the countdown. */
  kick(): void;
  /** The request settled: stop the countdown for good. */
  stop(): void;
}

/**
 * Starts a watchdog that calls `onStall` once if `kick()` is not called for
 * `stallTimeoutMs` ms. A timeout of 0 or less disables it.
 * Uses real timers (`setTimeout`), re-armed lazily so a kick per progress
 * event costs only a timestamp.
 */
export function startStallWatchdog(stallTimeoutMs: number, onStall: () => void, now: () => number = Date.now): StallWatchdog {
  if (!(stallTimeoutMs > 0)) return { kick() {}, stop() {} };
  let last = now();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (ms: number) => {
    timer = setTimeout(check, ms);
  };
  const check = () => {
    if (stopped) return;
    const idle = now() - last;
    if (idle >= stallTimeoutMs) {
      stopped = true;
      onStall();
    } else {
      arm(stallTimeoutMs - idle);
    }
  };
  arm(stallTimeoutMs);
  return {
    kick() {
      last = now();
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
