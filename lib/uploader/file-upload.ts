/**
 * One file's upload: the state machine that drives session → parts → complete.
 *
 * Pause is an abort with a known reason (never reported as an error); resume
 * sends only the missing parts; cancel aborts in-flight requests and the
 * multipart upload; a failed upload is never aborted automatically — its parts
 * stay for resume. Only the slices of parts in flight exist in memory.
 */
import { callWithRetry } from "./call-with-retry";
import { UploadEngineError, abortReason, cancelledReason, isUploadEngineError, pausedReason, toUploadEngineError } from "./errors";
import type { FileUploadEvent, FileUploadState } from "./events";
import { type FileUploadOptions, resolveOptions } from "./file-upload-options";
import { type PartUploadContext, uploadPart } from "./part-uploader";
import { type PartRecorder, createPartRecorder } from "./part-recorder";
import { MIN_PART_SIZE } from "./limits";
import { type PartPlan, checkPlan, partRange, planParts } from "./plan";
import { runPool } from "./pool";
import { checksumPart } from "./checksum";
import type { FileHasher } from "./file-hasher";
import type { RecordedPart, UploadSession } from "./portal-api";
import { type ProgressSnapshot, createProgressTracker } from "./progress";
import { createSessionSigner } from "./session-signer";
import { sharedProbe } from "./store-probe";
import type { PartChecksum } from "./signer";
import { createPartTuner } from "./tuning";

/** A file upload's handle. */
export interface FileUpload {
  readonly state: FileUploadState;
  /** The portal session id, once created. */
  readonly sessionId: string | undefined;
  /** Current progress. */
  progress(): ProgressSnapshot;
  /** Starts the upload (from `idle` only). Resolves when this run stops: completed, failed, paused or cancelled. */
  start(): Promise<void>;
  /** Pauses: aborts in-flight requests; no error is reported. No-op unless preparing/uploading. */
  pause(): void;
  /** Continues a paused or failed upload with the missing parts. Resolves when this run stops. */
  resume(): Promise<void>;
  /** Cancels: aborts requests and the multipart upload (portal `abort`). No-op once completing. */
  cancel(): Promise<void>;
  /** Resolves with the final state once completed, failed or cancelled (a failed upload can still be resumed). */
  settled(): Promise<"completed" | "failed" | "cancelled">;
}

const TERMINAL = new Set<FileUploadState>(["completed", "failed", "cancelled"]);

/** Creates the upload of one file. Nothing happens until `start()`. */
export function createFileUpload(options: FileUploadOptions): FileUpload {
  const o = resolveOptions(options);
  const { file, api, clock, online } = o;
  const backoff = { baseMs: o.retryBaseMs, capMs: o.retryCapMs, random: o.random };
  const progress = createProgressTracker({ total: file.size, now: () => clock.now() });
  const done = new Map<number, RecordedPart>();
  let storedBytes = 0; // sum of the sizes in `done`, for remainingBytes()
  // Part size of a new session and parts in flight (tuning.ts); `fixed` keeps the configured ones.
  const tuner = o.tuner ?? createPartTuner({ mode: o.partTuning, concurrency: o.concurrency, now: () => clock.now() });
  let state: FileUploadState = "idle";
  let session: UploadSession | undefined;
  let plan: PartPlan | undefined;
  let ctx: PartUploadContext | undefined;
  let recorder: PartRecorder | undefined;
  let hasher: FileHasher | undefined;
  const checksums = { on: o.checksum !== "none" };
  /** Part 1's checksum, computed before the start for a file of one part (sent as `partChecksum`). */
  let firstPartChecksum: PartChecksum | undefined;
  let controller: AbortController | undefined;
  let running: Promise<void> = Promise.resolve();
  let lastProgressAt = -Infinity;
  const waiters: Array<(s: "completed" | "failed" | "cancelled") => void> = [];

  const emit = (event: FileUploadEvent) => {
    try {
      o.onEvent?.(event);
    } catch {
      // a listener's bug must not break the upload
    }
  };
  const setState = (next: FileUploadState) => {
    if (next === state) return;
    const previous = state;
    state = next;
    emit({ type: "state", state: next, previous });
    if (TERMINAL.has(next)) waiters.splice(0).forEach((resolve) => resolve(next as "completed" | "failed" | "cancelled"));
  };
  const emitProgress = (force: boolean) => {
    const now = clock.now();
    if (!force && now - lastProgressAt < o.progressIntervalMs) return;
    lastProgressAt = now;
    emit({ type: "progress", progress: progress.snapshot() });
  };
  // Waits for a new sign-in after a 401, shared by every request of this file: one `signed-out` event
  // when the first request starts waiting, one `signed-in` when a wait ends with a sign-in.
  let signedOut = false;
  const waitForSignIn = o.signIn
    ? async (e: UploadEngineError, signal?: AbortSignal) => {
        if (!signedOut) {
          signedOut = true;
          emit({ type: "signed-out", message: e.message });
        }
        await (o.signIn as NonNullable<typeof o.signIn>).waitUntilSignedIn(signal);
        if (signedOut) {
          signedOut = false;
          emit({ type: "signed-in" });
        }
      }
    : undefined;
  const probeStore = o.probeStore ? sharedProbe(o.probeStore, (ms) => clock.sleep(ms), () => clock.now()) : undefined;
  const etagMisses = { streak: 0 };
  const retrying = (what: "session" | "credentials" | "record" | "complete" | "abort", signal?: AbortSignal) => ({
    clock, online, signal, backoff, maxAttempts: o.maxAttempts, waitForSignIn, outageToleranceMs: o.outageToleranceMs,
    onRetry: ({ attempt, delayMs, error, rateLimited }: { attempt: number; delayMs: number; error: UploadEngineError; rateLimited?: boolean }) =>
      emit({ type: "retry", what, attempt, delayMs, decision: "retry", error: { code: error.code, message: error.message }, ...(rateLimited && { rateLimited }) }),
  });

  async function prepare(signal: AbortSignal): Promise<void> {
    // A new session's part size may be tuned; a resumed one keeps the size the portal planned it with.
    const partSize = o.resume ? o.partSize : tuner.partSizeFor(file.size, o.partSize);
    planParts(file.size, { partSize }); // refuses too_large / invalid_size before any request
    // Digests are events of a session: one known before the session exists waits for its `session` event.
    let beforeSession: Array<[number, string]> | undefined = [];
    const onDigest = (partNumber: number, digest: string) =>
      beforeSession ? beforeSession.push([partNumber, digest]) : emit({ type: "digest", partNumber, digest });
    // A file of at most one minimum part is one part (or none) whatever part size the portal plans, so
    // its hashing starts now and overlaps the session's round trips instead of following them (issue 11,
    // "Many files": for small files the hash was on every file's critical path).
    const early = !o.resume && file.size <= MIN_PART_SIZE ? { plan: planParts(file.size, {}) } : undefined;
    const earlyHasher = early ? (o.hashFile?.(file, early.plan, onDigest) ?? undefined) : undefined;
    // Small-file fast path (issue 12): a file of one part (≤ 5 MiB, the smallest part any portal plans)
    // sends its part's checksum with the start, so in presigned mode the answer carries the signed URL.
    // A CRC32C is the file hasher's part 1 digest (one read of the file, in the hasher's Worker on a page;
    // issue 12: it was read and hashed a second time on the page's thread); else, or if the hasher fails,
    // computed here.
    if (!o.resume && checksums.on && o.checksum !== "none" && file.size > 0 && file.size <= MIN_PART_SIZE && !firstPartChecksum) {
      const algorithm = o.checksum;
      try {
        const fromHasher = earlyHasher && algorithm === "CRC32C" ? await earlyHasher.partDigest(1).catch(() => undefined) : undefined;
        firstPartChecksum = { algorithm, value: fromHasher ?? (await o.computeChecksum(file.slice(0, file.size), algorithm)) };
      } catch (error) {
        earlyHasher?.dispose();
        throw error;
      }
    }
    const input = {
      datasetId: o.datasetId, fileName: file.name, size: file.size,
      contentType: file.type || "application/octet-stream", lastModified: file.lastModified,
      ...(partSize !== undefined && { partSize }),
      ...(firstPartChecksum && { partChecksum: firstPartChecksum }),
      ...(typeof o.resourceFields === "function" ? o.resourceFields() : o.resourceFields),
    };
    // Not aborted by pause/cancel: once the portal has created a session we must know its id (to abort or resume it).
    // At most n files of this page/process create sessions at once (o.sessionGate); waiting for the gate may be aborted.
    let s: UploadSession;
    try {
      const gate = await o.sessionGate?.acquire({ remainingBytes: file.size, signal });
      try {
        s = o.resume ? await existingSession(o.resume.sessionId, signal) : await callWithRetry(() => api.createSession(input), retrying("session"));
      } finally {
        gate?.release();
      }
    } catch (error) {
      earlyHasher?.dispose();
      throw error;
    }
    const receivedAt = clock.now();
    session = s;
    plan = checkPlan(file.size, s.partSize, s.partCount);
    emit({ type: "session", sessionId: s.sessionId, key: s.key, uploadId: s.uploadId, partSize: s.partSize, partCount: s.partCount, resumed: !!o.resume });
    if (earlyHasher && early && plan.partCount === early.plan.partCount) hasher = earlyHasher;
    else {
      earlyHasher?.dispose();
      beforeSession = [];
      hasher = o.hashFile?.(file, plan, onDigest) ?? undefined;
    }
    const known = beforeSession;
    beforeSession = undefined;
    for (const [partNumber, digest] of known) emit({ type: "digest", partNumber, digest });
    const skippable = o.resume ? await verifiedStoredParts(s.recordedParts ?? [], plan) : (s.recordedParts ?? []);
    for (const part of skippable) {
      if (part.partNumber > plan.partCount || done.has(part.partNumber)) continue;
      done.set(part.partNumber, part);
      storedBytes += part.size;
      progress.confirmResumed(part.size);
    }
    recorder = createPartRecorder({
      api, sessionId: s.sessionId, clock, batchSize: o.recordBatchSize, flushIntervalMs: o.recordIntervalMs,
      send: async (parts) => void (await callWithRetry(() => api.recordParts(s.sessionId, parts), retrying("record"))),
    });
    if (plan.partCount === done.size) return; // nothing to send (0-byte file, or everything already uploaded)
    const refreshCredentials = async () =>
      (await callWithRetry(() => api.refreshCredentials(s.sessionId), retrying("credentials", signal))).credentials;
    const signer = o.createSigner?.(s) ??
      (await createSessionSigner(s, { api, clock, concurrency: o.concurrency, checksum: o.checksum, refreshCredentials, refreshMarginMs: o.refreshMarginMs, ...(plan.partCount === 1 && { partChecksum: firstPartChecksum }) }, receivedAt));
    ctx = {
      file, signer, transport: o.transport, progress, clock, online, backoff,
      maxAttempts: o.maxAttempts, maxRefreshes: o.maxRefreshes, stallTimeoutMs: o.stallTimeoutMs, timeoutMs: o.partTimeoutMs, outageToleranceMs: o.outageToleranceMs,
      checksum: o.checksum, computeChecksum: o.computeChecksum, checksums,
      // The whole file's checksum is part 1's only if the portal planned one part.
      ...(firstPartChecksum && plan.partCount === 1 && { knownChecksums: new Map([[1, firstPartChecksum]]) }),
      ...(hasher && o.checksum === "CRC32C" && { partDigest: (n: number) => (hasher as FileHasher).partDigest(n) }),
      onChecksumsOff: (reason: string) => {
        if (!checksums.on) return;
        checksums.on = false;
        emit({ type: "checksums-off", reason });
      },
      waitForSignIn, probeStore, etagMisses, fileName: file.name,
      onProgress: () => emitProgress(false),
      onRetry: ({ partNumber, attempt, delayMs, decision, error, rateLimited }) =>
        emit({ type: "retry", what: "part", partNumber, attempt, delayMs, decision, error: { code: error.code, message: error.message, partNumber }, ...(rateLimited && { rateLimited }) }),
    };
  }

  /** `GET /api/uploads/{id}` + fresh credentials (sts): the session to resume, as `createSession` would answer. */
  async function existingSession(sessionId: string, signal: AbortSignal): Promise<UploadSession> {
    const e = await callWithRetry(() => api.getSession(sessionId), retrying("session", signal));
    if (!e.resumable) {
      throw new UploadEngineError("not_resumable", `The interrupted upload of "${file.name}" can no longer be resumed (it is ${e.status}). Start a new upload.`, { params: { name: file.name, status: String(e.status) } });
    }
    if (e.size !== file.size) {
      throw new UploadEngineError("file_changed", `"${file.name}" is ${file.size} bytes, but the interrupted upload was ${e.size} bytes: it is another file. It was not merged; start a new upload.`, { params: { name: file.name, size: file.size, expected: e.size } });
    }
    const credentials = e.mode === "sts" && e.partCount > 0
      ? (await callWithRetry(() => api.refreshCredentials(sessionId), retrying("credentials", signal))).credentials
      : null;
    return { ...e, credentials };
  }

  /**
   * The stored parts a resumed upload may skip: those with a known CRC32C (kept by the page, or the
   * checksum the portal recorded), after the first and last of them proved equal to this file's
   * (CASES 15). A difference throws `file_changed`: nothing is merged.
   */
  async function verifiedStoredParts(recorded: RecordedPart[], p: PartPlan): Promise<RecordedPart[]> {
    const digestOf = (part: RecordedPart) =>
      o.resume?.digests?.[part.partNumber] ?? (part.checksum?.algorithm === "CRC32C" ? part.checksum.value : undefined);
    const known = recorded.filter((part) => part.partNumber <= p.partCount && digestOf(part) !== undefined).sort((a, b) => a.partNumber - b.partNumber);
    if (known.length === 0) return [];
    const probes = known.length === 1 ? [known[0]] : [known[0], known[known.length - 1]];
    for (const part of probes) {
      const mine = hasher
        ? await hasher.partDigest(part.partNumber)
        : await checksumPart(file.slice(partRange(p, part.partNumber).start, partRange(p, part.partNumber).end), "CRC32C");
      if (mine !== digestOf(part)) {
        throw new UploadEngineError(
          "file_changed",
          `"${file.name}" has the same name, size and date as the interrupted upload, but different content (part ${part.partNumber} differs). It was not merged into the old upload; start a new upload.`,
          { partNumber: part.partNumber, params: { name: file.name, part: part.partNumber } },
        );
      }
    }
    return known;
  }

  /** Bytes of this file not yet stored (parts not done), for the shared slots' scheduling. */
  function remainingBytes(): number {
    return Math.max(0, file.size - storedBytes);
  }

  async function uploadMissingParts(signal: AbortSignal, stop: (e: unknown) => void): Promise<void> {
    const p = plan as PartPlan;
    const missing: number[] = [];
    for (let n = 1; n <= p.partCount; n++) if (!done.has(n)) missing.push(n);
    if (missing.length === 0 || !ctx) return;
    const partCtx = ctx;
    partCtx.signer.queue?.(missing);
    const slots = o.slots;
    await runPool(
      missing,
      async (n) => {
        // Shared slots (several files at once): wait for one; the file with the fewest bytes left goes first.
        const slot = slots ? await slots.acquire({ remainingBytes: remainingBytes(), signal }) : undefined;
        let part: RecordedPart;
        try {
          const startedAt = clock.now();
          part = await uploadPart(partCtx, partRange(p, n), signal);
          tuner.onPartDone(part.size, clock.now() - startedAt);
        } finally {
          slot?.release();
        }
        done.set(n, part);
        storedBytes += part.size;
        progress.confirm(n, part.size);
        emit({ type: "part", partNumber: n, size: part.size });
        emitProgress(true);
        // Not awaited: a due batch goes to the portal in the background while this lane sends its
        // next part (awaiting stalled one lane for a portal round trip every batch; bench:upload
        // --portal-latency-ms shows it). A failed report stays pending; the flush before complete,
        // pause or failure sends it again and fails the upload if it still cannot.
        void recorder?.add(part).catch(() => undefined);
      },
      // Parts in flight are read from the tuner before each part starts (constant in fixed mode);
      // the first fatal part error stops the others at once.
      { concurrency: () => tuner.concurrency(), signal, onError: stop },
    );
  }

  async function run(c: AbortController): Promise<void> {
    const { signal } = c;
    const enter = (next: FileUploadState) => {
      if (signal.aborted) throw abortReason(signal);
      setState(next);
    };
    try {
      if (!session) {
        enter("preparing");
        await prepare(signal);
      }
      if (done.size < (plan as PartPlan).partCount) {
        enter("uploading"); // a 0-byte or fully resumed file goes straight to complete
        emitProgress(true);
        await uploadMissingParts(signal, (e) => c.abort(e));
      }
      if (signal.aborted) throw abortReason(signal);
      // The parts not yet reported go with complete (issue 12: a small file's only part needs no report
      // of its own); if complete fails they are given back, so the flush below (catch) reports them.
      const unreported = (await recorder?.take()) ?? [];
      enter("completing");
      const s = session as UploadSession;
      // The whole-file SHA-256 (hashed alongside the upload); a hashing failure costs the hash, not the upload.
      const sha256 = hasher ? await hasher.sha256().catch(() => undefined) : undefined;
      if (signal.aborted) {
        recorder?.restore(unreported);
        throw abortReason(signal);
      }
      const result = await completeWith(s.sessionId, sha256, unreported);
      hasher?.dispose();
      progress.finish();
      emitProgress(true);
      emit({ type: "completed", result }); // before the state, so a listener reacting to "completed" has the result
      setState("completed");
    } catch (error) {
      const e = signal.aborted && isUploadEngineError(signal.reason, "paused", "aborted") ? abortReason(signal) : toUploadEngineError(error);
      await recorder?.flush().catch(() => undefined); // best effort: what is stored stays resumable
      if (e.code === "paused" || e.code === "aborted") return; // state already set by pause()/cancel()
      if (state === "cancelled" || state === "paused") return;
      emit({ type: "error", error: { code: e.code, message: e.message, ...(e.partNumber !== undefined && { partNumber: e.partNumber }), ...(e.apiCode && { apiCode: e.apiCode }), ...(e.params && { params: e.params }) } });
      setState("failed");
    }
  }

  /**
   * `complete` with the unreported `parts`. A portal from before parts could go with complete answers
   * 409 (a part "has not been uploaded"): then the parts are reported with `recordParts` and complete is
   * sent again without them. On failure the parts are back in the recorder.
   */
  async function completeWith(sessionId: string, sha256: string | undefined, parts: RecordedPart[]) {
    const body = { ...(sha256 && { sha256 }), ...(parts.length > 0 && { parts }) };
    try {
      return await callWithRetry(() => api.complete(sessionId, body), retrying("complete"));
    } catch (error) {
      recorder?.restore(parts);
      const e = toUploadEngineError(error);
      if (parts.length === 0 || e.code !== "api" || e.status !== 409 || e.apiCode !== "conflict" || !/not been uploaded/.test(e.message)) throw error;
      await recorder?.flush();
      return callWithRetry(() => api.complete(sessionId, sha256 ? { sha256 } : {}), retrying("complete"));
    }
  }

  function launch(): Promise<void> {
    const c = new AbortController();
    controller = c;
    running = running.then(() => (c.signal.aborted ? undefined : run(c)));
    return running;
  }

  return {
    get state() {
      return state;
    },
    get sessionId() {
      return session?.sessionId;
    },
    progress: () => progress.snapshot(),
    start() {
      if (state !== "idle") return Promise.reject(new UploadEngineError("invalid_state", `start() called in state ${state}`));
      return launch();
    },
    pause() {
      if (state !== "preparing" && state !== "uploading") return;
      controller?.abort(pausedReason());
      setState("paused");
    },
    resume() {
      if (state !== "paused" && state !== "failed") return running;
      // Active at once, so a pause() before the previous run has wound down still takes effect.
      setState(session ? "uploading" : "preparing");
      return launch();
    },
    async cancel() {
      if (state === "completing" || state === "completed" || state === "cancelled") return;
      controller?.abort(cancelledReason());
      setState("cancelled");
      hasher?.dispose();
      await running;
      if (!session) return;
      const id = session.sessionId;
      try {
        await callWithRetry(() => api.abort(id), retrying("abort"));
      } catch (error) {
        const e = toUploadEngineError(error);
        emit({ type: "error", error: { code: e.code, message: `Cancelled, but the upload could not be cleaned up: ${e.message}` } });
      }
    },
    settled() {
      if (TERMINAL.has(state)) return Promise.resolve(state as "completed" | "failed" | "cancelled");
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}
