"use client";

import { memo, type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { useTranslations } from "next-intl";
import { useFormat } from "@/lib/i18n/format";
import { MAX_TUNED_CONCURRENCY } from "@/lib/uploader/tuning";
import { useHydrated } from "../use-hydrated";
import type { ChecksumAlgorithm, PartTuningMode } from "@/lib/uploader";
import { ConfirmDialog } from "./confirm-dialog";
import { FileRow } from "./file-row";
import type { ResourceFieldValues } from "./resource-fields";
import { collectFromDataTransfer, collectFromDirectoryInput, type CollectedFiles, type DropProblem } from "./folder-drop";
import { InterruptedUploads } from "./interrupted-uploads";
import { useRefreshWhenFinished } from "./live-refresh";
import { isActive, type UploadItem, useUploadQueue } from "./use-upload-queue";
import { useUploadTexts } from "./upload-texts";

/** What the live region last said about a row: rendered in the page's language at render time. */
type Announcement =
  | { name: string; kind: "uploading"; percent: number }
  | { name: string; kind: "completed" | "offer" | "elsewhere" | "cancelled" | "paused" }
  | { name: string; kind: "signedOut" | "failed" | "registrationPending"; message: string };

/** Renders again only when its props change (the page renders on every progress event). */
const Interrupted = memo(InterruptedUploads);

/** Rows that may be cleared from the list: nothing more will happen to them (FileRow shows Clear for these). */
const CLEARABLE: ReadonlySet<UploadItem["state"]> = new Set(["completed", "cancelled"]);
/** Rows whose Cancel aborts a started multipart upload (parts may be stored): asked first. */
const STARTED: ReadonlySet<UploadItem["state"]> = new Set(["preparing", "uploading", "paused", "failed"]);

/**
 * The deep-link page's uploader: a drop zone (files and folders), a file picker and a folder picker,
 * one row per file, and a polite live region that announces starts, every 10 % of progress and outcomes.
 * Above them, the caller's interrupted uploads to this dataset (choose the file again to continue).
 * Finished and cancelled rows can be cleared; cancelling a started upload asks first; each completion
 * refreshes the page's server-rendered sections ("Existing resources", "Earlier uploads").
 */
export function Uploader(props: { datasetId: string; datasetName: string; partSize: number; concurrency: number; partTuning?: PartTuningMode; maxBytes: number; checksum?: ChecksumAlgorithm | "none"; refreshMarginMs?: number }) {
  const { items: allItems, notices, addFiles, resumeFile, cancel, pause, resume, acceptResume, startOver, describe } = useUploadQueue({
    datasetId: props.datasetId,
    concurrency: props.concurrency,
    partTuning: props.partTuning,
    checksum: props.checksum,
    refreshMarginMs: props.refreshMarginMs,
  });
  const t = useTranslations("uploader");
  const texts = useUploadTexts();
  const format = useFormat();
  const bidi = (chunks: ReactNode) => <bdi>{chunks}</bdi>;
  const sr = (chunks: ReactNode) => <span className="sr-only">{chunks}</span>;
  const describeProblem = (p: DropProblem) =>
    p.kind === "unreadable" ? t("unreadable", { path: p.path, reason: p.reason ?? "Error" }) : p.path === "" ? t("emptyPicked") : t("emptyFolder", { path: p.path });
  const [dragging, setDragging] = useState(false);
  // Cleared rows are only hidden: the queue keeps no work for them (completed or cancelled).
  const [cleared, setCleared] = useState<ReadonlySet<string>>(() => new Set());
  const items = allItems.filter((it) => !cleared.has(it.id));
  const [problems, setProblems] = useState<DropProblem[]>([]);
  const [confirming, setConfirming] = useState<UploadItem | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  // Rows are only ever added to the queue's list (cleared ones are hidden), and a row's name and size never
  // change: the set is built again only when rows are added, not on every progress event.
  const shown = useMemo(() => new Set(allItems.map((it) => `${it.name}|${it.size}`)), [allItems.length]); // eslint-disable-line react-hooks/exhaustive-deps
  const finished = allItems.filter((it) => it.state === "completed" || it.state === "cancelled").length;
  useRefreshWhenFinished(finished);
  const hydrated = useHydrated();
  const [announcement, setAnnouncement] = useState<Announcement | null>(null);
  const lastAnnounced = useRef(new Map<string, string>());

  // Rows are new objects when they change (use-upload-queue.ts): rows seen before are skipped, so an event costs one row's check.
  const checked = useRef(new WeakSet<UploadItem>());
  useEffect(() => {
    for (const item of items) {
      if (checked.current.has(item)) continue;
      checked.current.add(item);
      const decile = Math.floor(item.progress.percent / 10) * 10;
      const signedOut = item.signedOut && item.state !== "completed" && item.state !== "cancelled" ? texts.signedOut() : "";
      if ((lastAnnounced.current.get(`${item.id}:signed-out`) ?? "") !== signedOut) {
        lastAnnounced.current.set(`${item.id}:signed-out`, signedOut);
        if (signedOut) {
          setAnnouncement({ name: item.name, kind: "signedOut", message: signedOut });
          continue;
        }
      }
      const key = item.state === "uploading" ? `uploading ${decile}` : item.state;
      if (lastAnnounced.current.get(item.id) === key) continue;
      lastAnnounced.current.set(item.id, key);
      const message = item.error ? texts.errorString(item.error) : "";
      if (item.state === "uploading") setAnnouncement({ name: item.name, kind: "uploading", percent: decile });
      else if (item.state === "failed") setAnnouncement({ name: item.name, kind: item.registrationPending ? "registrationPending" : "failed", message });
      else if (item.state === "completed" || item.state === "offer" || item.state === "elsewhere" || item.state === "cancelled" || item.state === "paused") setAnnouncement({ name: item.name, kind: item.state });
    }
  }, [items]);

  const onFiles = (list: FileList | null) => {
    if (list && list.length > 0) addFiles(Array.from(list));
  };
  /** `picked`: from the folder picker, which lists no folders: an empty choice is named as such. */
  const onCollected = ({ files, problems: found }: CollectedFiles, picked: boolean) => {
    setProblems(files.length === 0 && found.length === 0 && picked ? [{ kind: "empty-folder", path: "" }] : found);
    if (files.length > 0) addFiles(files);
  };
  /** Hides rows; focus moves to the row that took the first one's place (or the heading), not to the page's top. */
  const clearRows = (ids: string[]) => {
    if (ids.length === 0) return;
    const index = items.findIndex((it) => it.id === ids[0]);
    setCleared((c) => new Set([...c, ...ids]));
    requestAnimationFrame(() => {
      const rows = listRef.current?.children;
      const target = rows && rows.length > 0 ? (rows[Math.min(index, rows.length - 1)] as HTMLElement) : headingRef.current;
      target?.focus();
    });
  };
  const askCancel = (item: UploadItem) => (STARTED.has(item.state) ? setConfirming(item) : cancel(item.id));
  // The rows' handlers: one stable function each for all rows (FileRow is memoised: a progress event of one
  // file renders that row only), calling this render's functions through a ref.
  const latest = useRef({ askCancel, clearRows, pause, resume, acceptResume, startOver, describe });
  latest.current = { askCancel, clearRows, pause, resume, acceptResume, startOver, describe };
  const rowHandlers = useMemo(
    () => ({
      onCancel: (item: UploadItem) => latest.current.askCancel(item),
      onPause: (item: UploadItem) => latest.current.pause(item.id),
      onResume: (item: UploadItem) => latest.current.resume(item.id),
      onAcceptResume: (item: UploadItem) => latest.current.acceptResume(item.id),
      onStartOver: (item: UploadItem) => latest.current.startOver(item.id),
      onClear: (item: UploadItem) => latest.current.clearRows([item.id]),
      onDescribe: (values: ResourceFieldValues, item: UploadItem) => latest.current.describe(item.id, values),
    }),
    [],
  );
  const clearable = items.filter((it) => CLEARABLE.has(it.state));
  // What the engine really does (lib/uploader/tuning.ts): PART_TUNING=fixed keeps the configured part size and
  // parts in flight; adaptive starts there and grows both to the link (parts in flight up to MAX_TUNED_CONCURRENCY).
  const partTuning = props.partTuning ?? "adaptive";
  const maxConcurrency = Math.max(props.concurrency, MAX_TUNED_CONCURRENCY);
  const announce = (a: Announcement): ReactNode => {
    const values = { name: a.name, b: bidi };
    switch (a.kind) {
      case "uploading":
        return t.rich("announce.uploading", { ...values, percent: a.percent });
      case "signedOut":
      case "failed":
      case "registrationPending":
        return t.rich(`announce.${a.kind}`, { ...values, message: a.message });
      default:
        return t.rich(`announce.${a.kind}`, values);
    }
  };
  const active = items.filter(isActive).length;
  // Formatted once, not on each of the page's renders (one per progress flush).
  const limits = useMemo(
    () =>
      partTuning === "fixed"
        ? t("limitsFixed", { maxBytes: format.bytes(props.maxBytes), partSize: format.bytes(props.partSize), concurrency: props.concurrency })
        : t("limitsAdaptive", { maxBytes: format.bytes(props.maxBytes), partSize: format.bytes(props.partSize), concurrency: props.concurrency, maxConcurrency, grows: maxConcurrency > props.concurrency ? "yes" : "no" }),
    [t, format, partTuning, props.maxBytes, props.partSize, props.concurrency, maxConcurrency],
  );

  return (
    <section aria-labelledby="upload-heading" className="space-y-4">
      <h2 id="upload-heading" ref={headingRef} tabIndex={-1} className="text-xl font-semibold">{t("heading")}</h2>
      <Interrupted datasetId={props.datasetId} onResume={resumeFile} shown={shown} />
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          // Entries are taken inside the handler (the DataTransfer is emptied when it returns), then read.
          void collectFromDataTransfer(e.dataTransfer).then((found) => onCollected(found, false));
        }}
        className={`rounded border-2 border-dashed p-8 text-center ${dragging ? "border-blue-700 bg-blue-50" : "border-slate-400 bg-white"}`}
        data-testid="drop-zone"
      >
        <p className="mb-3 text-slate-800">{t("dropHint")}</p>
        <label htmlFor="file-input" className="inline-block cursor-pointer rounded bg-blue-700 px-4 py-2 font-medium text-white focus-within:outline focus-within:outline-3 focus-within:outline-blue-900 hover:bg-blue-800">
          {t("chooseFiles")}
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
        </label>{" "}
        <label htmlFor="folder-input" className="ms-2 inline-block cursor-pointer rounded border border-blue-700 bg-white px-4 py-2 font-medium text-blue-800 focus-within:outline focus-within:outline-3 focus-within:outline-blue-900 hover:bg-blue-50">
          {t("chooseFolder")}
          <input
            id="folder-input"
            type="file"
            multiple
            disabled={!hydrated}
            className="sr-only"
            // React does not know the attribute: set as a plain DOM attribute (Chromium, Firefox, Safari support it).
            {...{ webkitdirectory: "", directory: "" }}
            onChange={(e) => {
              onCollected(collectFromDirectoryInput(e.currentTarget.files ?? []), true);
              e.currentTarget.value = "";
            }}
          />
        </label>
        <p className="mt-3 text-sm text-slate-700">
          {t("folderNames")}{" "}
          {limits}
        </p>
      </div>
      {notices.length > 0 && (
        <ul className="space-y-1" aria-label={t("capabilityNotices")} data-testid="capability-notices">
          {notices.map((n) => (
            <li key={n} className="rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900">{texts.capability(n)}</li>
          ))}
        </ul>
      )}
      <div role="status" aria-live="polite">
        {problems.length > 0 && (
          <ul className="space-y-1" aria-label={t("notAdded")} data-testid="drop-problems">
            {problems.map((p) => (
              <li key={`${p.kind}:${p.path}`} className="rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900">{describeProblem(p)}</li>
            ))}
          </ul>
        )}
      </div>
      <div aria-live="polite" role="status" className="sr-only" data-testid="announcer">{announcement && announce(announcement)}</div>
      {items.length > 0 && (
        <>
          <div className="flex flex-wrap items-center justify-between gap-2">
            <p className="text-sm text-slate-700">{active > 0 ? t("inProgress", { count: active }) : t("allFinished")}</p>
            {clearable.length > 0 && (
              <button type="button" onClick={() => clearRows(clearable.map((it) => it.id))} className="rounded border border-slate-400 px-3 py-1 text-sm hover:bg-slate-100">
                {t.rich("clearFinished", { count: clearable.length, sr })}
              </button>
            )}
          </div>
          <ul ref={listRef} className="space-y-3" aria-label={t("listLabel")}>
            {items.map((item) => (
              <FileRow key={item.id} item={item} {...rowHandlers} />
            ))}
          </ul>
        </>
      )}
      <ConfirmDialog
        open={confirming !== null}
        title={t.rich("cancelTitle", { name: confirming?.name ?? "", b: bidi })}
        confirmLabel={t("cancelConfirm")}
        cancelLabel={t("cancelKeep")}
        onConfirm={() => {
          if (confirming) cancel(confirming.id);
          setConfirming(null);
        }}
        onCancel={() => setConfirming(null)}
      >
        {t("cancelBody")}
      </ConfirmDialog>
    </section>
  );
}
