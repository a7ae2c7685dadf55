/** Shapes shared by the upload benchmark's orchestrator (Node) and its page (browser). */

/**
 * The uploaders compared; `put` is one PutObject of the whole file (the browser's ceiling). `ours` is
 * this engine as the portal runs it (PART_TUNING=adaptive, integrity on), `ours-fixed` the same with
 * PART_TUNING=fixed (today's 5 MiB × 4), `ours-before` fixed with the file hasher as it was before
 * issue 11, `ours-plain` fixed without checksums or file hash.
 */
export const BROWSER_PEERS = ["ours", "ours-fixed", "ours-before", "ours-plain", "libstorage", "libstorage-nocrc", "uppy", "put"] as const;
/**
 * Where the integrity CPU goes (issue 11), on request only (`--peers`): the engine's file hasher
 * alone over the whole file, no upload (`hash-only`; `hash-only-before` = the hasher before issue 11),
 * and the reads alone (`read-only`: every part's `slice().arrayBuffer()` in a Worker, nothing hashed;
 * `read-stream`: `slice().stream()`; `read-sync`: `FileReaderSync`; `read-1mib`: `arrayBuffer()` of 1 MiB slices); each candidate hash alone over
 * the parts read (`probe-*`, scripts/bench/page/probe-worker.ts); and `ours-plain-buffer`, the plain
 * engine sending each part as an ArrayBuffer read first instead of the disk-backed slice.
 */
export const PROBE_PEERS = ["hash-only", "hash-only-before", "read-only", "read-stream", "read-sync", "read-1mib", "ours-plain-buffer", "probe-crc32c", "probe-sha256-wasm", "probe-sha256-subtle"] as const;
export type BrowserPeer = (typeof BROWSER_PEERS)[number] | (typeof PROBE_PEERS)[number];

/** One upload to run in the page. */
export interface BenchRunInput {
  peer: BrowserPeer;
  /** S3 endpoint URL, e.g. `http://127.0.0.1:7540` (path-style). */
  endpoint: string;
  region: string;
  bucket: string;
  key: string;
  /** Temporary STS credentials (AssumeRole with the one-object session policy for `key`). */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
  /** `ours` only: part size preference in bytes (default: the engine's 5 MiB plan). */
  partSize?: number;
  /** `ours` only: parts in flight (default 4). */
  concurrency?: number;
  /** `ours` only: simulated portal round trip of the fake PortalApi's calls, ms (default 0). */
  portalLatencyMs?: number;
}

/** What the page measured: bytes sent and wall time in ms (start → object complete). */
export interface BenchRunOutput {
  bytes: number;
  ms: number;
  /** Parts sent (1 for a single PUT). */
  parts: number;
  /** `ours`: the part size of its session (bytes) and its parts in flight when it completed. */
  chosen?: { partSize: number; concurrency: number };
}

/**
 * `--many NxS` (issue 11, "Many files"): the peers that upload N files chosen at once. `ours` runs
 * the engine the way the portal's page does (components/uploader/use-upload-queue.ts: up to 6 files
 * in flight, smallest first, one shared pool of part slots tuned by one shared adaptive tuner, at
 * most 4 files creating their session at once, CRC32C per part + whole-file SHA-256 in a Worker);
 * `ours-fixed` the same with PART_TUNING=fixed; `ours-plain` adaptive without checksums or file hash. `uppy`: one Uppy 5 instance with every file,
 * multipart for every file (the one-file peer's setup); `uppy-defaults`: Uppy 5's own defaults, a
 * single PUT for files ≤ 100 MiB (`shouldUseMultipart`), multipart above.
 */
export const MANY_PEERS = ["ours", "ours-fixed", "ours-plain", "uppy", "uppy-defaults"] as const;
export type ManyPeer = (typeof MANY_PEERS)[number];

/** One many-files run in the page: every file of `<input id="files">`, each to `prefix` + its name. */
export interface BenchManyInput {
  peer: ManyPeer;
  endpoint: string;
  region: string;
  bucket: string;
  /** Key prefix of this run, ending in `/`; a file's key is prefix + file name. */
  prefix: string;
  /** Temporary STS credentials allowing the upload actions on `prefix*` (one set for all files, both peers). */
  credentials: BenchRunInput["credentials"];
  /** `ours`: part slots shared by all files (the portal's PART_CONCURRENCY, default 4). */
  concurrency?: number;
  /** `ours`: simulated portal round trip of the fake PortalApi's calls, ms (default 0). */
  portalLatencyMs?: number;
  /** `ours`: files uploading at once (default the page's DEFAULT_FILES_IN_FLIGHT, 6). */
  filesInFlight?: number;
  /** Only the first `limit` files (the untimed warm-up run). Default all. */
  limit?: number;
}

/** What a many-files run measured: bytes and files sent, wall time from start to the last completed object, ms. */
export interface BenchManyOutput {
  bytes: number;
  files: number;
  ms: number;
  /** Part uploads (PUTs of parts or single PUTs) over all files. */
  parts: number;
  /** `ours`: the part sizes its sessions got (bytes) and the shared slots' limit at the end. */
  chosen?: { partSizes: number[]; concurrency: number };
}
