"use client";

import { memo, type ReactNode, type RefObject, useCallback, useEffect, useMemo, useRef } from "react";
import { useTranslations } from "next-intl";
import { useFormat } from "@/lib/i18n/format";
import { guessResourceFormat } from "@/lib/resource-format";
import { ResourceFields, type ResourceFieldValues } from "./resource-fields";
import type { UploadItem } from "./use-upload-queue";
import { useUploadTexts } from "./upload-texts";

/** A row's actions: each gets the row's item (the page passes one stable function for all rows). */
export interface FileRowProps {
  item: UploadItem;
  onCancel(item: UploadItem): void;
  onPause(item: UploadItem): void;
  onResume(item: UploadItem): void;
  onAcceptResume(item: UploadItem): void;
  onStartOver(item: UploadItem): void;
  /** Given: finished and cancelled rows show Clear, which removes the row from the list. */
  onClear?(item: UploadItem): void;
  /** The Clear button's content (default: the page's `uploader.clear` with the file's name). */
  clearLabel?: ReactNode;
  onDescribe?(values: ResourceFieldValues, item: UploadItem): Promise<string | null>;
}

/** States whose row may be cleared from the list: nothing more will happen to them. */
const CLEARABLE: ReadonlySet<UploadItem["state"]> = new Set(["completed", "cancelled"]);

const bidi = (chunks: ReactNode) => <bdi>{chunks}</bdi>;
const sr = (chunks: ReactNode) => <span className="sr-only">{chunks}</span>;

/** The row's name and size: they never change, so this renders once per row (issue 12: not per event). */
const RowHead = memo(function RowHead({ id, name, size }: { id: string; name: string; size: number }) {
  const format = useFormat();
  return (
    <div className="flex flex-wrap items-baseline justify-between gap-2">
      <p className="font-medium break-all" id={`name-${id}`}><bdi>{name}</bdi></p>
      <p className="text-sm text-slate-700">{format.bytes(size)}</p>
    </div>
  );
});

/** What the row's buttons do; each calls the page's handler with the row's current item. */
interface RowActs {
  pause(): void;
  resume(): void;
  acceptResume(): void;
  startOver(): void;
  clear(): void;
  cancel(): void;
}

/**
 * The row's buttons: rendered again only when the buttons shown change (a state change), not on
 * progress (issue 12: each label is a rich ICU message with the file's name).
 */
const RowActions = memo(function RowActions({ name, pauseOrResume, offer, clearable, clearLabel, canCancel, acts, hadFocus }: {
  name: string;
  /** The one Pause/Resume button's label key, or null when not shown. */
  pauseOrResume: "pause" | "retryRegistration" | "retry" | "resume" | null;
  offer: boolean;
  clearable: boolean;
  clearLabel?: ReactNode;
  canCancel: boolean;
  acts: RowActs;
  hadFocus: RefObject<boolean>;
}) {
  const t = useTranslations("fileRow");
  const tPage = useTranslations("uploader");
  const named = { name, b: bidi, sr };
  return (
    <div
      className="mt-2 flex gap-2"
      onFocus={() => (hadFocus.current = true)}
      onBlur={(e) => {
        if (e.relatedTarget && !e.currentTarget.contains(e.relatedTarget)) hadFocus.current = false;
      }}
    >
      {/* One element for Pause and Resume, so focus stays on it when its label changes. */}
      {pauseOrResume && (
        <button type="button" onClick={() => (pauseOrResume === "pause" ? acts.pause() : acts.resume())} className="rounded border border-slate-400 px-3 py-1 text-sm hover:bg-slate-100">
          {t.rich(pauseOrResume, named)}
        </button>
      )}
      {offer && (
        <>
          <button type="button" onClick={acts.acceptResume} className="rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white hover:bg-blue-800">{t.rich("resumeUpload", named)}</button>
          <button type="button" onClick={acts.startOver} className="rounded border border-slate-400 px-3 py-1 text-sm hover:bg-slate-100">{t.rich("startOver", named)}</button>
        </>
      )}
      {clearable && <button type="button" onClick={acts.clear} className="rounded border border-slate-400 px-3 py-1 text-sm hover:bg-slate-100">{clearLabel ?? tPage.rich("clear", named)}</button>}
      {canCancel && <button type="button" onClick={acts.cancel} className="rounded border border-red-700 px-3 py-1 text-sm text-red-800 hover:bg-red-50">{t.rich("cancel", named)}</button>}
    </div>
  );
});

/**
 * One file: name, size, progress bar, bytes sent, percent, speed, time left, actions, result.
 *
 * Memoised (issue 12, small files): a row renders again only when its own item (a new object for each
 * change, see use-upload-queue.ts) or a handler changes, so one file's progress event renders one row,
 * not all N rows of a many-file drop. Handlers should therefore be stable (useCallback) and take the item.
 * Inside, the parts that do not change with progress (name and size, buttons, resource fields) are
 * memoised too, so a progress event re-renders the bar and its figures only.
 */
export const FileRow = memo(function FileRow({ item, onCancel, onPause, onResume, onAcceptResume, onStartOver, onClear, clearLabel, onDescribe }: FileRowProps) {
  const p = item.progress;
  const stored = item.registrationPending && item.state === "failed";
  const t = useTranslations("fileRow");
  const texts = useUploadTexts();
  const signedOut = item.signedOut && item.state !== "completed" && item.state !== "cancelled" ? texts.signedOut() : null;
  const tQueue = useTranslations("uploadQueue");
  const format = useFormat();
  const named = { name: item.name, b: bidi, sr };
  // The buttons and resource fields are memoised: their callbacks are stable and read the row's current item.
  const current = useRef(item);
  current.current = item;
  const acts = useMemo<RowActs>(
    () => ({
      pause: () => onPause(current.current),
      resume: () => onResume(current.current),
      acceptResume: () => onAcceptResume(current.current),
      startOver: () => onStartOver(current.current),
      clear: () => onClear?.(current.current),
      cancel: () => onCancel(current.current),
    }),
    [onPause, onResume, onAcceptResume, onStartOver, onClear, onCancel],
  );
  const describe = useCallback((values: ResourceFieldValues) => (onDescribe ? onDescribe(values, current.current) : Promise.resolve(null)), [onDescribe]);
  const initialFields = useMemo(() => ({ name: item.name, description: "", format: guessResourceFormat(item.name, item.fileType) }), [item.name, item.fileType]);
  const waiting = item.waitingSeconds && (item.state === "preparing" || item.state === "uploading" || item.state === "completing") ? tQueue("waitingForLimit", { seconds: item.waitingSeconds }) : null;
  const label = signedOut ?? waiting ?? (stored ? t("storedNotRegistered") : item.state === "completed" && item.resultStatus === "uploaded" ? t("completedNotRegistered") : t(`state.${item.state}`));
  const canPause = item.state === "uploading" || item.state === "preparing";
  const canResume = item.state === "paused" || item.state === "failed";
  const canCancel = ["queued", "preparing", "uploading", "paused", "failed", "offer", "elsewhere"].includes(item.state) && !stored;
  const barId = `bar-${item.id}`;
  const clearable = onClear !== undefined && CLEARABLE.has(item.state);
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
    <li ref={rowRef} tabIndex={-1} className="rounded border border-slate-200 bg-white p-4 [contain-intrinsic-size:auto_9rem] [content-visibility:auto]" data-testid="upload-row" data-state={item.state} data-bytes-sent={p.bytesSent} data-signed-out={signedOut ? "true" : undefined} data-waiting={waiting ? "true" : undefined}>
      <RowHead id={item.id} name={item.name} size={item.size} />
      <progress
        id={barId}
        className="mt-2 h-3 w-full accent-blue-700"
        max={100}
        value={p.percent}
        aria-labelledby={`name-${item.id}`}
        aria-valuetext={t("percentValue", { percent: p.percent })}
      />
      <p className="mt-1 flex flex-wrap gap-x-4 text-sm text-slate-800">
        <span data-testid="status">{label}</span>
        <span>{t("sentOf", { sent: format.bytes(p.bytesSent), total: format.bytes(p.total) })}</span>
        <span data-testid="percent">{t("percent", { percent: p.percent })}</span>
        {item.state === "uploading" && (
          <>
            <span>{format.speed(p.speedBps)}</span>
            <span>{t("left", { duration: format.duration(p.etaSeconds) })}</span>
          </>
        )}
      </p>
      {item.state === "elsewhere" && (
        <p className="mt-2 rounded border border-blue-300 bg-blue-50 p-2 text-sm text-blue-900" data-testid="elsewhere">
          {t("elsewhereNote")}
        </p>
      )}
      {item.state === "offer" && (
        <p className="mt-2 rounded border border-blue-300 bg-blue-50 p-2 text-sm text-blue-900" data-testid="resume-offer">
          {t("resumeOffer")}
        </p>
      )}
      {item.notice && (
        <p role="status" className="mt-2 rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900" data-testid="notice">{texts.notice(item.notice)}</p>
      )}
      {item.error && item.state !== "completed" && (
        <p role="alert" className="mt-2 rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800">{texts.error(item.error)}</p>
      )}
      {item.ckanResourceUrl && (
        <p className="mt-2">
          <a href={item.ckanResourceUrl} className="text-blue-800 underline">{t.rich("openInCkan", named)}</a>
        </p>
      )}
      {onDescribe && !["cancelled", "offer", "elsewhere"].includes(item.state) && (
        <ResourceFields fileLabel={item.name} initial={initialFields} completed={item.state === "completed" && item.resultStatus === "completed"} onSave={describe} />
      )}
      <RowActions
        name={item.name}
        pauseOrResume={canPause ? "pause" : canResume ? (stored ? "retryRegistration" : item.state === "failed" ? "retry" : "resume") : null}
        offer={item.state === "offer"}
        clearable={clearable}
        clearLabel={clearLabel}
        canCancel={canCancel}
        acts={acts}
        hadFocus={actionsHadFocus}
      />
    </li>
  );
});
