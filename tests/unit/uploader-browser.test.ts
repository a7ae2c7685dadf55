/**
 * The engine's browser helpers (issue 10): the capability probe (CASES 27), the sign-in watcher that
 * lets an upload continue by itself after a new sign-in (CASES 31), and tab ownership (item 8).
 */
import { describe, expect, it } from "vitest";
import { CAPABILITY_NOTICES, detectCapabilities } from "@/lib/uploader/capabilities";
import type { Clock } from "@/lib/uploader/clock";
import { announceSignIn, createPortalSignInWatcher } from "@/lib/uploader/sign-in";
import { createStorageLeaseLocks, createWebLocks } from "@/lib/uploader/tab-lock";

class MemoryStorage implements Storage {
  private m = new Map<string, string>();
  get length() {
    return this.m.size;
  }
  clear() {
    this.m.clear();
  }
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
}

/** A global object with every capability, each replaceable. */
function browserLike(over: Record<string, unknown> = {}) {
  const idb = {
    open: () => {
      const req: Record<string, unknown> = { result: { close: () => undefined } };
      setTimeout(() => (req.onsuccess as () => void)?.(), 0);
      return req;
    },
  };
  return {
    indexedDB: idb,
    Worker: function Worker() {},
    WebAssembly: { instantiate: () => undefined },
    navigator: { locks: { request: () => undefined } },
    BroadcastChannel: function BroadcastChannel() {},
    crypto: { subtle: { digest: () => undefined } },
    localStorage: new MemoryStorage(),
    ...over,
  } as never;
}

describe("capabilities (CASES 27)", () => {
  it("a complete browser: nothing to say", async () => {
    expect((await detectCapabilities(browserLike())).notices).toEqual([]);
  });

  it("indexedDB.open throwing at once (site data blocked) is found, and said in one line", async () => {
    const c = await detectCapabilities(browserLike({ indexedDB: { open: () => { throw new DOMException("denied", "SecurityError"); } } }));
    expect(c.indexedDb).toBe(false);
    expect(c.notices).toEqual([CAPABILITY_NOTICES.indexedDb]);
  });

  it.each([
    ["Worker", { Worker: undefined }, CAPABILITY_NOTICES.workers],
    ["WebAssembly", { WebAssembly: undefined }, CAPABILITY_NOTICES.webAssembly],
    ["Web Locks", { navigator: {} }, CAPABILITY_NOTICES.webLocks],
    ["Web Locks and localStorage", { navigator: {}, localStorage: undefined }, CAPABILITY_NOTICES.webLocksAndStorage],
    ["BroadcastChannel", { BroadcastChannel: undefined }, CAPABILITY_NOTICES.broadcastChannel],
    ["crypto.subtle", { crypto: {} }, CAPABILITY_NOTICES.cryptoSubtle],
  ])("missing %s: one notice naming what is lost", async (_name, over, notice) => {
    expect((await detectCapabilities(browserLike(over))).notices).toEqual([notice]);
  });
});

describe("sign-in watcher (CASES 31)", () => {
  const sessionFetch = (answers: Array<object | "down">) => {
    let calls = 0;
    const fn = (async () => {
      const a = answers[Math.min(calls++, answers.length - 1)];
      if (a === "down") throw new TypeError("Failed to fetch");
      return new Response(JSON.stringify(a), { headers: { "content-type": "application/json" } });
    }) as typeof fetch;
    return { fn, calls: () => calls };
  };
  const instantClock: Clock = { now: () => Date.now(), sleep: () => new Promise((r) => setTimeout(r, 0)) };

  it("polls the session route (through a portal outage) until a user is signed in; one shared wait", async () => {
    const f = sessionFetch([{}, "down", {}, { user: { name: "editor_user" } }]);
    const w = createPortalSignInWatcher({ fetch: f.fn, clock: instantClock });
    await Promise.all([w.waitUntilSignedIn(), w.waitUntilSignedIn()]);
    expect(f.calls()).toBe(4);
  });

  it("a sign-in announced by another tab (BroadcastChannel) is checked at once, not at the next back-off", async () => {
    const f = sessionFetch([{}, { user: { name: "editor_user" } }]);
    const never: Clock = { now: () => Date.now(), sleep: () => new Promise(() => undefined) };
    const w = createPortalSignInWatcher({ fetch: f.fn, clock: never });
    const waiting = w.waitUntilSignedIn();
    await expect.poll(() => f.calls()).toBe(1);
    announceSignIn();
    await waiting;
    expect(f.calls()).toBe(2);
  });

  it("a wait stops when its signal aborts (pause)", async () => {
    const f = sessionFetch([{}]);
    const w = createPortalSignInWatcher({ fetch: f.fn, clock: { now: () => Date.now(), sleep: () => new Promise(() => undefined) } });
    const c = new AbortController();
    const waiting = w.waitUntilSignedIn(c.signal);
    c.abort(new Error("paused"));
    await expect(waiting).rejects.toBeDefined();
  });
});

describe("tab ownership (item 8)", () => {
  it("localStorage lease: a second tab cannot take a held upload, takes it once released", async () => {
    const storage = new MemoryStorage();
    const a = createStorageLeaseLocks(storage, { owner: "tab-a" });
    const b = createStorageLeaseLocks(storage, { owner: "tab-b", renewMs: 10 });
    const lease = await a.tryHold("upload:s1");
    expect(lease).not.toBeNull();
    expect(await b.tryHold("upload:s1")).toBeNull();
    const waiting = b.hold("upload:s1");
    lease!.release();
    const taken = await waiting;
    expect(JSON.parse(storage.getItem("ckan-upload-lock:upload:s1")!).owner).toBe("tab-b");
    taken.release();
  });

  it("localStorage lease: a tab that vanished without releasing (crash) loses the lease once it lapses", async () => {
    const storage = new MemoryStorage();
    let t = 1_000_000;
    storage.setItem("ckan-upload-lock:upload:s1", JSON.stringify({ owner: "crashed", until: t + 10_000 }));
    const b = createStorageLeaseLocks(storage, { owner: "tab-b", now: () => t });
    expect(await b.tryHold("upload:s1")).toBeNull();
    t += 10_001;
    const lease = await b.tryHold("upload:s1");
    expect(lease).not.toBeNull();
    lease!.release();
  });

  it("Web Locks: tryHold asks with ifAvailable, and a held lock is released by release()", async () => {
    const held = new Set<string>();
    const manager = {
      async request(name: string, options: { ifAvailable?: boolean }, cb: (lock: unknown) => Promise<void> | void) {
        if (held.has(name) && options.ifAvailable) return cb(null);
        held.add(name);
        await cb({ name });
        held.delete(name);
      },
    };
    const locks = createWebLocks(manager);
    const lease = await locks.tryHold("x");
    expect(lease).not.toBeNull();
    expect(await locks.tryHold("x")).toBeNull();
    lease!.release();
    await expect.poll(() => held.has("x")).toBe(false);
  });
});
