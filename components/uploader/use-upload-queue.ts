"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { ChecksumAlgorithm, FileUploadState, ProgressSnapshot, UploadErrorInfo } from "@/lib/uploader";
import { createFileUpload, createPortalApi, type FileUpload } from "@/lib/uploader";
import { createWorkerFileHasher } from "@/lib/uploader/worker-file-hasher";
import { createResumeWriter, findResume, findServerResume, forgetResume, type ResumeRecord } from "./resume-store";

/** What the UI shows for one file. */
export interface UploadItem {
  id: string;
  name: string;
  size: number;
  /** `offer`: an interrupted upload of this file exists; the user chooses to resume it or start over. */
  state: FileUploadState | "queued" | "offer";
  progress: ProgressSnapshot;
  error: UploadErrorInfo | null;
  /** Information for the user that is not an error (e.g. "resumed: 4 of 9 parts were already stored"). */
  notice: string | null;
  ckanResourceUrl: string | null;
  resultStatus: string | null;
  /** The file is stored in S3 but CKAN failed to register it (CASES 13): retry only the registration. */
  registrationPending: boolean;
}

/** Engine settings the page passes from the portal's configuration. */
export interface EngineSettings {
  concurrency: number;
  /** Per-part checksum to send (falls back by itself where the store ignores it). */
  checksum?: ChecksumAlgorithm | "none";
  /** STS credentials are refreshed this many ms before they expire. */
  refreshMarginMs?: number;
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
}

const emptyProgress = (total: number): ProgressSnapshot => ({ bytesSent: 0, total, percent: 0, speedBps: 0, etaSeconds: null });

/**
 * Upload queue of the deep-link page: files upload one after another (each with `concurrency` parts
 * in flight), so a many-file drop cannot open dozens of connections. Exposes pause/resume/cancel per
 * file; an interrupted upload of the same file (IndexedDB) is offered for resume.
 */
export function useUploadQueue(opts: { datasetId: string } & EngineSettings) {
  const [items, setItems] = useState<UploadItem[]>([]);
  const uploads = useRef(new Map<string, FileUpload>());
  const files = useRef(new Map<string, File>());
  const offers = useRef(new Map<string, ResumeRecord>());
  const pending = useRef<Pending[]>([]);
  const running = useRef<string | null>(null);
  const api = useRef(createPortalApi());

  const patch = useCallback((id: string, change: Partial<UploadItem>) => {
    setItems((list) => list.map((it) => (it.id === id ? { ...it, ...change } : it)));
  }, []);

  const startNext = useCallback(() => {
    if (running.current) return;
    const next = pending.current.shift();
    if (!next) return;
    running.current = next.id;
    const writer = createResumeWriter(opts.datasetId, next.file);
    let restarting = false;
    const upload = createFileUpload({
      file: next.file,
      datasetId: opts.datasetId,
      api: api.current,
      concurrency: opts.concurrency,
      checksum: opts.checksum ?? "none",
      hashFile: createWorkerFileHasher,
      ...(opts.refreshMarginMs !== undefined && { refreshMarginMs: opts.refreshMarginMs }),
      ...(next.resume && { resume: { sessionId: next.resume.sessionId, digests: next.resume.digests } }),
      onEvent: (ev) => {
        if (ev.type === "progress") patch(next.id, { progress: ev.progress });
        else if (ev.type === "session") writer.start(ev, next.resume?.digests);
        else if (ev.type === "digest") writer.digest(ev.partNumber, ev.digest);
        else if (ev.type === "error") {
          if (ev.error.code === "file_changed" || ev.error.code === "not_resumable") {
            // Never merged: tell the user and upload this file as a new upload.
            restarting = true;
            void writer.forget();
            pending.current.unshift({ id: next.id, file: next.file });
            patch(next.id, { notice: `${ev.error.message.replace(/ Start a new upload\.$| start a new upload\.$/, "")} — a new upload of this file has started.`, error: null, progress: emptyProgress(next.file.size) });
          } else {
            patch(next.id, { error: ev.error, registrationPending: ev.error.apiCode === "ckan_failed" });
          }
        } else if (ev.type === "completed") {
          // `notice`: e.g. a draft dataset that CKAN did not make active (the upload itself completed).
          const notice = typeof ev.result.notice === "string" ? ev.result.notice : null;
          patch(next.id, { ckanResourceUrl: ev.result.ckanResourceUrl ?? null, resultStatus: ev.result.status, registrationPending: false, ...(notice ? { notice } : {}) });
        } else if (ev.type === "state") {
          if (!restarting) patch(next.id, { state: ev.state, ...(ev.state === "uploading" || ev.state === "completing" ? { error: null } : {}) });
          if (ev.state === "paused" || ev.state === "failed") void writer.flush();
          if (ev.state === "completed" || ev.state === "cancelled") void writer.forget();
          // A paused file gives up its turn too, so the files behind it do not wait for it.
          if (["completed", "failed", "cancelled", "paused"].includes(ev.state) && running.current === next.id) {
            running.current = null;
            startNext();
          }
        }
      },
    });
    uploads.current.set(next.id, upload);
    void upload.start();
  }, [opts.datasetId, opts.concurrency, opts.checksum, opts.refreshMarginMs, patch]);

  const addFiles = useCallback(
    (list: File[]) => {
      // This browser's record first; else the portal's (an upload started by the command line: issue 13).
      void Promise.all(list.map(async (file) => ({ file, record: (await findResume(opts.datasetId, file)) ?? (await findServerResume(opts.datasetId, file)) }))).then((found) => {
        const added = found.map(({ file, record }) => ({ id: `${Date.now()}-${Math.random().toString(36).slice(2)}`, file, record }));
        for (const a of added) {
          files.current.set(a.id, a.file);
          if (a.record) offers.current.set(a.id, a.record);
        }
        setItems((current) => [
          ...current,
          ...added.map(({ id, file, record }) => ({
            id,
            name: file.name,
            size: file.size,
            state: record ? ("offer" as const) : ("queued" as const),
            progress: emptyProgress(file.size),
            error: null,
            notice: null,
            ckanResourceUrl: null,
            resultStatus: null,
            registrationPending: false,
          })),
        ]);
        pending.current.push(...added.filter((a) => !a.record).map(({ id, file }) => ({ id, file })));
        startNext();
      });
    },
    [opts.datasetId, startNext],
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
      if (record) void api.current.abort(record.sessionId).catch(() => undefined);
      void forgetResume(opts.datasetId, file);
      patch(id, { state: "queued" });
      pending.current.push({ id, file });
      startNext();
    },
    [opts.datasetId, patch, startNext],
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
        patch(id, { state: "cancelled" });
        return;
      }
      void uploads.current.get(id)?.cancel();
    },
    [patch],
  );
  const pause = useCallback((id: string) => uploads.current.get(id)?.pause(), []);
  const resume = useCallback((id: string) => void uploads.current.get(id)?.resume(), []);
  const retry = useCallback((id: string) => void uploads.current.get(id)?.resume(), []);

  // Leaving the page while an upload runs asks for confirmation (CASES 18).
  const anyActive = items.some(isActive);
  useEffect(() => {
    if (!anyActive) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [anyActive]);

  return { items, addFiles, cancel, pause, resume, retry, acceptResume, startOver };
}
