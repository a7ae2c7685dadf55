import Link from "next/link";
import type { HistoryRow } from "@/lib/uploads/history";
import { formatBytes } from "@/lib/format";
import { CancelUploadButton } from "./cancel-upload-button";
import { RetryRegistrationButton } from "./retry-registration-button";

/** User-facing names of upload statuses (lower-case keys). */
export const STATUS_LABEL: Record<string, string> = {
  created: "Started",
  uploading: "Uploading",
  completing: "Completing",
  uploaded: "Stored, not yet registered in CKAN",
  completed: "Completed",
  failed: "Failed",
  aborted: "Cancelled",
  expired: "Expired",
};

/**
 * Upload sessions as a table: time, file, size, dataset, status, CKAN resource link. `ownRows`: the rows
 * are the caller's own (/uploads), so failed ones get a "Cancel upload" button.
 */
export function UploadHistoryTable({ rows, caption, showDataset = true, showUser = false, ownRows = false, emptyText = "No uploads yet." }: { rows: HistoryRow[]; caption: string; showDataset?: boolean; showUser?: boolean; ownRows?: boolean; emptyText?: string }) {
  if (rows.length === 0) return <p className="text-slate-700">{emptyText}</p>;
  return (
    <div className="relative overflow-x-auto rounded border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-100">
          <tr>
            <th scope="col" className="p-2">Started</th>
            <th scope="col" className="p-2">File</th>
            <th scope="col" className="p-2">Size</th>
            {showDataset && <th scope="col" className="p-2">Dataset</th>}
            {showUser && <th scope="col" className="p-2">User</th>}
            <th scope="col" className="p-2">Status</th>
            <th scope="col" className="p-2">Resource</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className="border-t border-slate-200" data-session-id={r.id}>
              <td className="p-2 whitespace-nowrap"><time dateTime={r.createdAt.toISOString()}>{r.createdAt.toISOString().replace("T", " ").slice(0, 16)} UTC</time></td>
              <td className="p-2 wrap-anywhere"><bdi>{r.fileName}</bdi></td>
              <td className="p-2 whitespace-nowrap">{formatBytes(r.size)}</td>
              {showDataset && (
                <td className="p-2">
                  <Link href={`/datasets/${encodeURIComponent(r.datasetName)}/upload`} className="text-blue-800 underline">{r.datasetTitle}</Link>
                </td>
              )}
              {showUser && <td className="p-2">{r.userName}</td>}
              <td className="p-2">
                {STATUS_LABEL[r.status] ?? r.status}
                {r.errorMessage && r.status !== "completed" ? <span className="block text-xs text-red-800">{r.errorMessage}</span> : null}
                {r.status === "uploaded" && <RetryRegistrationButton sessionId={r.id} fileName={r.fileName} />}
                {ownRows && r.status === "failed" && <CancelUploadButton sessionId={r.id} fileName={r.fileName} />}
              </td>
              <td className="p-2">
                {r.ckanResourceUrl ? <a href={r.ckanResourceUrl} className="text-blue-800 underline">Open in CKAN<span className="sr-only"> (<bdi>{r.fileName}</bdi>)</span></a> : "—"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
