/**
 * One tab owns an upload (issue 10 item 8): two tabs resuming the same file must not both send its
 * parts. The owner holds a lock named after the upload session; another tab that finds the lock held
 * shows "Uploading in another tab" and waits for it — it is granted when the owner finishes, is
 * closed or crashes, and that tab then takes over with the missing parts.
 *
 * Three implementations behind one interface:
 * - Web Locks (`navigator.locks.request`): the browser releases a closed tab's locks at once;
 * - a localStorage lease where Web Locks are missing: the owner renews `{owner, until}` every
 *   `renewMs`; others take over once it lapses (`leaseMs` after the owner vanished) or is released;
 * - none (neither exists): every lock is granted — tabs are not coordinated, and the page says so.
 * No React, no Next.js.
 */

/** A held lock. */
export interface TabLease {
  /** Gives the lock up (idempotent). */
  release(): void;
}

/** Named locks shared by the tabs of one origin. */
export interface TabLocks {
  readonly kind: "web-locks" | "storage-lease" | "none";
  /** Takes the lock if no tab holds it; `null` if another tab (or this one) does. */
  tryHold(name: string): Promise<TabLease | null>;
  /** Waits until the lock is free, then holds it. Rejects with the signal's reason if it aborts. */
  hold(name: string, signal?: AbortSignal): Promise<TabLease>;
}

interface LockManagerLike {
  request(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => Promise<void> | void): Promise<unknown>;
}

/** Locks on the Web Locks API. */
export function createWebLocks(locks: LockManagerLike): TabLocks {
  const grant = (resolve: (lease: TabLease) => void) => () =>
    new Promise<void>((release) => {
      let released = false;
      resolve({ release: () => void (released || ((released = true), release())) });
    });
  return {
    kind: "web-locks",
    tryHold(name) {
      return new Promise((resolve) => {
        locks
          .request(name, { ifAvailable: true }, (lock) => (lock ? grant(resolve)() : resolve(null)))
          .catch(() => resolve(null));
      });
    },
    hold(name, signal) {
      return new Promise((resolve, reject) => {
        locks.request(name, { signal }, grant(resolve)).catch(reject);
      });
    },
  };
}

/** Options of {@link createStorageLeaseLocks}. */
export interface StorageLeaseOptions {
  /** A lease not renewed for this long, ms, is free. Default 10,000. */
  leaseMs?: number;
  /** The owner renews every this many ms; waiters look this often. Default 3,000. */
  renewMs?: number;
  /** This tab's id. Default random. */
  owner?: string;
  now?: () => number;
}

/** Locks as leases in `storage` (localStorage), for browsers without Web Locks. */
export function createStorageLeaseLocks(storage: Storage, opts: StorageLeaseOptions = {}): TabLocks {
  const leaseMs = opts.leaseMs ?? 10_000;
  const renewMs = opts.renewMs ?? 3_000;
  const owner = opts.owner ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const now = opts.now ?? Date.now;
  const key = (name: string) => `ckan-upload-lock:${name}`;
  const read = (name: string): { owner: string; until: number } | null => {
    try {
      const v = JSON.parse(storage.getItem(key(name)) ?? "null") as { owner?: unknown; until?: unknown } | null;
      return v && typeof v.owner === "string" && typeof v.until === "number" ? { owner: v.owner, until: v.until } : null;
    } catch {
      return null;
    }
  };
  const held = new Set<string>();
  const tryHold = async (name: string): Promise<TabLease | null> => {
    const current = read(name);
    if (held.has(name) || (current && current.owner !== owner && current.until > now())) return null;
    try {
      storage.setItem(key(name), JSON.stringify({ owner, until: now() + leaseMs }));
    } catch {
      return null;
    }
    await new Promise((r) => setTimeout(r, 50)); // two tabs writing at once: the later write wins, both re-read
    if (read(name)?.owner !== owner) return null;
    held.add(name);
    const timer = setInterval(() => {
      if (read(name)?.owner !== owner) return;
      try {
        storage.setItem(key(name), JSON.stringify({ owner, until: now() + leaseMs }));
      } catch {
        // storage gone: the lease lapses and another tab may take over
      }
    }, renewMs);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      clearInterval(timer);
      held.delete(name);
      try {
        if (read(name)?.owner === owner) storage.removeItem(key(name));
      } catch {
        // nothing to clean
      }
    };
    globalThis.addEventListener?.("pagehide", release, { once: true });
    return { release };
  };
  return {
    kind: "storage-lease",
    tryHold,
    async hold(name, signal) {
      for (;;) {
        if (signal?.aborted) throw signal.reason;
        const lease = await tryHold(name);
        if (lease) return lease;
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(done, renewMs);
          const onStorage = (e: Event) => {
            if ((e as StorageEvent).key === key(name)) done();
          };
          const onAbort = () => {
            clearTimeout(t);
            globalThis.removeEventListener?.("storage", onStorage);
            reject(signal?.reason);
          };
          function done() {
            clearTimeout(t);
            globalThis.removeEventListener?.("storage", onStorage);
            signal?.removeEventListener("abort", onAbort);
            resolve();
          }
          globalThis.addEventListener?.("storage", onStorage);
          signal?.addEventListener("abort", onAbort, { once: true });
        });
      }
    },
  };
}

/** Grants every lock: no coordination (neither Web Locks nor storage exist). */
export const noTabLocks: TabLocks = {
  kind: "none",
  tryHold: async () => ({ release: () => undefined }),
  hold: async () => ({ release: () => undefined }),
};

/** Web Locks where they exist, else a localStorage lease, else none. */
export function defaultTabLocks(): TabLocks {
  const g = globalThis as { navigator?: { locks?: LockManagerLike }; localStorage?: Storage };
  try {
    if (typeof g.navigator?.locks?.request === "function") return createWebLocks(g.navigator.locks);
  } catch {
    // fall through
  }
  try {
    const s = g.localStorage;
    if (s) {
      s.setItem("ckan-upload-portal-probe", "1");
      s.removeItem("ckan-upload-portal-probe");
      return createStorageLeaseLocks(s);
    }
  } catch {
    // storage blocked
  }
  return noTabLocks;
}

/** The lock name of an upload session. */
export const uploadLockName = (sessionId: string) => `ckan-upload-portal:upload:${sessionId}`;
