"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { FileUploadState, ProgressSnapshot, UploadErrorInfo } from "@/lib/uploader";
import { createFileUpload, createPortalApi, type FileUpload } from "@/lib/uploader";

/** What the UI shows for one file. */
export interface UploadItem {
  id: string;
  name: string;
  size: number;
  state: FileUploadState | "queued";
  progress: ProgressSnapshot;
  error: UploadErrorInfo | null;
  ckanResourceUrl: string | null;
  resultStatus: string | null;
}

const ACTIVE: ReadonlySet<UploadItem["state"]> = new Set(["queued", "preparing", "uploading", "paused", "completing"]);

/** True while the item still needs the page (leaving would interrupt it). */
export function isActive(item: UploadItem): boolean {
  return ACTIVE.has(item.state);
}

/**
 * Upload queue of the deep-link page: files upload one after another (each with `concurrency` parts
 * in flight), so a many-file drop cannot open dozens of connections. Exposes pause/resume/cancel per file.
 */
export function useUploadQueue(opts: { datasetId: string; concurrency: number }) {
  const [items, setItems] = useState<UploadItem[]>([]);
  const uploads = useRef(new Map<string, FileUpload>());
  const pending = useRef<Array<{ id: string; file: File }>>([]);
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
    const upload = createFileUpload({
      file: next.file,
      datasetId: opts.datasetId,
      api: api.current,
      concurrency: opts.concurrency,
      onEvent: (ev) => {
        if (ev.type === "progress") patch(next.id, { progress: ev.progress });
        else if (ev.type === "error") patch(next.id, { error: ev.error });
        else if (ev.type === "completed") {
          patch(next.id, { ckanResourceUrl: ev.result.ckanResourceUrl ?? null, resultStatus: ev.result.status });
        } else if (ev.type === "state") {
          patch(next.id, { state: ev.state, ...(ev.state === "uploading" ? { error: null } : {}) });
          if (["completed", "failed", "cancelled"].includes(ev.state) && running.current === next.id) {
            running.current = null;
            startNext();
          }
        }
      },
    });
    uploads.current.set(next.id, upload);
    void upload.start();
  }, [opts.datasetId, opts.concurrency, patch]);

  const addFiles = useCallback(
    (files: File[]) => {
      const added = files.map((file) => ({
        id: `${Date.now()}-${Math.random().toString(36).slice(2)}`,
        file,
      }));
      setItems((list) => [
        ...list,
        ...added.map(({ id, file }) => ({
          id,
          name: file.name,
          size: file.size,
          state: "queued" as const,
          progress: { bytesSent: 0, total: file.size, percent: 0, speedBps: 0, etaSeconds: null },
          error: null,
          ckanResourceUrl: null,
          resultStatus: null,
        })),
      ]);
      pending.current.push(...added);
      startNext();
    },
    [startNext],
  );

  const cancel = useCallback(
    (id: string) => {
      const queued = pending.current.findIndex((p) => p.id === id);
      if (queued >= 0) {
        pending.current.splice(queued, 1);
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

  return { items, addFiles, cancel, pause, resume, retry };
}
