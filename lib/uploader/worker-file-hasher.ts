/**
 * {@link FileHasher} backed by Web Workers (`hash-worker.ts`), so reading and
 * hashing the file never blocks the page (PERF-ANCHORS: the SDK's main-thread
 * CRC halved its throughput). The `File` is handed to the worker by structured
 * clone (a handle, not a copy of the bytes). Falls back to the inline hasher
 * (this thread, one part at a time) where Workers do not exist, cannot be
 * created (a Content-Security-Policy), or fail to run: hashing degrades, the
 * upload does not (issue 10, CASES 27).
 *
 * The files of a page reuse a pool of workers instead of starting one worker
 * each (issue 11, "Many files"): starting a worker and loading hash-wasm in it
 * costs about 0.1 s of CPU, more than hashing a 256 KiB file, and a drop of 500
 * small files spent most of its time doing that (docs/performance.md). A file
 * goes to an idle worker, else to a new one (up to {@link MAX_HASH_WORKERS}),
 * else shares the least busy one (their passes interleave); a worker is
 * terminated once it has had no file for {@link HASH_WORKER_IDLE_MS}.
 */
import { createInlineFileHasher, type CreateFileHasher, type FileHasher } from "./file-hasher";
import type { HashWorkerRequest, HashWorkerResponse } from "./hash-worker";

/**
 * Most hashing workers of a page: one per file hashing at once up to the page's files in flight
 * (DEFAULT_FILES_IN_FLIGHT, 6), as when every file had its own worker — one worker serving several
 * large files made each file's parts wait for their CRC32C in turn (10 × 100 MiB: 82 s against 55 s
 * with a worker each, docs/performance.md) — but reused by the next file instead of started anew.
 */
export const MAX_HASH_WORKERS = 6;

/** A worker with no file is terminated after this many ms (a next file within it reuses it). */
export const HASH_WORKER_IDLE_MS = 10_000;

/** What a file attached to a pooled worker hears from it. */
interface Attached {
  onMessage(m: HashWorkerResponse): void;
  /** The worker failed to load or crashed. */
  onCrash(message: string): void;
}

interface Pooled {
  worker: Worker;
  files: Map<number, Attached>;
  idleTimer?: ReturnType<typeof setTimeout>;
}

const pool: Pooled[] = [];
let nextId = 1;

function newPooled(): Pooled {
  const worker = new Worker(new URL("./hash-worker.ts", import.meta.url), { type: "module" });
  const p: Pooled = { worker, files: new Map() };
  worker.onmessage = (e: MessageEvent<HashWorkerResponse>) => p.files.get(e.data.id)?.onMessage(e.data);
  worker.onerror = (e) => {
    // A broken worker serves no one: later files get a new one; the files on it fall back.
    const i = pool.indexOf(p);
    if (i >= 0) pool.splice(i, 1);
    if (p.idleTimer) clearTimeout(p.idleTimer);
    worker.terminate();
    const files = [...p.files.values()];
    p.files.clear();
    for (const f of files) f.onCrash(e.message);
  };
  return p;
}

/** The worker for a new file: an idle one, else a new one while the pool has room, else the least busy. Throws if a Worker cannot be created. */
function acquire(): Pooled {
  let best = pool.reduce<Pooled | undefined>((b, p) => (!b || p.files.size < b.files.size ? p : b), undefined);
  if (!best || (best.files.size > 0 && pool.length < MAX_HASH_WORKERS)) {
    best = newPooled();
    pool.push(best);
  }
  if (best.idleTimer) {
    clearTimeout(best.idleTimer);
    best.idleTimer = undefined;
  }
  return best;
}

function detach(p: Pooled, id: number): void {
  if (!p.files.delete(id) || p.files.size > 0 || !pool.includes(p)) return;
  p.idleTimer = setTimeout(() => {
    if (p.files.size > 0) return;
    const i = pool.indexOf(p);
    if (i >= 0) pool.splice(i, 1);
    p.worker.terminate();
  }, HASH_WORKER_IDLE_MS);
}

/** Creates the worker-backed hasher of one file (on a pooled worker; detached by `dispose()` or once the SHA-256 is known). */
export const createWorkerFileHasher: CreateFileHasher = (file, plan, onDigest) => {
  if (typeof Worker === "undefined") return createInlineFileHasher(file, plan, onDigest);
  let pooled: Pooled;
  try {
    pooled = acquire();
  } catch {
    return createInlineFileHasher(file, plan, onDigest);
  }
  const id = nextId++;
  const digests = new Map<number, string>();
  const waiting = new Map<number, Array<{ resolve(d: string): void; reject(e: unknown): void }>>();
  let sha: string | undefined;
  let failure: Error | undefined;
  let fallback: FileHasher | undefined;
  let attached = true;
  const shaWaiters: Array<{ resolve(h: string): void; reject(e: unknown): void }> = [];
  const leave = () => {
    if (!attached) return;
    attached = false;
    detach(pooled, id);
  };
  /** The worker could not run (failed to load, crashed): hash on this thread instead. */
  const fallBack = () => {
    attached = false;
    const inline = createInlineFileHasher(file, plan, (n, d) => {
      if (!digests.has(n)) onDigest?.(n, d);
      digests.set(n, d);
    });
    fallback = inline;
    for (const [n, list] of waiting) list.forEach((w) => inline.partDigest(n).then(w.resolve, w.reject));
    waiting.clear();
    shaWaiters.splice(0).forEach((w) => inline.sha256().then(w.resolve, w.reject));
  };
  const fail = (error: Error) => {
    failure = error;
    for (const list of waiting.values()) list.forEach((w) => w.reject(error));
    waiting.clear();
    shaWaiters.splice(0).forEach((w) => w.reject(error));
  };
  pooled.files.set(id, {
    onMessage(m) {
      if (m.type === "digest") {
        if (!digests.has(m.partNumber)) onDigest?.(m.partNumber, m.digest);
        digests.set(m.partNumber, m.digest);
        waiting.get(m.partNumber)?.forEach((w) => w.resolve(m.digest));
        waiting.delete(m.partNumber);
      } else if (m.type === "sha256") {
        sha = m.hex;
        leave(); // every part's digest came before it: the worker has nothing more for this file
        shaWaiters.splice(0).forEach((w) => w.resolve(m.hex));
      } else {
        leave();
        fail(new Error(`Hashing the file failed: ${m.message}`));
      }
    },
    onCrash(message) {
      attached = false;
      if (sha === undefined && !failure) fallBack();
      else fail(new Error(`The hashing worker failed: ${message}`));
    },
  });
  const post = (m: HashWorkerRequest) => pooled.worker.postMessage(m);
  post({ type: "start", id, file, size: plan.size, partSize: plan.partSize, partCount: plan.partCount });

  return {
    partDigest(n) {
      const known = digests.get(n);
      if (known) return Promise.resolve(known);
      if (fallback) return fallback.partDigest(n);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        const list = waiting.get(n) ?? [];
        list.push({ resolve, reject });
        waiting.set(n, list);
        if (attached) post({ type: "part", id, partNumber: n });
      });
    },
    sha256() {
      if (sha) return Promise.resolve(sha);
      if (fallback) return fallback.sha256();
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => shaWaiters.push({ resolve, reject }));
    },
    dispose() {
      fallback?.dispose();
      if (attached) post({ type: "dispose", id });
      leave();
      if (sha === undefined) fail(new Error("hasher disposed"));
    },
  };
};
