"use client";

import { type ReactNode, useEffect, useRef } from "react";
import { useTranslations } from "next-intl";
import { formatBytes, formatDuration, formatSpeed } from "@/lib/format";
import { guessResourceFormat } from "@/lib/resource-format";
import { ResourceFields, type ResourceFieldValues } from "./resource-fields";
import type { UploadItem } from "./use-upload-queue";

const STATE_LABEL: Record<UploadItem["state"], string> = {
  queued: "Waiting",
  idle: "Waiting",
  preparing: "Preparing",
  uploading: "Uploading",
  paused: "Paused",
  completing: "Finishing",
  completed: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
  offer: "Interrupted upload found",
  elsewhere: "Uploading in another tab",
};

/** One file: name, size, progress bar, bytes sent, percent, speed, time left, actions, result. */
export function FileRow({ item, onCancel, onPause, onResume, onAcceptResume, onStartOver, onClear, clearLabel, onDescribe }: { item: UploadItem; onCancel(): void; onPause(): void; onResume(): void; onAcceptResume(): void; onStartOver(): void; /** Set for finished and cancelled rows: removes the row from the list. */ onClear?(): void; /** The Clear button's content (translated by the page). */ clearLabel?: ReactNode; onDescribe?(values: ResourceFieldValues): Promise<string | null> }) {
  const p = item.progress;
  const stored = item.registrationPending && item.state === "failed";
  const signedOut = item.signedOut && item.state !== "completed" && item.state !== "cancelled" ? item.signedOut : null;
  const tQueue = useTranslations("uploadQueue");
  const waiting = item.waitingSeconds && (item.state === "preparing" || item.state === "uploading" || item.state === "completing") ? tQueue("waitingForLimit", { seconds: item.waitingSeconds }) : null;
  const label = signedOut ?? waiting ?? (stored ? "Stored, not yet registered in CKAN" : `${STATE_LABEL[item.state]}${item.state === "completed" && item.resultStatus === "uploaded" ? " (stored, not yet registered in CKAN)" : ""}`);
  const canPause = item.state === "uploading" || item.state === "preparing";
  const canResume = item.state === "paused" || item.state === "failed";
  const canCancel = ["queued", "preparing", "uploading", "paused", "failed", "offer", "elsewhere"].includes(item.state) && !stored;
  const barId = `bar-${item.id}`;
  // Keyboard users keep their place: when the button they used disappears (cancel, completion),
  // focus moves to the row itself instead of falling back to the top of the page.
  const rowRef = useRef<HTMLLIElement>(null);
  const actionsHadFocus = useRef(false);
  const buttonsShown = canPause || canResume || canCancel || item.state === "offer";
  useEffect(() => {
    if (!buttonsShown && actionsHadFocus.current && (document.activeElement === document.body || document.activeElement === null)) {
      rowRef.current?.focus();
    }
    if (!buttonsShown) actionsHadFocus.current = false;
  }, [buttonsShown]);
  return (
    <li ref={rowRef} tabIndex={-1} className="rounded border border-slate-200 bg-white p-4" data-testid="upload-row" data-state={item.state} data-bytes-sent={p.bytesSent} data-signed-out={signedOut ? "true" : undefined} data-waiting={waiting ? "true" : undefined}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <p className="font-medium break-all" id={`name-${item.id}`}><bdi>{item.name}</bdi></p>
        <p className="text-sm text-slate-700">{formatBytes(item.size)}</p>
      </div>
      <progress
        id={barId}
        className="mt-2 h-3 w-full accent-blue-700"
        max={100}
        value={p.percent}
        aria-labelledby={`name-${item.id}`}
        aria-valuetext={`${p.percent.toFixed(0)} percent`}
      />
      <p className="mt-1 flex flex-wrap gap-x-4 text-sm text-slate-800">
        <span data-testid="status">{label}</span>
        <span>{formatBytes(p.bytesSent)} of {formatBytes(p.total)}</span>
        <span data-testid="percent">{p.percent.toFixed(1)} %</span>
        {item.state === "uploading" && (
          <>
            <span>{formatSpeed(p.speedBps)}</span>
            <span>{formatDuration(p.etaSeconds)} left</span>
          </>
        )}
      </p>
      {item.state === "elsewhere" && (
        <p className="mt-2 rounded border border-blue-300 bg-blue-50 p-2 text-sm text-blue-900" data-testid="elsewhere">
          Another tab of this browser is uploading this file. This tab takes over by itself if that tab is closed.
        </p>
      )}
      {item.state === "offer" && (
        <p className="mt-2 rounded border border-blue-300 bg-blue-50 p-2 text-sm text-blue-900" data-testid="resume-offer">
          An upload of this file to this dataset was interrupted. Resume it to send only the parts the storage does not have yet, or start over.
        </p>
      )}
      {item.notice && (
        <p role="status" className="mt-2 rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900" data-testid="notice">{item.notice}</p>
      )}
      {item.error && item.state !== "completed" && (
        <p role="alert" className="mt-2 rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800">{item.error.message}</p>
      )}
      {item.ckanResourceUrl && (
        <p className="mt-2">
          <a href={item.ckanResourceUrl} className="text-blue-800 underline">Open the resource in CKAN<span className="sr-only"> (<bdi>{item.name}</bdi>)</span></a>
        </p>
      )}
      {onDescribe && !["cancelled", "offer", "elsewhere"].includes(item.state) && (
        <ResourceFields fileLabel={item.name} initial={{ name: item.name, description: "", format: guessResourceFormat(item.name, item.fileType) }} completed={item.state === "completed" && item.resultStatus === "completed"} onSave={onDescribe} />
      )}
      <div
        className="mt-2 flex gap-2"
        onFocus={() => (actionsHadFocus.current = true)}
        onBlur={(e) => {
          if (e.relatedTarget && !e.currentTarget.contains(e.relatedTarget)) actionsHadFocus.current = false;
        }}
      >
        {/* One element for Pause and Resume, so focus stays on it when its label changes. */}
        {(canPause || canResume) && (
          <button type="button" onClick={canPause ? onPause : onResume} className="rounded border border-slate-400 px-3 py-1 text-sm hover:bg-slate-100">
            {canPause ? "Pause" : stored ? "Retry registration" : item.state === "failed" ? "Retry" : "Resume"}
            <span className="sr-only"> <bdi>{item.name}</bdi></span>
          </button>
        )}
        {item.state === "elsewhere" && (
        <p className="mt-2 rounded border border-blue-300 bg-blue-50 p-2 text-sm text-blue-900" data-testid="elsewhere">
          Another tab of this browser is uploading this file. This tab takes over by itself if that tab is closed.
        </p>
      )}
      {item.state === "offer" && (
          <>
            <button type="button" onClick={onAcceptResume} className="rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white hover:bg-blue-800">Resume upload<span className="sr-only"> of <bdi>{item.name}</bdi></span></button>
            <button type="button" onClick={onStartOver} className="rounded border border-slate-400 px-3 py-1 text-sm hover:bg-slate-100">Start over<span className="sr-only"> with <bdi>{item.name}</bdi></span></button>
          </>
        )}
        {onClear && <button type="button" onClick={onClear} className="rounded border border-slate-400 px-3 py-1 text-sm hover:bg-slate-100">{clearLabel}</button>}
        {canCancel && <button type="button" onClick={onCancel} className="rounded border border-red-700 px-3 py-1 text-sm text-red-800 hover:bg-red-50">Cancel<span className="sr-only"> <bdi>{item.name}</bdi></span></button>}
      </div>
    </li>
  );
}
