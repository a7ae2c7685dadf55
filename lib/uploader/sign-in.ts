/**
 * Waiting out a sign-in that ended (issue 10, CASES 31). When the portal answers 401 (`signed_out`)
 * the engine does not fail: it keeps every part, spends no retry, and asks a {@link SignInWaiter} to
 * resolve once a valid sign-in exists again — the user signs in in another tab and the upload goes on.
 *
 * `createPortalSignInWatcher` is the page's waiter: it polls the portal's session route
 * (`GET /api/auth/session`, next-auth: `{}` when signed out, `{user}` when signed in) with back-off,
 * and checks at once when another tab says it signed in (BroadcastChannel, or a `storage` event where
 * BroadcastChannel is missing) or the tab becomes visible again. No React, no Next.js.
 */
import { type Clock, systemClock } from "./clock";
import { abortReason } from "./errors";

/** Resolves once the user is signed in again. */
export interface SignInWaiter {
  /** Resolves when a valid sign-in exists; rejects with the signal's reason if it aborts. */
  waitUntilSignedIn(signal?: AbortSignal): Promise<void>;
}

/** Name of the BroadcastChannel (and localStorage key) on which a tab announces a sign-in. */
export const SIGN_IN_CHANNEL = "ckan-upload-portal-auth";

/** Tells other tabs of this origin that the user just signed in (call after a successful sign-in). Never throws. */
export function announceSignIn(): void {
  const g = globalThis as { BroadcastChannel?: typeof BroadcastChannel; localStorage?: Storage };
  try {
    if (typeof g.BroadcastChannel === "function") {
      const channel = new g.BroadcastChannel(SIGN_IN_CHANNEL);
      channel.postMessage({ type: "signed-in", at: Date.now() });
      channel.close();
    }
  } catch {
    // no BroadcastChannel: the storage event below, or the other tab's polling
  }
  try {
    g.localStorage?.setItem(SIGN_IN_CHANNEL, String(Date.now()));
  } catch {
    // storage blocked: the other tab's polling still finds the sign-in
  }
}

/** Options of {@link createPortalSignInWatcher}. */
export interface PortalSignInWatcherOptions {
  /** The session route. Default `/api/auth/session`. */
  sessionUrl?: string;
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  clock?: Clock;
  /** First poll delay, ms. Default 2,000. */
  firstDelayMs?: number;
  /** Longest poll delay, ms. Default 30,000: a sign-in is noticed within 30 s even without a signal from the login tab. */
  maxDelayMs?: number;
}

/** The page's {@link SignInWaiter}: one shared wait, however many requests are waiting. */
export function createPortalSignInWatcher(opts: PortalSignInWatcherOptions = {}): SignInWaiter {
  const sessionUrl = opts.sessionUrl ?? "/api/auth/session";
  const doFetch: typeof fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const clock = opts.clock ?? systemClock;
  const firstDelayMs = opts.firstDelayMs ?? 2_000;
  const maxDelayMs = opts.maxDelayMs ?? 30_000;
  let waiting: Promise<void> | undefined;

  async function signedIn(): Promise<boolean> {
    try {
      const res = await doFetch(sessionUrl, { headers: { accept: "application/json" }, credentials: "same-origin", cache: "no-store" });
      if (!res.ok) return false;
      const body = (await res.json()) as { user?: unknown } | null;
      return !!body && typeof body === "object" && !!body.user;
    } catch {
      return false; // the portal is unreachable: keep waiting
    }
  }

  function waitOnce(): Promise<void> {
    return new Promise<void>((resolve) => {
      let done = false;
      let wake: (() => void) | undefined;
      const g = globalThis as { BroadcastChannel?: typeof BroadcastChannel; addEventListener?: typeof addEventListener; removeEventListener?: typeof removeEventListener; document?: Document };
      let channel: BroadcastChannel | undefined;
      try {
        if (typeof g.BroadcastChannel === "function") {
          channel = new g.BroadcastChannel(SIGN_IN_CHANNEL);
          channel.onmessage = () => wake?.();
        }
      } catch {
        channel = undefined;
      }
      const onStorage = (e: Event) => {
        if ((e as StorageEvent).key === SIGN_IN_CHANNEL) wake?.();
      };
      const onVisible = () => {
        if (g.document?.visibilityState !== "hidden") wake?.();
      };
      g.addEventListener?.("storage", onStorage);
      g.addEventListener?.("focus", onVisible);
      g.document?.addEventListener?.("visibilitychange", onVisible);
      const finish = () => {
        done = true;
        channel?.close();
        g.removeEventListener?.("storage", onStorage);
        g.removeEventListener?.("focus", onVisible);
        g.document?.removeEventListener?.("visibilitychange", onVisible);
        resolve();
      };
      void (async () => {
        for (let delay = firstDelayMs; !done; delay = Math.min(maxDelayMs, delay * 2)) {
          if (await signedIn()) return finish();
          const woken = new Promise<void>((r) => (wake = r));
          await Promise.race([clock.sleep(delay), woken]);
        }
      })();
    });
  }

  return {
    waitUntilSignedIn(signal) {
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      waiting ??= waitOnce().finally(() => (waiting = undefined));
      const shared = waiting;
      if (!signal) return shared;
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(abortReason(signal));
        signal.addEventListener("abort", onAbort, { once: true });
        shared.then(() => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        });
      });
    },
  };
}
