/**
 * The browser capabilities the upload engine and its page use, probed once, each with what is lost
 * without it (issue 10, CASES 27). A missing one degrades one feature, visibly — never the upload.
 *
 * | capability | used for | without it |
 * |---|---|---|
 * | IndexedDB (`indexedDB.open` works) | resume after a reload | uploads run; a reload cannot resume them |
 * | Web Workers | hashing off the page's thread | hashing runs on the page's thread, one part at a time |
 * | WebAssembly | SHA-256 / CRC32C (hash-wasm) | no whole-file SHA-256, no per-part checksums, no resume fingerprints |
 * | Web Locks | one tab owns an upload | a localStorage lease does it (slower to hand over); without storage, nothing does |
 * | BroadcastChannel | a sign-in in another tab is noticed at once | noticed by `storage` events or polling (≤ 30 s) |
 * | `crypto.subtle` | SigV4 signing (AWS SDK) | the SDK's JavaScript SHA-256 signs instead (slower) |
 *
 * No React, no Next.js: `detectCapabilities` takes the global object to probe, so tests pass a fake.
 */

/** What was found. `notices` holds one line per degraded feature, for the page to show. */
export interface Capabilities {
  indexedDb: boolean;
  workers: boolean;
  webAssembly: boolean;
  webLocks: boolean;
  broadcastChannel: boolean;
  cryptoSubtle: boolean;
  localStorage: boolean;
  /** One line per missing capability: what is lost and why (English; the CLI and logs). */
  notices: string[];
  /** The same lines as keys of {@link CAPABILITY_NOTICES}, in the same order: a page shows each in its own language (issue 12). */
  noticeKeys: CapabilityNoticeKey[];
}

/** How long `indexedDB.open` may take before storage counts as unusable, ms (some browsers never answer when blocked). */
export const STORAGE_PROBE_TIMEOUT_MS = 3_000;

/** The notice lines, by capability (exported for tests and the docs). */
export const CAPABILITY_NOTICES = {
  indexedDb: "This browser does not let the portal keep data (site data or cookies blocked, or private mode): uploads work, but a reloaded page cannot resume them.",
  workers: "This browser cannot run Web Workers here: files are hashed on the page's own thread, part by part (the page may respond more slowly).",
  webAssembly: "This browser cannot run WebAssembly here: uploads work without integrity checksums or the whole-file SHA-256, and a resumed upload sends every part again.",
  webLocks: "This browser lacks Web Locks: two tabs with the same file are kept apart by a slower fallback.",
  webLocksAndStorage: "This browser lacks Web Locks and local storage: two tabs could upload the same file at once.",
  broadcastChannel: "This browser lacks BroadcastChannel: after signing in again in another tab, an upload may take up to 30 s to notice.",
  cryptoSubtle: "This page has no Web Crypto (crypto.subtle; is it served over plain HTTP?): uploads are signed with a slower built-in SHA-256.",
} as const;

/** A key of {@link CAPABILITY_NOTICES} (the catalogues' `uploader.capabilities.<key>`). */
export type CapabilityNoticeKey = keyof typeof CAPABILITY_NOTICES;

type Probe = Record<string, unknown> & { indexedDB?: IDBFactory; navigator?: { locks?: unknown } };

/** Can IndexedDB open a database here? Never throws; `false` when `open` throws, errors or never answers. */
export async function probeIndexedDb(g: Probe = globalThis as unknown as Probe, timeoutMs = STORAGE_PROBE_TIMEOUT_MS): Promise<boolean> {
  try {
    const factory = g.indexedDB;
    if (!factory || typeof factory.open !== "function") return false;
    const request = factory.open("ckan-upload-portal-probe");
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        resolve(ok);
      };
      request.onsuccess = () => {
        try {
          request.result.close();
        } catch {
          // closing a probe cannot matter
        }
        done(true);
      };
      request.onerror = () => done(false);
      request.onblocked = () => done(true);
    });
  } catch {
    return false;
  }
}

function localStorageWorks(g: Probe): boolean {
  try {
    const s = g.localStorage as Storage | undefined;
    if (!s) return false;
    s.setItem("ckan-upload-portal-probe", "1");
    s.removeItem("ckan-upload-portal-probe");
    return true;
  } catch {
    return false;
  }
}

/** Probes every capability in the table above. Never throws. */
export async function detectCapabilities(g: Probe = globalThis as unknown as Probe): Promise<Capabilities> {
  const has = (fn: () => boolean) => {
    try {
      return fn();
    } catch {
      return false;
    }
  };
  const indexedDb = await probeIndexedDb(g);
  const workers = has(() => typeof g.Worker === "function");
  const webAssembly = has(() => typeof (g.WebAssembly as { instantiate?: unknown } | undefined)?.instantiate === "function");
  const webLocks = has(() => typeof (g.navigator?.locks as { request?: unknown } | undefined)?.request === "function");
  const broadcastChannel = has(() => typeof g.BroadcastChannel === "function");
  const cryptoSubtle = has(() => typeof (g.crypto as { subtle?: { digest?: unknown } } | undefined)?.subtle?.digest === "function");
  const localStorage = localStorageWorks(g);
  const noticeKeys: CapabilityNoticeKey[] = [];
  if (!indexedDb) noticeKeys.push("indexedDb");
  if (!workers) noticeKeys.push("workers");
  if (!webAssembly) noticeKeys.push("webAssembly");
  if (!webLocks) noticeKeys.push(localStorage ? "webLocks" : "webLocksAndStorage");
  if (!broadcastChannel) noticeKeys.push("broadcastChannel");
  if (!cryptoSubtle) noticeKeys.push("cryptoSubtle");
  const notices = noticeKeys.map((k) => CAPABILITY_NOTICES[k]);
  return { indexedDb, workers, webAssembly, webLocks, broadcastChannel, cryptoSubtle, localStorage, notices, noticeKeys };
}
