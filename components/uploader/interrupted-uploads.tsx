"use client";

import { type ReactNode, useEffect, useState } from "react";
import { useTranslations } from "next-intl";
import { useFormat } from "@/lib/i18n/format";
import { uploadLockName } from "@/lib/uploader/tab-lock";
import { ConfirmDialog } from "./confirm-dialog";
import { withRelativeName } from "./folder-drop";
import { baseName, type InterruptedUpload, loadInterruptedUploads, type Mismatch, mismatch, resumeRecordFor } from "./interrupted";
import { findResume, type ResumeRecord } from "./resume-store";

/**
 * True when another tab of this browser holds the upload's lock (it is uploading it right now). Asked with
 * `navigator.locks.query()`, which takes no lock (taking one, even briefly, could make that tab wait). Without
 * Web Locks every upload is listed (the lease fallback of lib/uploader/tab-lock.ts still stops a second upload).
 */
async function ownedElsewhere(sessionId: string): Promise<boolean> {
  const locks = (globalThis.navigator as { locks?: { query?: () => Promise<{ held?: Array<{ name?: string }> }> } } | undefined)?.locks;
  if (typeof locks?.query !== "function") return false;
  const state = await locks.query().catch(() => ({ held: [] }));
  return (state.held ?? []).some((l) => l.name === uploadLockName(sessionId));
}

/**
 * "Interrupted uploads": the caller's uploads to this dataset that stopped before they finished (page
 * reloaded or closed, browser crashed, command line stopped), loaded once when the page opens. Each shows
 * its name, size and the bytes the storage holds (the portal's part records, checked with ListParts), and
 * asks for the file to be chosen again; `onResume` then continues it from the stored parts. **Discard**
 * (confirmed) aborts the multipart upload.
 */
export function InterruptedUploads({ datasetId, onResume, shown }: { datasetId: string; onResume(file: File, record: ResumeRecord): void; /** "name|size" of the page's upload rows: an interrupted upload of one of them is being dealt with there. */ shown: ReadonlySet<string> }) {
  const t = useTranslations("uploader.interrupted");
  const format = useFormat();
  const bidi = (chunks: ReactNode) => <bdi>{chunks}</bdi>;
  const sr = (chunks: ReactNode) => <span className="sr-only">{chunks}</span>;
  const [list, setList] = useState<InterruptedUpload[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [discarding, setDiscarding] = useState<InterruptedUpload | null>(null);

  useEffect(() => {
    let live = true;
    loadInterruptedUploads(datasetId, { ownedElsewhere })
      .then((found) => live && setList(found))
      .catch((err: Error) => live && setLoadError(err.message));
    return () => {
      live = false;
    };
  }, [datasetId]);

  const drop = (sessionId: string) => setList((l) => (l ? l.filter((x) => x.sessionId !== sessionId) : l));
  const wording = (m: Mismatch) => (m.kind === "name" ? t("wrongName", { chosen: m.chosen, expected: m.expected }) : t("wrongSize", { chosen: m.chosen, size: m.size, expected: m.expected }));
  const setError = (sessionId: string, message: string | null) =>
    setErrors((e) => {
      const next = { ...e };
      if (message) next[sessionId] = message;
      else delete next[sessionId];
      return next;
    });

  const chosen = async (u: InterruptedUpload, picked: File | undefined) => {
    if (!picked) return;
    const wrong = mismatch(u, picked);
    if (wrong) return setError(u.sessionId, wording(wrong));
    setError(u.sessionId, null);
    const file = withRelativeName(picked, u.fileName); // the name the upload was started with (a folder's relative path)
    const kept = await findResume(datasetId, file);
    drop(u.sessionId);
    onResume(file, resumeRecordFor(u, datasetId, file, kept));
  };

  const discard = async (u: InterruptedUpload) => {
    setDiscarding(null);
    const res = await fetch(`/api/uploads/${encodeURIComponent(u.sessionId)}/abort`, { method: "POST", headers: { accept: "application/json" }, credentials: "same-origin" }).catch(() => null);
    if (res?.ok) return drop(u.sessionId);
    const body = (await res?.json().catch(() => null)) as { error?: { message?: string } } | null;
    setError(u.sessionId, t("discardFailed", { message: body?.error?.message ?? `HTTP ${res?.status ?? "—"}` }));
  };

  if (loadError) return <p role="alert" className="rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800">{t("loadFailed", { message: loadError })}</p>;
  const visible = list?.filter((u) => !shown.has(`${u.fileName}|${u.size}`)) ?? [];
  if (visible.length === 0) return null;
  return (
    <section aria-labelledby="interrupted-heading" className="rounded border border-amber-300 bg-amber-50 p-4" data-testid="interrupted-uploads">
      <h3 id="interrupted-heading" className="font-semibold text-amber-950">{t("heading")}</h3>
      <p className="mt-1 text-sm text-slate-800">{t("intro")}</p>
      <ul className="mt-3 space-y-3" aria-labelledby="interrupted-heading">
        {visible.map((u) => {
          const inputId = `again-${u.sessionId}`;
          const percent = u.size > 0 ? (u.storedBytes / u.size) * 100 : 0;
          return (
            <li key={u.sessionId} className="rounded border border-slate-200 bg-white p-3" data-testid="interrupted-row" data-session-id={u.sessionId}>
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <p className="font-medium break-all" id={`interrupted-name-${u.sessionId}`}><bdi>{u.fileName}</bdi></p>
                <p className="text-sm text-slate-700">{format.bytes(u.size)}</p>
              </div>
              <progress className="mt-2 h-3 w-full accent-amber-700" max={100} value={percent} aria-labelledby={`interrupted-name-${u.sessionId}`} aria-valuetext={t("percentStored", { percent: Math.round(percent) })} />
              <p className="mt-1 text-sm text-slate-800" data-testid="stored" data-stored-bytes={u.storedBytes}>
                {t("stored", { stored: format.bytes(u.storedBytes), size: format.bytes(u.size), parts: u.storedParts, partCount: u.partCount })}
              </p>
              {errors[u.sessionId] && <p role="alert" className="mt-2 rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800">{errors[u.sessionId]}</p>}
              <div className="mt-2 flex flex-wrap gap-2">
                <label htmlFor={inputId} className="inline-block cursor-pointer rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white focus-within:outline focus-within:outline-3 focus-within:outline-blue-900 hover:bg-blue-800">
                  {t.rich("chooseAgain", { name: baseName(u.fileName), b: bidi })}
                  <input
                    id={inputId}
                    type="file"
                    className="sr-only"
                    onChange={(e) => {
                      void chosen(u, e.currentTarget.files?.[0]);
                      e.currentTarget.value = "";
                    }}
                  />
                </label>
                <button type="button" onClick={() => setDiscarding(u)} className="rounded border border-slate-400 px-3 py-1 text-sm hover:bg-slate-100">
                  {t.rich("discard", { name: u.fileName, b: bidi, sr })}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      <ConfirmDialog
        open={discarding !== null}
        title={t.rich("discardTitle", { name: discarding?.fileName ?? "", b: bidi })}
        confirmLabel={t("discardConfirm")}
        cancelLabel={t("discardKeep")}
        onConfirm={() => discarding && void discard(discarding)}
        onCancel={() => setDiscarding(null)}
      >
        {t("discardBody", { stored: format.bytes(discarding?.storedBytes ?? 0) })}
      </ConfirmDialog>
    </section>
  );
}
