"use client";

import { useEffect, useRef, useState } from "react";
import { formatBytes } from "@/lib/format";
import { useHydrated } from "../use-hydrated";
import type { ChecksumAlgorithm } from "@/lib/uploader";
import { FileRow } from "./file-row";
import { isActive, useUploadQueue } from "./use-upload-queue";

/**
 * The deep-link page's uploader: a drop zone and a file picker for one or more files, one row per
 * file, and a polite live region that announces starts, every 10 % of progress and outcomes.
 */
export function Uploader(props: { datasetId: string; datasetName: string; partSize: number; concurrency: number; maxBytes: number; checksum?: ChecksumAlgorithm | "none"; refreshMarginMs?: number }) {
  const { items, notices, addFiles, cancel, pause, resume, acceptResume, startOver, describe } = useUploadQueue({
    datasetId: props.datasetId,
    concurrency: props.concurrency,
    checksum: props.checksum,
    refreshMarginMs: props.refreshMarginMs,
  });
  const [dragging, setDragging] = useState(false);
  const hydrated = useHydrated();
  const [announcement, setAnnouncement] = useState<{ name: string; text: string } | null>(null);
  const lastAnnounced = useRef(new Map<string, string>());

  useEffect(() => {
    for (const item of items) {
      const decile = Math.floor(item.progress.percent / 10) * 10;
      const signedOut = item.signedOut && item.state !== "completed" && item.state !== "cancelled" ? item.signedOut : "";
      if ((lastAnnounced.current.get(`${item.id}:signed-out`) ?? "") !== signedOut) {
        lastAnnounced.current.set(`${item.id}:signed-out`, signedOut);
        if (signedOut) {
          setAnnouncement({ name: item.name, text: `: ${signedOut}` });
          continue;
        }
      }
      const key = item.state === "uploading" ? `uploading ${decile}` : item.state;
      if (lastAnnounced.current.get(item.id) === key) continue;
      lastAnnounced.current.set(item.id, key);
      if (item.state === "uploading") setAnnouncement({ name: item.name, text: `: ${decile} percent uploaded` });
      else if (item.state === "completed") setAnnouncement({ name: item.name, text: `: upload complete` });
      else if (item.state === "failed" && item.registrationPending) setAnnouncement({ name: item.name, text: `: stored, not yet registered in CKAN. ${item.error?.message ?? ""}` });
      else if (item.state === "failed") setAnnouncement({ name: item.name, text: `: upload failed. ${item.error?.message ?? ""}` });
      else if (item.state === "offer") setAnnouncement({ name: item.name, text: `: an interrupted upload of this file can be resumed` });
      else if (item.state === "elsewhere") setAnnouncement({ name: item.name, text: `: uploading in another tab` });
      else if (item.state === "cancelled") setAnnouncement({ name: item.name, text: `: upload cancelled` });
      else if (item.state === "paused") setAnnouncement({ name: item.name, text: `: upload paused` });
    }
  }, [items]);

  const onFiles = (list: FileList | null) => {
    if (list && list.length > 0) addFiles(Array.from(list));
  };
  const active = items.filter(isActive).length;

  return (
    <section aria-labelledby="upload-heading" className="space-y-4">
      <h2 id="upload-heading" className="text-xl font-semibold">Add files</h2>
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          onFiles(e.dataTransfer.files);
        }}
        className={`rounded border-2 border-dashed p-8 text-center ${dragging ? "border-blue-700 bg-blue-50" : "border-slate-400 bg-white"}`}
        data-testid="drop-zone"
      >
        <p className="mb-3 text-slate-800">Drop files here, or</p>
        <label htmlFor="file-input" className="inline-block cursor-pointer rounded bg-blue-700 px-4 py-2 font-medium text-white focus-within:outline focus-within:outline-3 focus-within:outline-blue-900 hover:bg-blue-800">
          Choose files
          <input
            id="file-input"
            type="file"
            multiple
            disabled={!hydrated}
            className="sr-only"
            onChange={(e) => {
              onFiles(e.currentTarget.files);
              e.currentTarget.value = "";
            }}
          />
        </label>
        <p className="mt-3 text-sm text-slate-700">
          Up to {formatBytes(props.maxBytes)} per file. Files go straight to storage in {formatBytes(props.partSize)} parts, {props.concurrency} at a time.
        </p>
      </div>
      {notices.length > 0 && (
        <ul className="space-y-1" aria-label="Browser limitations" data-testid="capability-notices">
          {notices.map((n) => (
            <li key={n} className="rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900">{n}</li>
          ))}
        </ul>
      )}
      <div aria-live="polite" role="status" className="sr-only" data-testid="announcer">{announcement && <><bdi>{announcement.name}</bdi>{announcement.text}</>}</div>
      {items.length > 0 && (
        <>
          <p className="text-sm text-slate-700">{active > 0 ? `${active} upload${active === 1 ? "" : "s"} in progress. Keep this page open until they finish.` : "All uploads have finished."}</p>
          <ul className="space-y-3" aria-label="Uploads">
            {items.map((item) => (
              <FileRow key={item.id} item={item} onCancel={() => cancel(item.id)} onPause={() => pause(item.id)} onResume={() => resume(item.id)} onAcceptResume={() => acceptResume(item.id)} onStartOver={() => startOver(item.id)} onDescribe={(v) => describe(item.id, v)} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
