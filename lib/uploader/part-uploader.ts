/**
 * Uploads one part, with everything that can go wrong on the way: sign, PUT
 * the slice, read the ETag, and on failure ask the classifier — back off and
 * retry, refresh (re-sign, new credentials, clock correction; not an
 * attempt), or give up. While offline it waits for the network instead.
 */
import type { ChecksumFn } from "./checksum";
import type { Clock } from "./clock";
import { UploadEngineError, abortReason, throwIfAborted, toUploadEngineError } from "./errors";
import type { OnlineMonitor } from "./online";
import type { PartRange } from "./plan";
import type { RecordedPart } from "./portal-api";
import type { ProgressTracker } from "./progress";
import { type BackoffOptions, backoffDelay, classify, isClockSkew, isExpiredCredentials, isRefusedCredentials } from "./retry";
import { rateLimitWaitMs } from "./rate-limit-wait";
import { readPartEtag } from "./s3-response";
import { type StoreProbe, corsMessage, corsParams } from "./store-probe";
import { type ChecksumAlgorithm, type PartChecksum, type PartSigner, type RefreshReason, checksumHeaderName } from "./signer";
import type { Transport } from "./transport";

/** A retry about to happen, for events and tests. */
export interface PartRetryInfo {
  partNumber: number;
  /** Attempts spent so far (refreshes and offline waits are not attempts). */
  attempt: number;
  /** Back-off before the next try, in ms (0 for a refresh). */
  delayMs: number;
  decision: "retry" | "refresh";
  error: UploadEngineError;
  /** The portal answered 429 with `Retry-After`: waiting `delayMs`, no attempt spent. */
  rateLimited?: boolean;
}

/** What {@link uploadPart} needs; the file upload builds it once. */
export interface PartUploadContext {
  file: Blob;
  signer: PartSigner;
  transport: Transport;
  progress: ProgressTracker;
  clock: Clock;
  online: OnlineMonitor;
  maxAttempts: number;
  maxRefreshes: number;
  backoff: BackoffOptions;
  stallTimeoutMs: number;
  timeoutMs?: number;
  /**
   * While requests get no answer at all (connection refused or reset, timeouts) for less than this
   * long, in ms, failures do not use up `maxAttempts`: an outage of the store or the link is waited
   * out with capped back-off. Default 0 (every failure counts).
   */
  outageToleranceMs?: number;
  checksum: ChecksumAlgorithm | "none";
  computeChecksum: ChecksumFn;
  /** Checksums already computed, by part number (the engine computes a one-part file's before its session starts). */
  knownChecksums?: ReadonlyMap<number, PartChecksum>;
  /** Shared by the file's parts: false once the store showed it does not verify checksums. */
  checksums?: { on: boolean };
  /** The part's CRC32C from the file hasher (hashed once, off the main thread); else `computeChecksum` is used. */
  partDigest?: (partNumber: number) => Promise<string>;
  /** Called when the store ignores or refuses per-part checksums; later parts go without them. */
  onChecksumsOff?: (reason: string) => void;
  onProgress(): void;
  onRetry(info: PartRetryInfo): void;
  /**
   * Called when the portal answers 401 (`signed_out`, e.g. while signing in presigned mode): resolves
   * once the user is signed in again; the part then goes on without spending an attempt. Absent: fatal.
   */
  waitForSignIn?(error: UploadEngineError, signal: AbortSignal): Promise<void>;
  /**
   * Tells a CORS fault from an outage when a PUT gets no answer (see `store-probe.ts`). Absent (Node):
   * no-answer failures are always treated as an outage.
   */
  probeStore?: StoreProbe;
  /**
   * Shared by the file's parts: consecutive 2xx answers without a readable ETag. One is retried (a
   * proxy's glitch); a second in a row is the CORS rule not exposing ETag (`missing_etag`).
   */
  etagMisses?: { streak: number };
  /** The file's name, for messages. */
  fileName?: string;
}

/** Rejects with the signal's reason as soon as it aborts, whatever `promise` does. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function refreshReason(e: UploadEngineError, partNumber: number, localTime: number): RefreshReason {
  if (isClockSkew(e)) return { kind: "clock_skew", partNumber, serverTime: e.serverTime, localTime };
  if (isExpiredCredentials(e)) return { kind: "credentials", partNumber };
  return { kind: "url_expired", partNumber };
}

/** Uploads part `range` and returns what the portal records for it. */
export async function uploadPart(ctx: PartUploadContext, range: PartRange, signal: AbortSignal): Promise<RecordedPart> {
  const { partNumber } = range;
  const size = range.end - range.start;
  let checksum: PartChecksum | undefined;
  const known = ctx.knownChecksums?.get(partNumber);
  if (known && ctx.checksum === known.algorithm && ctx.checksums?.on !== false) {
    checksum = known; // computed before the session started (a file of one part)
  } else if (ctx.checksum !== "none" && ctx.checksums?.on !== false) {
    // Once per part, not per attempt; only this part's bytes are read.
    const value = await raceAbort(
      ctx.partDigest && ctx.checksum === "CRC32C" ? ctx.partDigest(partNumber) : ctx.computeChecksum(ctx.file.slice(range.start, range.end), ctx.checksum),
      signal,
    );
    checksum = { algorithm: ctx.checksum, value };
  }
  let attempt = 0;
  let outageRetries = 0; // tries that got no answer within the outage tolerance (not attempts)
  let refreshes = 0;
  let noAnswerSince: number | undefined; // start of the current run of failures without any HTTP answer
  let refusedRefreshed = false; // credentials refused once already: a second refusal is believed
  for (;;) {
    throwIfAborted(signal);
    let urlExpiresAt: number | undefined;
    let sentTo: { url: string; headerNames: string[] } | undefined;
    try {
      await ctx.online.waitUntilOnline(signal);
      const signed = await raceAbort(ctx.signer.sign(partNumber, { contentLength: size, checksum }), signal);
      urlExpiresAt = signed.expiresAt;
      sentTo = { url: signed.url, headerNames: Object.keys(signed.headers) };
      const res = await ctx.transport.put(
        {
          url: signed.url,
          headers: signed.headers,
          body: ctx.file.slice(range.start, range.end), // a lazy slice: sliced when sent, released when done
          timeoutMs: ctx.timeoutMs,
          stallTimeoutMs: ctx.stallTimeoutMs,
          onProgress: (loaded) => {
            ctx.progress.update(partNumber, Math.min(loaded, size));
            ctx.onProgress();
          },
        },
        signal,
      );
      const etag = readPartEtag(res, partNumber);
      if (ctx.etagMisses) ctx.etagMisses.streak = 0;
      if (checksum && !res.headers(checksumHeaderName(checksum.algorithm))) {
        // The store stored the part without echoing the checksum: it does not verify them (e.g. Ceph RGW 16).
        ctx.onChecksumsOff?.(`the storage did not confirm the ${checksum.algorithm} of part ${partNumber}`);
        return { partNumber, size, etag };
      }
      return { partNumber, size, etag, ...(checksum && { checksum }) };
    } catch (error) {
      ctx.progress.drop(partNumber);
      if (signal.aborted) throw abortReason(signal);
      const e = toUploadEngineError(error);
      if (e.code === "network" && !ctx.online.isOnline()) continue; // waits for the network at the top: not an attempt
      if (e.code === "signed_out" && ctx.waitForSignIn) {
        await ctx.waitForSignIn(e, signal); // the sign-in ended: wait for a new one; not an attempt
        continue;
      }
      if (e.code === "missing_etag" && ctx.etagMisses && ++ctx.etagMisses.streak < 2 && attempt + 1 < ctx.maxAttempts) {
        attempt++; // one 2xx without ETag may be a proxy's glitch: send the part again before blaming CORS
        ctx.onRetry({ partNumber, attempt, delayMs: 0, decision: "retry", error: e });
        continue;
      }
      if (e.code === "network") {
        // No answer. First the cheap local question — can the file still be read? — then, in a
        // browser, whether the store answers at all (outage) or only not under CORS (configuration).
        const unreadable = await fileUnreadable(ctx.file, range.start);
        if (unreadable) throw withPart(new UploadEngineError("file_unreadable", unreadableMessage(ctx.fileName), { cause: unreadable, partNumber, params: { name: ctx.fileName ?? "" } }), partNumber);
        if (ctx.probeStore && sentTo && (await raceAbort(ctx.probeStore(sentTo.url, sentTo.headerNames), signal)) === "cors") {
          throw withPart(new UploadEngineError("cors", corsMessage(sentTo.url), { cause: e, partNumber, params: corsParams(sentTo.url) }), partNumber);
        }
      }
      if (checksum && refusesChecksums(e)) {
        // A store without flexible checksums (CASES 21): send this and later parts without them; not an attempt.
        ctx.onChecksumsOff?.(`the storage refused the ${checksum.algorithm} header (${e.s3Code ?? e.status})`);
        checksum = undefined;
        continue;
      }
      const now = ctx.clock.now();
      if (isRefusedCredentials(e, { now, urlExpiresAt })) {
        if (refusedRefreshed) throw withPart(new UploadEngineError("access_denied", refusedMessage(e, partNumber), { ...e, cause: e, partNumber, retryable: false, params: { part: partNumber, status: String(e.status ?? ""), s3Code: String(e.s3Code) } }), partNumber);
        refusedRefreshed = true;
        refreshes++;
        ctx.onRetry({ partNumber, attempt, delayMs: 0, decision: "refresh", error: e });
        await raceAbort(ctx.signer.refresh({ kind: "credentials", partNumber }), signal);
        continue;
      }
      const limitedMs = rateLimitWaitMs(e, ctx.backoff?.random);
      if (limitedMs !== undefined) {
        // The portal's sign limit (429 Retry-After): wait as told and sign again; not an attempt.
        ctx.onRetry({ partNumber, attempt, delayMs: limitedMs, decision: "retry", error: e, rateLimited: true });
        await ctx.clock.sleep(limitedMs, signal);
        continue;
      }
      let decision = classify(e, { now, urlExpiresAt });
      if (decision === "refresh" && refreshes >= ctx.maxRefreshes) decision = "retry"; // a refresh that does not help costs attempts
      if (decision === "fatal") throw withPart(e, partNumber);
      if (decision === "refresh") {
        refreshes++;
        ctx.onRetry({ partNumber, attempt, delayMs: 0, decision, error: e });
        await raceAbort(ctx.signer.refresh(refreshReason(e, partNumber, now)), signal);
        continue;
      }
      const noAnswer = e.code === "network" || e.code === "timeout";
      noAnswerSince = noAnswer ? (noAnswerSince ?? now) : undefined;
      const waitingOutOutage = noAnswerSince !== undefined && now - noAnswerSince < (ctx.outageToleranceMs ?? 0);
      // Tries that got no answer during a tolerated outage are not attempts: once the network is back,
      // the part still has its attempts for real errors (a 503 right after an outage must not fail it).
      if (waitingOutOutage) outageRetries++;
      else attempt++;
      if (attempt >= ctx.maxAttempts && !waitingOutOutage) throw withPart(e, partNumber);
      const delayMs = backoffDelay(attempt + outageRetries, ctx.backoff);
      ctx.onRetry({ partNumber, attempt, delayMs, decision, error: e });
      await ctx.clock.sleep(delayMs, signal);
    }
  }
}

/** The reason the file cannot be read at `offset` (one byte is read), or undefined when it can. */
async function fileUnreadable(file: Blob, offset: number): Promise<unknown> {
  try {
    await file.slice(offset, offset + 1).arrayBuffer();
    return undefined;
  } catch (error) {
    return error ?? new Error("unreadable");
  }
}

/** The English message of `file_unreadable` (exported for tests: the catalogue must say the same). */
export function unreadableMessage(fileName = "The file"): string {
  const name = fileName === "The file" ? fileName : `"${fileName}"`;
  return `${name} can no longer be read: it was moved, deleted or changed on disk after it was chosen (or the browser lost access to it). ` +
    "The parts sent so far are kept: choose the file again to resume.";
}

/** The English message of `access_denied` (exported for tests: the catalogue must say the same). */
export function refusedMessage(e: UploadEngineError, partNumber: number): string {
  return `The storage refused the upload credentials for part ${partNumber} even after fresh ones (${e.status ?? ""} ${e.s3Code}). ` +
    "The portal's storage role or bucket policy does not allow this upload; the parts sent so far are kept. Ask the portal administrator (npm run doctor checks the role).";
}

/** A 400/501 naming an unsupported or invalid request, answered to a part that carried a checksum header. */
function refusesChecksums(e: UploadEngineError): boolean {
  return e.code === "http" && (e.status === 400 || e.status === 501) && ["NotImplemented", "InvalidRequest", "InvalidArgument"].includes(e.s3Code ?? "");
}

function withPart(e: UploadEngineError, partNumber: number): UploadEngineError {
  if (e.partNumber !== undefined) return e;
  return new UploadEngineError(e.code, `Part ${partNumber}: ${e.message}`, { ...e, partNumber, cause: e });
}
