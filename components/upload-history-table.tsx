import Link from "next/link";
import type { HistoryRow } from "@/lib/uploads/history";
import { type ReactNode } from "react";
import { useLocale, useTimeZone, useTranslations } from "next-intl";
import { useFormat } from "@/lib/i18n/format";
import { CancelUploadButton } from "./cancel-upload-button";
import { RetryRegistrationButton } from "./retry-registration-button";

/** Statuses with a label in the `uploadStatus` namespace (lower-case, as HistoryRow and UploadRow carry them). */
export const UPLOAD_STATUSES = ["created", "uploading", "completing", "uploaded", "completed", "failed", "aborted", "expired"] as const;

/** The label of an upload status in the page's language (`uploadStatus`), or the raw status for one it does not know. */
export function useStatusLabel(): (status: string) => string {
  const t = useTranslations("uploadStatus");
  return (status) => ((UPLOAD_STATUSES as readonly string[]).includes(status) ? t(status as (typeof UPLOAD_STATUSES)[number]) : status);
}

/** Session error codes stored in `UploadSession.errorCode` that have a sentence in `uploadTable.sessionErrors`. */
export const SESSION_ERROR_CODES = ["expired", "size_mismatch", "storage_failed", "permission_withdrawn", "ckan_failed"] as const;

/**
 * The failure of a session in the page's language. The stored `errorMessage` is English and carries
 * details no catalogue sentence can rebuild (the dataset's title, the idle hours, CKAN's answer), so an
 * English reader gets it as it is; other languages get the `uploadTable.sessionErrors` sentence of its
 * stored `errorCode`. An unknown code, or none, shows the stored text as data inside `<bdi>`.
 */
export function SessionErrorText({ code, message }: { code?: string | null; message: string | null }) {
  const t = useTranslations("uploadTable.sessionErrors");
  const english = useLocale() === "en";
  if (code && (SESSION_ERROR_CODES as readonly string[]).includes(code) && !(english && message)) return <>{t(code as (typeof SESSION_ERROR_CODES)[number])}</>;
  return message ? <bdi>{message}</bdi> : null;
}

/**
 * Upload sessions as a table: time, file, size, dataset, status, CKAN resource link. `ownRows`: the rows
 * are the caller's own (/uploads), so failed ones get a "Cancel upload" button.
 */
export function UploadHistoryTable({ rows, caption, showDataset = true, showUser = false, ownRows = false, emptyText }: { rows: HistoryRow[]; caption: string; showDataset?: boolean; showUser?: boolean; ownRows?: boolean; /** Default "No uploads yet." */ emptyText?: string }) {
  const t = useTranslations("uploadTable");
  const statusLabel = useStatusLabel();
  const format = useFormat();
  const timeZone = useTimeZone() ?? "UTC";
  const bidi = (chunks: ReactNode) => <bdi>{chunks}</bdi>;
  const sr = (chunks: ReactNode) => <span className="sr-only">{chunks}</span>;
  if (rows.length === 0) return <p className="text-slate-700">{emptyText ?? t("none")}</p>;
  return (
    <div className="relative overflow-x-auto rounded border border-slate-200 bg-white">
      <table className="w-full text-start text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-100">
          <tr>
            <th scope="col" className="p-2">{t("started", { timeZone })}</th>
            <th scope="col" className="p-2">{t("file")}</th>
            <th scope="col" className="p-2">{t("size")}</th>
            {showDataset && <th scope="col" className="p-2">{t("dataset")}</th>}
            {showUser && <th scope="col" className="p-2">{t("user")}</th>}
            <th scope="col" className="p-2">{t("status")}</th>
            <th scope="col" className="p-2">{t("resource")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className="border-t border-slate-200" data-session-id={r.id}>
              <td className="p-2 whitespace-nowrap"><time dateTime={r.createdAt.toISOString()}>{format.dateTime(r.createdAt)}</time></td>
              <td className="p-2 wrap-anywhere"><bdi>{r.fileName}</bdi></td>
              <td className="p-2 whitespace-nowrap">{format.bytes(r.size)}</td>
              {showDataset && (
                <td className="p-2">
                  <Link href={`/datasets/${encodeURIComponent(r.datasetName)}/upload`} prefetch={false} className="text-blue-800 underline"><bdi>{r.datasetTitle}</bdi></Link>
                </td>
              )}
              {showUser && <td className="p-2"><bdi>{r.userName}</bdi></td>}
              <td className="p-2">
                {statusLabel(r.status)}
                {(r.errorMessage || r.errorCode) && r.status !== "completed" ? <span className="block text-xs text-red-800" data-testid="session-error"><SessionErrorText code={r.errorCode} message={r.errorMessage} /></span> : null}
                {r.status === "uploaded" && <RetryRegistrationButton sessionId={r.id} fileName={r.fileName} />}
                {ownRows && r.status === "failed" && <CancelUploadButton sessionId={r.id} fileName={r.fileName} />}
              </td>
              <td className="p-2">
                {r.ckanResourceUrl ? <a href={r.ckanResourceUrl} className="text-blue-800 underline">{t.rich("openInCkan", { name: r.fileName, b: bidi, sr })}</a> : "—"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
