// A frozen copy of lib/uploader/hash-worker.ts as it was before issue 11 (commit 3bf02d0), for the bench's
// `ours-before` peer, so the old and the new hasher are measured in the same run. Not used by the app.
/**
 * The Web Worker side of `worker-file-hasher.ts`: runs the inline file hasher
 * off the page's main thread. Messages in: `{type: "start", file, size,
 * partSize, partCount}`, `{type: "part", partNumber}`. Messages out:
 * `{type: "digest", partNumber, digest}`, `{type: "sha256", hex}`,
 * `{type: "error", message}`.
 */
import { createInlineFileHasher, type FileHasher } from "./file-hasher";

/** Messages the page sends to the worker. */
export type HashWorkerRequest =
  | { type: "start"; file: Blob; size: number; partSize: number; partCount: number }
  | { type: "part"; partNumber: number };

/** Messages the worker sends back. */
export type HashWorkerResponse =
  | { type: "digest"; partNumber: number; digest: string }
  | { type: "sha256"; hex: string }
  | { type: "error"; message: string; partNumber?: number };

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<HashWorkerRequest>) => void) | null; postMessage(m: HashWorkerResponse): void };
let hasher: FileHasher | undefined;

scope.onmessage = (e) => {
  const msg = e.data;
  if (msg.type === "start") {
    hasher = createInlineFileHasher(msg.file, { size: msg.size, partSize: msg.partSize, partCount: msg.partCount }, (partNumber, digest) =>
      scope.postMessage({ type: "digest", partNumber, digest }),
    );
    hasher.sha256().then(
      (hex) => scope.postMessage({ type: "sha256", hex }),
      (err) => scope.postMessage({ type: "error", message: String(err) }),
    );
  } else if (msg.type === "part" && hasher) {
    const { partNumber } = msg;
    hasher.partDigest(partNumber).then(
      (digest) => scope.postMessage({ type: "digest", partNumber, digest }),
      (err) => scope.postMessage({ type: "error", message: String(err), partNumber }),
    );
  }
};
