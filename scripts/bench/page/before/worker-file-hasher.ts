// A frozen copy of lib/uploader/worker-file-hasher.ts as it was before issue 11 (commit 3bf02d0), for the bench's
// `ours-before` peer, so the old and the new hasher are measured in the same run. Not used by the app.
/**
 * {@link FileHasher} backed by a Web Worker (`hash-worker.ts`), so reading and
 * hashing the file never blocks the page (PERF-ANCHORS: the SDK's main-thread
 * CRC halved its throughput). The `File` is handed to the worker by structured
 * clone (a handle, not a copy of the bytes). Falls back to the inline hasher
 * (this thread, one part at a time) where Workers do not exist, cannot be
 * created (a Content-Security-Policy), or fail to run: hashing degrades, the
 * upload does not (issue 10, CASES 27).
 */
import { createInlineFileHasher, type CreateFileHasher, type FileHasher } from "./file-hasher";
import type { HashWorkerRequest, HashWorkerResponse } from "./hash-worker";

/** Creates the worker-backed hasher (one worker per file, terminated by `dispose()` or once the SHA-256 is known). */
export const createWorkerFileHasher: CreateFileHasher = (file, plan, onDigest) => {
  if (typeof Worker === "undefined") return createInlineFileHasher(file, plan, onDigest);
  let worker: Worker;
  try {
    worker = new Worker(new URL("./before-hash-worker.ts", import.meta.url), { type: "module" });
  } catch {
    return createInlineFileHasher(file, plan, onDigest);
  }
  const digests = new Map<number, string>();
  const waiting = new Map<number, Array<{ resolve(d: string): void; reject(e: unknown): void }>>();
  let sha: string | undefined;
  let failure: Error | undefined;
  let fallback: FileHasher | undefined;
  let disposed = false;
  const shaWaiters: Array<{ resolve(h: string): void; reject(e: unknown): void }> = [];
  /** The worker could not run (failed to load, crashed): hash on this thread instead. */
  const fallBack = () => {
    worker.terminate();
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
  worker.onmessage = (e: MessageEvent<HashWorkerResponse>) => {
    const m = e.data;
    if (m.type === "digest") {
      if (!digests.has(m.partNumber)) onDigest?.(m.partNumber, m.digest);
      digests.set(m.partNumber, m.digest);
      waiting.get(m.partNumber)?.forEach((w) => w.resolve(m.digest));
      waiting.delete(m.partNumber);
    } else if (m.type === "sha256") {
      sha = m.hex;
      shaWaiters.splice(0).forEach((w) => w.resolve(m.hex));
    } else {
      fail(new Error(`Hashing the file failed: ${m.message}`));
    }
  };
  worker.onerror = (e) => {
    if (!disposed && !fallback && sha === undefined) fallBack();
    else fail(new Error(`The hashing worker failed: ${e.message}`));
  };
  const post = (m: HashWorkerRequest) => worker.postMessage(m);
  post({ type: "start", file, size: plan.size, partSize: plan.partSize, partCount: plan.partCount });

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
        post({ type: "part", partNumber: n });
      });
    },
    sha256() {
      if (sha) return Promise.resolve(sha);
      if (fallback) return fallback.sha256();
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => shaWaiters.push({ resolve, reject }));
    },
    dispose() {
      disposed = true;
      fallback?.dispose();
      worker.terminate();
      fail(new Error("hasher disposed"));
    },
  };
};
