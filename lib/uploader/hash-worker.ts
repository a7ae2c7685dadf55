/**
 * The Web Worker side of `worker-file-hasher.ts`: runs the inline file hasher
 * off the page's main thread, for several files at once (one worker serves
 * every file of the page, issue 11 "Many files": a worker per file cost ~0.1 s
 * of CPU to start and load hash-wasm, more than hashing a small file). Each
 * file is known by the `id` the page gave it. Messages in: `{type: "start", id,
 * file, size, partSize, partCount}`, `{type: "part", id, partNumber}`,
 * `{type: "dispose", id}`. Messages out: `{type: "digest", id, partNumber,
 * digest}`, `{type: "sha256", id, hex}`, `{type: "error", id, message}`.
 */
import { createInlineFileHasher, type FileHasher } from "./file-hasher";

/** Messages the page sends to the worker. */
export type HashWorkerRequest =
  | { type: "start"; id: number; file: Blob; size: number; partSize: number; partCount: number }
  | { type: "part"; id: number; partNumber: number }
  | { type: "dispose"; id: number };

/** Messages the worker sends back. */
export type HashWorkerResponse =
  | { type: "digest"; id: number; partNumber: number; digest: string }
  | { type: "sha256"; id: number; hex: string }
  | { type: "error"; id: number; message: string; partNumber?: number };

/**
 * The worker's message handler, given the function that posts answers (`postMessage` in the worker;
 * tests run it in this thread). Keeps one sequential hasher per file id until its SHA-256 is known
 * or it is disposed.
 */
export function createHashWorkerHandler(post: (m: HashWorkerResponse) => void): (msg: HashWorkerRequest) => void {
  const hashers = new Map<number, FileHasher>();
  return (msg) => {
    if (msg.type === "start") {
      const { id } = msg;
      const hasher = createInlineFileHasher(msg.file, { size: msg.size, partSize: msg.partSize, partCount: msg.partCount }, (partNumber, digest) =>
        post({ type: "digest", id, partNumber, digest }),
      );
      hashers.set(id, hasher);
      hasher.sha256().then(
        (hex) => post({ type: "sha256", id, hex }),
        (err) => {
          if (hashers.has(id)) post({ type: "error", id, message: String(err) });
        },
      ).finally(() => hashers.delete(id)); // every part's digest was posted by the pass: nothing more to ask
    } else if (msg.type === "part") {
      const { id, partNumber } = msg;
      hashers.get(id)?.partDigest(partNumber).then(
        (digest) => post({ type: "digest", id, partNumber, digest }),
        (err) => post({ type: "error", id, message: String(err), partNumber }),
      );
    } else if (msg.type === "dispose") {
      hashers.get(msg.id)?.dispose();
      hashers.delete(msg.id);
    }
  };
}

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<HashWorkerRequest>) => void) | null; postMessage(m: HashWorkerResponse): void };
const handle = createHashWorkerHandler((m) => scope.postMessage(m));
scope.onmessage = (e) => handle(e.data);
