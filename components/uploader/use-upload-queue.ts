"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { ChecksumAlgorithm, FileUploadState, PartTuningMode, ProgressSnapshot, UploadErrorInfo } from "@/lib/uploader";
import { createFileUpload, createPortalApi, type FileUpload } from "@/lib/uploader";
import { createGate, createPartSlots } from "@/lib/uploader/part-slots";
import { createPartTuner, type PartTuner, tuneSharedSlots } from "@/lib/uploader/tuning";
import { DEFAULT_FILES_IN_FLIGHT, DEFAULT_SESSION_STARTS, nextFileIndex } from "@/lib/uploader/file-queue";
import { createWorkerFileHasher } from "@/lib/uploader/worker-file-hasher";
import { type Capabilities, type CapabilityNoticeKey, detectCapabilities } from "@/lib/uploader/capabilities";
import { createPortalSignInWatcher } from "@/lib/uploader/sign-in";
import { type TabLease, type TabLocks, defaultTabLocks, uploadLockName } from "@/lib/uploader/tab-lock";
import { setUploadsRunning } from "@/components/session-activity";
import { type ReplaceOption, useResourceFieldStore } from "./resource-field-store";
import { completionNotice, restartNotice, type UploadNotice } from "./upload-texts";
import { createUploadStore, type UploadStore } from "./upload-store";
import { createResumeWriter, disableResumeStore, findResume, findResumes, findServerResume, forgetResume, listServerResumables, type ResumeRecord } from "./resume-store";

/** What the UI shows for one file. */
export interface UploadItem {
  id: string;
  name: string;
  size: number;
  /**
   * `offer`: an interrupted upload of this file exists; the user chooses to resume it or start over.
   * `elsewhere`: another tab of this browser owns the upload of this file; this tab takes over if it closes.
   */
  state: FileUploadState | "queued" | "offer" | "elsewhere";
  progress: ProgressSnapshot;
  error: UploadErrorInfo | null;
  /** Information for the user that is not an error, as a catalogue key and values (`upload-texts.tsx` translates it). */
  notice: UploadNotice | null;
  ckanResourceUrl: string | null;
  resultStatus: string | null;
  /** The file is stored in S3 but CKAN failed to register it (CASES 13): retry only the registration. */
  registrationPending: boolean;
  /**
   * Set while the sign-in has ended (the upload waits and continues by itself): the engine's English
   * message; the page shows `uploadQueue.signedOut` in its own language instead.
   */
  signedOut: string | null;
  /** Set while a request waits out the portal's limit (429 Retry-After): the wait in whole seconds ("Waiting N s: upload limit"). */
  waitingSeconds?: number | null;
  /** The portal's upload session, once created (for PATCH /api/uploads/{id}/resource). */
  sessionId?: string | null;
  /** The browser's MIME type of the file (prefills the resource format). */
  fileType?: string;
}

/** Engine settings the page passes from the portal's configuration. */
export interface EngineSettings {
  concurrency: number;
  /** `PART_TUNING`: tune parts in flight and a large file's part size to the link (`adaptive`, the engine's default) or not (`fixed`). */
  partTuning?: PartTuningMode;
  /** Per-part checksum to send (falls back by itself where the store ignores it). */
  checksum?: ChecksumAlgorithm | "none";
  /** STS credentials are refreshed this many ms before they expire. */
  refreshMarginMs?: number;
  /** Files uploading at once (their parts share `concurrency` slots). Default {@link DEFAULT_FILES_IN_FLIGHT}. */
  filesInFlight?: number;
}

const ACTIVE: ReadonlySet<UploadItem["state"]> = new Set(["queued", "preparing", "uploading", "paused", "completing"]);

/** True while the item still needs the page (leaving would interrupt it). */
export function isActive(item: UploadItem): boolean {
  return ACTIVE.has(item.state);
}

interface Pending {
  id: string;
  file: File;
  resume?: ResumeRecord;
  /** Started before the smaller queued files (a restart after file_changed). */
  first?: boolean;
}

/** Session statuses that mean another tab finished the upload (nothing left to send). */
const FINISHED_ELSEWHERE = new Set(["completing", "uploaded", "completed"]);

/** Capabilities are probed once per page; uploads wait for the answer (≤ 3 s where storage never answers). */
let capabilities: Promise<Capabilities> | undefined;
const probeCapabilities = () => (capabilities ??= detectCapabilities().then((c) => {
  if (!c.indexedDb) disableResumeStore();
  return c;
}));

/** A new row for `file`: nothing sent yet, no error, notice, session or CKAN resource. */
export function newUploadItem(id: string, file: { name: string; size: number; type?: string }, state: UploadItem["state"] = "queued"): UploadItem {
  return { id, name: file.name, size: file.size, state, progress: emptyProgress(file.size), error: null, notice: null, ckanResourceUrl: null, resultStatus: null, registrationPending: false, signedOut: null, sessionId: null, fileType: file.type };
}

/**
 * Progress events are shown at most this often (ms): a many-file drop sends several per file, and each
 * shown one is a React update of the page. State changes are never held back.
 */
export const PROGRESS_FLUSH_MS = 100;

const emptyProgress = (total: number): ProgressSnapshot => ({ bytesSent: 0, total, percent: 0, speedBps: 0, etaSeconds: null });

/**
 * Upload queue of the deep-link page: up to `filesInFlight` files upload at once, smallest first,
 * and the parts of all of them share one pool of `concurrency` part slots (fewest bytes left first),
 * so a many-file drop never opens more than `concurrency` part uploads. Exposes pause/resume/cancel per
 * file; an interrupted upload of the same file (IndexedDB) is offered for resume.
 *
 * The rows live in `store` (components/uploader/upload-store.ts), not in this hook's React state: a
 * change of one file renders only the components that read that row (`useUploadRow`) or a count that
 * changed (`useUploadCounts`), so the page that calls this hook does not render again per event.
 */
export function useUploadQueue(opts: { datasetId: string; replace?: ReplaceOption } & EngineSettings) {
  const storeRef = useRef<UploadStore | null>(null);
  const store = (storeRef.current ??= createUploadStore());
  const uploads = useRef(new Map<string, FileUpload>());
  const files = useRef(new Map<string, File>());
  const offers = useRef(new Map<string, ResumeRecord>());
  const pending = useRef<Pending[]>([]);
  const running = useRef(new Set<string>());
  // One limit of parts in flight for the page (`slots.setLimit` lets an adaptive tuner change it), and
  // at most a few files creating their sessions at once.
  const slots = useRef(createPartSlots({ limit: opts.concurrency }));
  // One tuner for the page (issue 11): later files start from what earlier parts measured, and the
  // shared slots' limit follows the tuned parts in flight (PART_TUNING=fixed: always opts.concurrency).
  const tuner = useRef<PartTuner | null>(null);
  tuner.current ??= tuneSharedSlots(createPartTuner({ mode: opts.partTuning ?? "adaptive", concurrency: opts.concurrency }), slots.current);
  const sessionGate = useRef(createGate(DEFAULT_SESSION_STARTS));
  const filesInFlight = Math.max(1, opts.filesInFlight ?? DEFAULT_FILES_IN_FLIGHT);
  useEffect(() => slots.current.setLimit(opts.concurrency), [opts.concurrency]);
  const api = useRef(createPortalApi());
  const signIn = useRef(createPortalSignInWatcher());
  const locks = useRef<TabLocks | null>(null);
  const leases = useRef(new Map<string, TabLease>());
  const waits = useRef(new Map<string, AbortController>());
  const caps = useRef<Capabilities | null>(null);
  const [notices, setNotices] = useState<CapabilityNoticeKey[]>([]);
  const resourceFields = useResourceFieldStore(); // issue 12: components/uploader/resource-field-store.ts
  const tabLocks = () => (locks.current ??= defaultTabLocks());
  const releaseLease = useCallback((id: string) => {
    leases.current.get(id)?.release();
    leases.current.delete(id);
  }, []);

  useEffect(() => {
    void probeCapabilities().then((c) => {
      caps.current = c;
      setNotices(c.noticeKeys);
    });
  }, []);

  // Progress is shown at most once per PROGRESS_FLUSH_MS for all files together (one React update for
  // every file's progress events of that time); every other change is shown at once, after the
  // progress held back (so a row never shows older bytes than its state says). A changed row gets a new
  // object, the others keep theirs; only the changed rows' subscribers render (upload-store.ts).
  const heldProgress = useRef(new Map<string, Partial<UploadItem>>());
  const progressTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const takeHeld = useCallback(() => {
    if (progressTimer.current !== null) clearTimeout(progressTimer.current);
    progressTimer.current = null;
    const held = heldProgress.current;
    heldProgress.current = new Map();
    return held;
  }, []);
  useEffect(() => () => void takeHeld(), [takeHeld]);
  const flushHeld = useCallback(() => {
    if (heldProgress.current.size === 0) return;
    store.update(takeHeld());
  }, [takeHeld, store]);
  const patch = useCallback((id: string, change: Partial<UploadItem>) => {
    const changes = takeHeld();
    changes.set(id, { ...changes.get(id), ...change });
    store.update(changes);
    // The engine reports a state and then, in the same task, the progress that goes with it (e.g.
    // "uploading" and the bytes a resumed upload already has): shown together, in the same render.
    queueMicrotask(flushHeld);
  }, [takeHeld, flushHeld, store]);
  const patchProgress = useCallback((id: string, progress: ProgressSnapshot) => {
    heldProgress.current.set(id, { ...heldProgress.current.get(id), progress });
    progressTimer.current ??= setTimeout(flushHeld, PROGRESS_FLUSH_MS);
  }, [flushHeld]);

  const startNext = useCallback(() => {
    while (running.current.size < filesInFlight && pending.current.length > 0) {
      const [next] = pending.current.splice(nextFileIndex(pending.current.map((p) => ({ size: p.file.size, first: p.first }))), 1);
      startOne(next);
    }
  // startOne (below) reads only what these deps cover.
  }, [filesInFlight, opts.datasetId, opts.concurrency, opts.partTuning, opts.checksum, opts.refreshMarginMs, opts.replace?.resourceId, opts.replace?.external, patch, patchProgress, releaseLease, resourceFields]);

  function startOne(next: Pending): void {
    running.current.add(next.id);
    const writer = createResumeWriter(opts.datasetId, next.file, 500, (error) =>
      patch(next.id, { notice: { key: "resumeOff", values: { reason: error instanceof Error ? error.name : "" } } }),
    );
    let restarting = false;
    let waitingShown = false;
    const wasm = caps.current?.webAssembly !== false; // hash-wasm needs WebAssembly
    const upload = createFileUpload({
      file: next.file,
      datasetId: opts.datasetId,
      api: api.current,
      concurrency: opts.concurrency,
      slots: slots.current,
      tuner: tuner.current ?? undefined,
      sessionGate: sessionGate.current,
      ...(opts.partTuning && { partTuning: opts.partTuning }),
      checksum: wasm ? (opts.checksum ?? "none") : "none",
      hashFile: wasm ? createWorkerFileHasher : null,
      signIn: signIn.current,
      ...(opts.refreshMarginMs !== undefined && { refreshMarginMs: opts.refreshMarginMs }),
      ...(next.resume && { resume: { sessionId: next.resume.sessionId, digests: next.resume.digests } }),
      resourceFields: () => resourceFields.forCreation(next.id, opts.replace),
      onEvent: (ev) => {
        if (ev.type === "retry" && ev.rateLimited) {
          waitingShown = true;
          patch(next.id, { waitingSeconds: Math.max(1, Math.ceil(ev.delayMs / 1000)) });
          return;
        }
        if (waitingShown && ev.type !== "retry" && ev.type !== "digest") {
          waitingShown = false; // the request went through: the row stops saying it waits
          patch(next.id, { waitingSeconds: null });
        }
        if (ev.type === "progress") patchProgress(next.id, ev.progress);
        else if (ev.type === "session") {
          patch(next.id, { sessionId: ev.sessionId });
          resourceFields.sessionCreated(next.id, ev.sessionId);
          writer.start(ev, next.resume?.digests);
          // This tab owns the upload: another tab selecting the same file waits (item 8).
          if (!leases.current.has(next.id)) {
            void tabLocks().tryHold(uploadLockName(ev.sessionId)).then((lease) => {
              if (lease) leases.current.set(next.id, lease);
            });
          }
        } else if (ev.type === "signed-out") patch(next.id, { signedOut: ev.message });
        else if (ev.type === "signed-in") patch(next.id, { signedOut: null });
        else if (ev.type === "digest") writer.digest(ev.partNumber, ev.digest);
        else if (ev.type === "error") {
          if (ev.error.code === "file_changed" || ev.error.code === "not_resumable") {
            // Never merged: tell the user and upload this file as a new upload.
            restarting = true;
            void writer.forget();
            releaseLease(next.id); // the new upload's session gets its own lock
            pending.current.unshift({ id: next.id, file: next.file, first: true });
            patch(next.id, { notice: restartNotice(ev.error), error: null, progress: emptyProgress(next.file.size) });
          } else {
            patch(next.id, { error: ev.error, registrationPending: ev.error.apiCode === "ckan_failed" });
          }
        } else if (ev.type === "completed") {
          // `notice`: e.g. a draft dataset that CKAN did not make active (the upload itself completed).
          const notice = completionNotice(ev.result);
          patch(next.id, { ckanResourceUrl: ev.result.ckanResourceUrl ?? null, resultStatus: ev.result.status, registrationPending: false, ...(notice ? { notice } : {}) });
        } else if (ev.type === "state") {
          if (!restarting) patch(next.id, { state: ev.state, ...(ev.state === "uploading" || ev.state === "completing" ? { error: null } : {}) });
          if (ev.state === "paused" || ev.state === "failed") void writer.flush();
          if (ev.state === "completed" || ev.state === "cancelled") void writer.forget().finally(() => releaseLease(next.id));
          // A paused file gives up its turn too, so the files behind it do not wait for it.
          if (["completed", "failed", "cancelled", "paused"].includes(ev.state) && running.current.has(next.id)) {
            running.current.delete(next.id);
            startNext();
          }
        }
      },
    });
    uploads.current.set(next.id, upload);
    void upload.start();
  }

  /**
   * The tab that owned this file's upload let go (finished, closed or crashed): finish the story here.
   * Done there → say so; still resumable → continue it with the missing parts; else a new upload.
   */
  const takeOver = useCallback(
    async (id: string, file: File, record: ResumeRecord) => {
      const latest = (await findResume(opts.datasetId, file)) ?? record;
      const status = await api.current.getSession(record.sessionId).then((s) => ({ status: s.status, resumable: s.resumable }), () => null);
      if (status && FINISHED_ELSEWHERE.has(status.status)) {
        releaseLease(id);
        patch(id, { state: "completed", notice: { key: "uploadedElsewhere" }, progress: { ...emptyProgress(file.size), bytesSent: file.size, percent: 100 } });
        return;
      }
      if (status && !status.resumable) {
        releaseLease(id);
        await forgetResume(opts.datasetId, file);
        patch(id, { state: "queued", notice: { key: "otherTabEnded", values: { status: status.status } } });
        pending.current.push({ id, file });
      } else {
        patch(id, { state: "queued", notice: { key: "otherTabStopped" } });
        pending.current.push({ id, file, resume: latest });
      }
      startNext();
    },
    [opts.datasetId, patch, releaseLease, startNext],
  );

  const addFiles = useCallback(
    (list: File[]) => {
      void probeCapabilities().then((c) => {
        caps.current = c;
        // The portal's resumable uploads: asked once for the whole drop, and only if a file needs it.
        let resumables: ReturnType<typeof listServerResumables> | undefined;
        // This browser's records, in one IndexedDB transaction for the whole drop.
        return findResumes(opts.datasetId, list).then((kept) => Promise.all(list.map(async (file, i) => {
        // This browser's record first; else the portal's (an upload started by the command line: issue 13).
        const record = kept[i] ?? (await findServerResume(opts.datasetId, file, (resumables ??= listServerResumables(opts.datasetId))));
        // An upload of this file that another tab owns right now is not offered: this tab waits for it.
        const lease = record ? await tabLocks().tryHold(uploadLockName(record.sessionId)) : null;
        return { file, record, elsewhere: !!record && !lease, lease };
      })));
      }).then((found) => {
        const added = found.map(({ file, record, elsewhere, lease }) => ({ id: `${Date.now()}-${Math.random().toString(36).slice(2)}`, file, record, elsewhere, lease }));
        for (const a of added) {
          files.current.set(a.id, a.file);
          if (a.lease) leases.current.set(a.id, a.lease);
          if (a.record && !a.elsewhere) offers.current.set(a.id, a.record);
          if (a.record && a.elsewhere) {
            const wait = new AbortController();
            waits.current.set(a.id, wait);
            const record = a.record;
            tabLocks()
              .hold(uploadLockName(record.sessionId), wait.signal)
              .then((lease) => {
                waits.current.delete(a.id);
                leases.current.set(a.id, lease);
                return takeOver(a.id, a.file, record);
              })
              .catch(() => undefined); // cancelled while waiting
          }
        }
        store.add(added.map(({ id, file, record, elsewhere }) => newUploadItem(id, file, elsewhere ? "elsewhere" : record ? "offer" : "queued")));
        pending.current.push(...added.filter((a) => !a.record).map(({ id, file }) => ({ id, file })));
        startNext();
      });
    },
    [opts.datasetId, startNext, takeOver, store],
  );

  /**
   * Continues the interrupted upload `record` with `file`, chosen again by the user from the list of
   * interrupted uploads (components/uploader/interrupted-uploads.tsx): a new row, queued at once (no offer).
   */
  const resumeFile = useCallback(
    (file: File, record: ResumeRecord) => {
      const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
      files.current.set(id, file);
      store.add([newUploadItem(id, file)]);
      pending.current.push({ id, file, resume: record });
      startNext();
    },
    [startNext, store],
  );

  /** The user chose to continue the interrupted upload of this file. */
  const acceptResume = useCallback(
    (id: string) => {
      const file = files.current.get(id);
      const record = offers.current.get(id);
      if (!file || !record) return;
      offers.current.delete(id);
      patch(id, { state: "queued" });
      pending.current.push({ id, file, resume: record });
      startNext();
    },
    [patch, startNext],
  );

  /** The user chose a fresh upload: the interrupted one is cancelled (its stored parts deleted). */
  const startOver = useCallback(
    (id: string) => {
      const file = files.current.get(id);
      const record = offers.current.get(id);
      if (!file) return;
      offers.current.delete(id);
      if (record) void api.current.abort(record.sessionId).catch(() => undefined).finally(() => releaseLease(id));
      void forgetResume(opts.datasetId, file);
      patch(id, { state: "queued" });
      pending.current.push({ id, file });
      startNext();
    },
    [opts.datasetId, patch, startNext, releaseLease],
  );

  const cancel = useCallback(
    (id: string) => {
      const queued = pending.current.findIndex((p) => p.id === id);
      if (queued >= 0) {
        pending.current.splice(queued, 1);
        patch(id, { state: "cancelled" });
        return;
      }
      if (offers.current.has(id)) {
        offers.current.delete(id);
        releaseLease(id);
        patch(id, { state: "cancelled" });
        return;
      }
      const wait = waits.current.get(id);
      if (wait) {
        // Stop waiting for the other tab; its upload is not touched.
        waits.current.delete(id);
        wait.abort();
        patch(id, { state: "cancelled" });
        return;
      }
      void uploads.current.get(id)?.cancel();
    },
    [patch, releaseLease],
  );
  const pause = useCallback((id: string) => uploads.current.get(id)?.pause(), []);
  const resume = useCallback((id: string) => void uploads.current.get(id)?.resume(), []);
  const retry = useCallback((id: string) => void uploads.current.get(id)?.resume(), []);

  // Uploads running keep the sign-in alive (components/session-keep-alive.tsx), and leaving the page while
  // an upload is active asks for confirmation (CASES 18): both follow the store's counts, without a render.
  useEffect(() => {
    let running = -1;
    let listening = false;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = "";
    };
    const follow = () => {
      const c = store.counts();
      if (c.running !== running) setUploadsRunning((running = c.running));
      if (c.active > 0 !== listening) {
        listening = c.active > 0;
        if (listening) window.addEventListener("beforeunload", onBeforeUnload);
        else window.removeEventListener("beforeunload", onBeforeUnload);
      }
    };
    follow();
    const off = store.subscribeCounts(follow);
    return () => {
      off();
      window.removeEventListener("beforeunload", onBeforeUnload);
    };
  }, [store]);

  return { store, notices, addFiles, resumeFile, cancel, pause, resume, retry, acceptResume, startOver, describe: resourceFields.save };
}
