/**
 * Network availability, injected. While the browser says it is offline
 * (`navigator.onLine === false`), failed requests wait for the network to come
 * back instead of spending retry attempts (a laptop that sleeps for minutes
 * must not exhaust its retries: CASES 9).
 */
import { abortReason } from "./errors";

/** What the engine needs to know about the network. */
export interface OnlineMonitor {
  /** False only when the platform is sure there is no network. */
  isOnline(): boolean;
  /** Resolves at once when online, else when the network returns; rejects if `signal` aborts. */
  waitUntilOnline(signal?: AbortSignal): Promise<void>;
}

/** A monitor that is always online: Node, tests, and platforms without `navigator.onLine`. */
export const alwaysOnline: OnlineMonitor = {
  isOnline: () => true,
  waitUntilOnline: async () => undefined,
};

/** The part of `window` / `WorkerGlobalScope` the browser monitor uses. */
export interface OnlineEventTarget {
  navigator: { onLine: boolean };
  addEventListener(type: "online", listener: () => void): void;
  removeEventListener(type: "online", listener: () => void): void;
}

/**
 * The browser monitor: reads `navigator.onLine` and waits for the `online`
 * event. Works in a window and in a Web Worker (both fire `online`).
 * @param target default `globalThis`.
 */
export function createBrowserOnlineMonitor(target: OnlineEventTarget = globalThis as unknown as OnlineEventTarget): OnlineMonitor {
  const isOnline = () => target.navigator.onLine !== false;
  return {
    isOnline,
    waitUntilOnline(signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(abortReason(signal));
        if (isOnline()) return resolve();
        const done = () => {
          target.removeEventListener("online", done);
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = () => {
          target.removeEventListener("online", done);
          reject(abortReason(signal as AbortSignal));
        };
        target.addEventListener("online", done);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
  };
}

/** The browser monitor where `navigator.onLine` and `addEventListener` exist, else {@link alwaysOnline}. */
export function defaultOnlineMonitor(): OnlineMonitor {
  const g = globalThis as { navigator?: { onLine?: unknown }; addEventListener?: unknown };
  if (typeof g.navigator?.onLine === "boolean" && typeof g.addEventListener === "function") {
    return createBrowserOnlineMonitor();
  }
  return alwaysOnline;
}
