"use client";

import { memo, type ReactNode, type Ref, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslations } from "next-intl";
import { useFormat } from "@/lib/i18n/format";
import { MAX_TUNED_CONCURRENCY } from "@/lib/uploader/tuning";
import { useHydrated } from "../use-hydrated";
import type { ChecksumAlgorithm, PartTuningMode } from "@/lib/uploader";
import { ConfirmDialog } from "./confirm-dialog";
import { FileRow, type FileRowProps } from "./file-row";
import type { ResourceFieldValues } from "./resource-fields";
import { collectFromDataTransfer, collectFromDirectoryInput, type CollectedFiles, type DropProblem } from "./folder-drop";
import { InterruptedUploads } from "./interrupted-uploads";
import { useRefreshWhenFinished } from "./live-refresh";
import { type UploadItem, useUploadQueue } from "./use-upload-queue";
import { type UploadStore, useUploadCounts, useUploadIds, useUploadRow } from "./upload-store";
import { type Announcement, createAnnouncer } from "./announcer";
import { useUploadTexts } from "./upload-texts";

/** Renders again only when its props change (the page renders on every progress event). */
const Interrupted = memo(InterruptedUploads);

/** Rows that may be cleared from the list: nothing more will happen to them (FileRow shows Clear for these). */
const CLEARABLE: ReadonlySet<UploadItem["state"]> = new Set(["completed", "cancelled"]);
/** Rows whose Cancel aborts a started multipart upload (parts may be stored): asked first. */
const STARTED: ReadonlySet<UploadItem["state"]> = new Set(["preparing", "uploading", "paused", "failed"]);

/** The rows' handlers: one stable function each for all rows. */
type RowHandlers = Omit<FileRowProps, "item" | "clearLabel">;

/** One row, subscribed to its own item in the store: a change of another file does not render it. */
const StoreRow = memo(function StoreRow({ store, id, handlers }: { store: UploadStore; id: string; handlers: RowHandlers }) {
  const item = useUploadRow(store, id);
  return item ? <FileRow item={item} {...handlers} /> : null;
});

/** Rows per group of the list (see UploadList). */
const ROW_GROUP = 50;

const sameIds = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((id, i) => id === b[i]);

/** A group of rows: a fragment, so the list's DOM stays one `<ul>` of `<li>`s. */
const RowGroup = memo(
  function RowGroup({ store, ids, handlers }: { store: UploadStore; ids: readonly string[]; handlers: RowHandlers }) {
    return ids.map((id) => <StoreRow key={id} store={store} id={id} handlers={handlers} />);
  },
  (a, b) => a.store === b.store && a.handlers === b.handlers && sameIds(a.ids, b.ids),
);

/**
 * The list of rows: renders again only when rows are added or cleared (issue 12: one file's progress or
 * state change used to reconcile all N rows of a many-file drop; now only that row's subscriber renders).
 * The rows sit in memoised groups of {@link ROW_GROUP} by the order they were added (a row never changes
 * group, so clearing rows remounts none): React's work for one row's update walks the groups and that
 * row's group, not all N rows.
 */
const UploadList = memo(function UploadList({ store, ids, handlers, label, listRef }: { store: UploadStore; ids: readonly string[]; handlers: RowHandlers; label: string; listRef: Ref<HTMLUListElement> }) {
  const groups = useMemo(() => {
    const ordinal = new Map(store.everAdded().map((it, i) => [it.id, i]));
    const byGroup = new Map<number, string[]>();
    for (const id of ids) {
      const g = Math.floor((ordinal.get(id) ?? 0) / ROW_GROUP);
      const list = byGroup.get(g);
      if (list) list.push(id);
      else byGroup.set(g, [id]);
    }
    return [...byGroup];
  }, [store, ids]);
  return (
    <ul ref={listRef} className="space-y-3" aria-label={label}>
      {groups.map(([g, group]) => (
        <RowGroup key={g} store={store} ids={group} handlers={handlers} />
      ))}
    </ul>
  );
});

/** "N uploads in progress" and "Clear finished (N)": render again when a count changes, not the page. */
function QueueBar({ store, onClearFinished }: { store: UploadStore; onClearFinished(): void }) {
  const t = useTranslations("uploader");
  const counts = useUploadCounts(store);
  const sr = (chunks: ReactNode) => <span className="sr-only">{chunks}</span>;
  return (
    <div className="flex flex-wrap items-center justify-between gap-2">
      <p className="text-sm text-slate-700">{counts.active > 0 ? t("inProgress", { count: counts.active }) : t("allFinished")}</p>
      {counts.clearable > 0 && (
        <button type="button" onClick={onClearFinished} className="rounded border border-slate-400 px-3 py-1 text-sm hover:bg-slate-100">
          {t.rich("clearFinished", { count: counts.clearable, sr })}
        </button>
      )}
    </div>
  );
}

/** Refreshes the page's server-rendered sections as uploads finish (live-refresh.ts), without rendering the page. */
function RefreshWhenFinished({ store }: { store: UploadStore }) {
  useRefreshWhenFinished(useUploadCounts(store).finished);
  return null;
}

/**
 * The polite live region (components/uploader/announcer.ts decides what it says: per file for a few files,
 * a summary for a bulk drop). Renders on its own: an announcement does not render the page.
 */
function UploadAnnouncer({ store }: { store: UploadStore }) {
  const t = useTranslations("uploader");
  const texts = useUploadTexts();
  const [announcement, setAnnouncement] = useState<Announcement | null>(null);
  useEffect(() => {
    const announcer = createAnnouncer({ announce: setAnnouncement });
    const off = store.onRowChange(announcer.change);
    return () => {
      off();
      announcer.dispose();
    };
  }, [store]);
  const bidi = (chunks: ReactNode) => <bdi>{chunks}</bdi>;
  const say = (a: Announcement): ReactNode => {
    switch (a.kind) {
      case "summary":
        return t("announce.summary", { uploaded: a.uploaded, total: a.total, failed: a.failed });
      case "uploading":
        return t.rich("announce.uploading", { name: a.name, b: bidi, percent: a.percent });
      case "signedOut":
        return t.rich("announce.signedOut", { name: a.name, b: bidi, message: texts.signedOut() });
      case "failed":
      case "registrationPending":
        return t.rich(`announce.${a.kind}`, { name: a.name, b: bidi, message: a.error ? texts.errorString(a.error) : "" });
      default:
        return t.rich(`announce.${a.kind}`, { name: a.name, b: bidi });
    }
  };
  return <div aria-live="polite" role="status" className="sr-only" data-testid="announcer">{announcement && say(announcement)}</div>;
}

/**
 * The deep-link page's uploader: a drop zone (files and folders), a file picker and a folder picker,
 * one row per file, and a polite live region that announces starts, every 10 % of progress and outcomes
 * (a bulk drop: a summary, "12 of 100 files uploaded"; see announcer.ts).
 * Above them, the caller's interrupted uploads to this dataset (choose the file again to continue).
 * Finished and cancelled rows can be cleared; cancelling a started upload asks first; each completion
 * refreshes the page's server-rendered sections ("Existing resources", "Earlier uploads").
 */
export function Uploader(props: { datasetId: string; datasetName: string; partSize: number; concurrency: number; partTuning?: PartTuningMode; maxBytes: number; checksum?: ChecksumAlgorithm | "none"; refreshMarginMs?: number }) {
  const { store, notices, addFiles, resumeFile, cancel, pause, resume, acceptResume, startOver, describe } = useUploadQueue({
    datasetId: props.datasetId,
    concurrency: props.concurrency,
    partTuning: props.partTuning,
    checksum: props.checksum,
    refreshMarginMs: props.refreshMarginMs,
  });
  const t = useTranslations("uploader");
  const texts = useUploadTexts();
  const format = useFormat();
  // Read from the queue's store: this component renders again only when rows are added or cleared; the
  // counts (QueueBar, RefreshWhenFinished) and each row (StoreRow) read the store on their own.
  const ids = useUploadIds(store);
  const bidi = (chunks: ReactNode) => <bdi>{chunks}</bdi>;
  const describeProblem = (p: DropProblem) =>
    p.kind === "unreadable" ? t("unreadable", { path: p.path, reason: p.reason ?? "Error" }) : p.path === "" ? t("emptyPicked") : t("emptyFolder", { path: p.path });
  const [dragging, setDragging] = useState(false);
  const [problems, setProblems] = useState<DropProblem[]>([]);
  const [confirming, setConfirming] = useState<UploadItem | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  // Every row ever added (cleared ones too; a row's name and size never change): built again only when
  // rows are added or cleared, not on progress or state changes.
  const shown = useMemo(() => new Set(store.everAdded().map((it) => `${it.name}|${it.size}`)), [store, ids]);
  const hydrated = useHydrated();

  const onFiles = (list: FileList | null) => {
    if (list && list.length > 0) addFiles(Array.from(list));
  };
  /** `picked`: from the folder picker, which lists no folders: an empty choice is named as such. */
  const onCollected = ({ files, problems: found }: CollectedFiles, picked: boolean) => {
    setProblems(files.length === 0 && found.length === 0 && picked ? [{ kind: "empty-folder", path: "" }] : found);
    if (files.length > 0) addFiles(files);
  };
  /** Hides rows; focus moves to the row that took the first one's place (or the heading), not to the page's top. */
  const clearRows = (gone: string[]) => {
    if (gone.length === 0) return;
    const index = store.ids().indexOf(gone[0]);
    store.hide(gone);
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
  const clearFinished = useCallback(() => latest.current.clearRows(store.items().filter((it) => CLEARABLE.has(it.state)).map((it) => it.id)), [store]);
  const rowHandlers = useMemo<RowHandlers>(
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
  // What the engine really does (lib/uploader/tuning.ts): PART_TUNING=fixed keeps the configured part size and
  // parts in flight; adaptive starts there and grows both to the link (parts in flight up to MAX_TUNED_CONCURRENCY).
  const partTuning = props.partTuning ?? "adaptive";
  const maxConcurrency = Math.max(props.concurrency, MAX_TUNED_CONCURRENCY);
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
      <UploadAnnouncer store={store} />
      <RefreshWhenFinished store={store} />
      {ids.length > 0 && (
        <>
          <QueueBar store={store} onClearFinished={clearFinished} />
          <UploadList store={store} ids={ids} handlers={rowHandlers} label={t("listLabel")} listRef={listRef} />
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
