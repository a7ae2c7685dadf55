/**
 * Options of `createFileUpload`, each with its default, unit and reason, and
 * the one function that fills in the defaults.
 */
import { type ChecksumFn, checksumPart } from "./checksum";
import { type Clock, systemClock } from "./clock";
import type { FileUploadListener } from "./events";
import { type CreateFileHasher, createInlineFileHasher } from "./file-hasher";
import { type OnlineMonitor, defaultOnlineMonitor } from "./online";
import type { PartSlots } from "./part-slots";
import type { PortalApi, ResourceSessionFields, UploadSession } from "./portal-api";
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_REFRESHES } from "./retry";
import type { ChecksumAlgorithm, PartSigner } from "./signer";
import type { SignInWaiter } from "./sign-in";
import { type StoreProbe, defaultStoreProbe } from "./store-probe";
import type { Transport } from "./transport";
import { createXhrTransport } from "./xhr-transport";
import type { PartTuner, PartTuningMode } from "./tuning";

/** A file to upload: a `File`, or any Blob with a name and modification time. */
export type UploadFile = Blob & { readonly name: string; readonly lastModified: number };

/** Options of `createFileUpload`. */
export interface FileUploadOptions {
  /** The file. Read only through `slice()` per part, never whole. */
  file: UploadFile;
  /** CKAN dataset id or name the file is added to. */
  datasetId: string;
  /**
   * CKAN resource fields sent with session creation (name, description, format, or the resource whose
   * file this upload replaces). Read when the session is created, so a queue may change them until then.
   * Default: none (the portal names the resource after the file and guesses its format).
   */
  resourceFields?: ResourceSessionFields | (() => ResourceSessionFields | undefined);
  /** The portal. Usually `createPortalApi()`. */
  api: PortalApi;
  /** Sends part PUTs. Default: XMLHttpRequest (`createXhrTransport()`). */
  transport?: Transport;
  /** Parts in flight at once. Default 4: fills a link to S3 while staying under the browser's 6 connections per host; memory ≈ concurrency × part size only with checksums on. */
  concurrency?: number;
  /** Preferred part size in bytes, sent to the portal (which decides). Default: none (the portal's 5 MiB-based plan). */
  partSize?: number;
  /**
   * `PART_TUNING`: `"adaptive"` (default) starts at `partSize` × `concurrency` and tunes to the link —
   * more parts in flight while throughput rises (cap 16), larger parts for large new uploads
   * (`tuning.ts`); `"fixed"` keeps `partSize` and `concurrency` exactly. A resumed session always
   * keeps the part size it was planned with.
   */
  partTuning?: PartTuningMode;
  /**
   * The tuner (`createPartTuner`), e.g. one shared by several files so later files start from what
   * earlier ones measured. Default: one for this file, from `partTuning` and `concurrency`.
   */
  tuner?: PartTuner;
  /** Attempts per request (first try + retries). Default 6: at least 5 tries before a part fails. */
  maxAttempts?: number;
  /** Re-sign/refresh-credentials/clock fixes per part before they count as attempts. Default 5: no refresh loops. */
  maxRefreshes?: number;
  /** First back-off ceiling, in ms. Default 500. */
  retryBaseMs?: number;
  /** Longest back-off, in ms. Default 30,000. */
  retryCapMs?: number;
  /** Abort and retry a part PUT with no upload progress for this long, in ms. Default 60,000: long enough for a slow S3 response, short enough that a dead connection is noticed. */
  stallTimeoutMs?: number;
  /**
   * A part whose requests get no answer at all (connection refused or reset, stalled) keeps being
   * retried, with back-off capped at `retryCapMs`, for this long in ms before its attempts can run
   * out: a store or proxy outage of a few minutes is waited out (CASES 9). Default 300,000 (5 min).
   * HTTP error answers always count against `maxAttempts`.
   */
  outageToleranceMs?: number;
  /** Overall limit per part PUT, in ms. Default 0 (none): a 5 GiB part on a slow link legitimately takes hours; stalls are caught by `stallTimeoutMs`. */
  partTimeoutMs?: number;
  /** Per-part checksum sent to S3 and recorded. Default `"none"` (some stores lack checksum support; CASES 21). */
  checksum?: ChecksumAlgorithm | "none";
  /** Computes a part checksum. Default: hash-wasm on this thread (`checksumPart`); inject a Web Worker-backed one to keep the page smooth. */
  computeChecksum?: ChecksumFn;
  /** Flush part reports to the portal every this many parts. Default 8. */
  recordBatchSize?: number;
  /** …or when the oldest unreported part is this old, in ms. Default 1,000. */
  recordIntervalMs?: number;
  /** Shortest interval between progress events, in ms. Default 100: smooth bars without flooding a UI. */
  progressIntervalMs?: number;
  /** Time source. Default the system clock (`Date.now`, `setTimeout`). */
  clock?: Clock;
  /** Network availability. Default: `navigator.onLine` + `online` events where they exist, else always online. */
  online?: OnlineMonitor;
  /** Randomness for back-off jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Builds the signer for a session. Default: STS signer for mode `sts`, portal signer for `presigned`. */
  createSigner?: (session: UploadSession) => PartSigner;
  /**
   * Continue an existing session (after a reload or crash) instead of creating one: its stored parts
   * are skipped once the file is shown to be the same. `digests` are the part CRC32Cs (base64) kept
   * from the earlier visit (the `digest` events); the first and last stored parts that have one are
   * compared with this file's before anything is skipped (CASES 15). Parts without a known digest are sent again.
   */
  resume?: { sessionId: string; digests?: Record<number, string> };
  /**
   * Hashes the file alongside the upload: whole-file SHA-256 (sent on complete) and per-part CRC32C
   * (resume fingerprints, and the S3 checksum when `checksum` is `"CRC32C"`). Default: in this thread
   * (`createInlineFileHasher`); a page injects `createWorkerFileHasher`. `null`: no hashing.
   */
  hashFile?: CreateFileHasher | null;
  /**
   * STS mode: refresh credentials when less than this many ms of their lifetime remain. Default
   * 300,000 (5 min). Tests shorten a credential's useful life by raising it.
   */
  refreshMarginMs?: number;
  /**
   * Waits for a new sign-in when the portal answers 401 (`signed_out`): the upload keeps its parts,
   * spends no retries, emits `signed-out`, and goes on by itself once this resolves (`signed-in`).
   * A page passes `createPortalSignInWatcher()`. Default: none — a 401 fails the upload (`signed_out`).
   */
  signIn?: SignInWaiter | null;
  /**
   * Tells a bucket CORS fault from an outage when a part PUT gets no answer, so the fault is named
   * within seconds (`cors`) instead of after `outageToleranceMs`. Default: the fetch probe in a
   * browser (`store-probe.ts`), none in Node. `null`: never probe.
   */
  probeStore?: StoreProbe | null;
  /**
   * Part slots shared with the other files uploading at once (`createPartSlots`, one per page or CLI
   * process): each part waits for a slot, so the total of parts in flight stays at the slots' limit
   * however many files run, and the file with the fewest bytes left is served first. Default: none
   * (this file alone, `concurrency` parts in flight).
   */
  slots?: PartSlots;
  /**
   * A gate shared by the files of a page or process (`createGate(n)`): at most n files create their
   * portal session at once (each creation is a CKAN check, S3 CreateMultipartUpload and, in sts mode,
   * AssumeRole). Default: none.
   */
  sessionGate?: PartSlots;
  /** Receives all events. */
  onEvent?: FileUploadListener;
}

/** Options with defaults filled in. */
export type ResolvedFileUploadOptions = Required<Omit<FileUploadOptions, "partSize" | "tuner" | "createSigner" | "onEvent" | "resume" | "refreshMarginMs" | "signIn" | "probeStore" | "slots" | "sessionGate" | "resourceFields">> &
  Pick<FileUploadOptions, "partSize" | "tuner" | "createSigner" | "onEvent" | "resume" | "refreshMarginMs" | "slots" | "sessionGate" | "resourceFields"> & { signIn: SignInWaiter | null; probeStore: StoreProbe | null };

/** Fills in the defaults documented on {@link FileUploadOptions}. */
export function resolveOptions(opts: FileUploadOptions): ResolvedFileUploadOptions {
  return {
    ...opts,
    transport: opts.transport ?? createXhrTransport(),
    concurrency: Math.max(1, Math.floor(opts.concurrency ?? 4)),
    partTuning: opts.partTuning ?? "adaptive",
    maxAttempts: Math.max(1, opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
    maxRefreshes: Math.max(0, opts.maxRefreshes ?? DEFAULT_MAX_REFRESHES),
    retryBaseMs: opts.retryBaseMs ?? 500,
    retryCapMs: opts.retryCapMs ?? 30_000,
    stallTimeoutMs: opts.stallTimeoutMs ?? 60_000,
    partTimeoutMs: opts.partTimeoutMs ?? 0,
    outageToleranceMs: opts.outageToleranceMs ?? 300_000,
    checksum: opts.checksum ?? "none",
    computeChecksum: opts.computeChecksum ?? checksumPart,
    recordBatchSize: opts.recordBatchSize ?? 8,
    recordIntervalMs: opts.recordIntervalMs ?? 1_000,
    progressIntervalMs: opts.progressIntervalMs ?? 100,
    clock: opts.clock ?? systemClock,
    online: opts.online ?? defaultOnlineMonitor(),
    random: opts.random ?? Math.random,
    hashFile: opts.hashFile === undefined ? createInlineFileHasher : opts.hashFile,
    signIn: opts.signIn ?? null,
    probeStore: opts.probeStore === undefined ? defaultStoreProbe() : opts.probeStore,
  };
}
