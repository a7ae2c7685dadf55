import type { TimelineEntry } from "@/lib/admin/detail";
import { formatBytes } from "@/lib/format";

const TITLE: Record<string, string> = {
  "session.created": "Upload started",
  "credentials.granted": "Temporary credentials granted",
  "parts.signed": "Part URLs signed",
  "parts.recorded": "Parts recorded",
  "session.completing": "Completion started",
  "object.stored": "Object stored in S3",
  "session.completed": "Registered in CKAN: completed",
  "registration.failed": "CKAN registration failed",
  "session.failed": "Upload failed",
  "session.aborted": "Upload aborted",
  "session.expired": "Upload expired",
  "admin.registration_retried": "Admin retried the CKAN registration",
  "admin.upload_aborted": "Admin aborted the upload",
  "credentials.refused": "CKAN refused: permission withdrawn",
  "dataset.activated": "Draft dataset made active in CKAN",
  "dataset.activation_failed": "Draft dataset could not be made active",
  "object.integrity_failed": "Stored object changed after completion: downloads refused",
  "resource.described": "Resource name, description or format set",
  "resource.replaced": "Replaced the file of an existing CKAN resource",
  "object.replaced": "This upload's file was replaced by a newer upload",
  "object.deleted": "Object deleted from storage",
  "object.delete_failed": "Object could not be deleted from storage",
};

/** Labels people read for the detail keys audit events store (lib/uploads/*: writeAudit calls). */
const DETAIL_LABEL: Record<string, string> = {
  dataset: "Dataset",
  packageId: "CKAN dataset",
  resourceId: "CKAN resource",
  url: "Resource URL",
  fileName: "File name",
  size: "Size",
  key: "Object key",
  uploadId: "UploadId",
  partSize: "Part size",
  partCount: "Parts planned",
  mode: "Credentials mode",
  sha256: "SHA-256",
  stage: "Stage",
  reason: "Reason",
  error: "Error",
  message: "Message",
  statusChanged: "Status changed",
  previousStatus: "Previous status",
  from: "From",
  to: "To",
  refresh: "Refresh",
  expiration: "Expires",
  expiresInSeconds: "Expires in (s)",
  count: "Count",
  first: "First part",
  last: "Last part",
  problem: "Problem",
  detectedBy: "Detected by",
  idleSince: "Idle since",
  note: "Note",
  outcome: "Outcome",
  etag: "ETag",
};

/** Detail keys holding a byte count: shown as "5.0 MiB (5242880 bytes)". */
const BYTE_KEYS = new Set(["size", "partSize", "bytes", "bytesConfirmed"]);

/** "statusChanged" → "Status changed": for keys without a label (new event types) rather than the raw key. */
function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_.]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function detailValue(key: string, value: unknown): string {
  if (BYTE_KEYS.has(key) && Number.isFinite(Number(value))) return `${formatBytes(Number(value))} (${Number(value)} bytes)`;
  if (typeof value === "boolean") return value ? "yes" : "no";
  return String(value);
}

const iso = (d: Date) => `${d.toISOString().replace("T", " ").slice(0, 23)} UTC`;

/** The facts of one entry worth showing, as label → value. */
function facts(e: TimelineEntry, etag: string | null): Array<[string, string]> {
  const d = e.detail;
  const s = (k: string) => (d[k] === undefined || d[k] === null ? null : String(d[k]));
  switch (e.type) {
    case "credentials.granted":
      return [["Access key id", s("accessKeyId") ?? "—"], ["Expires", s("expiration") ?? "—"], ["Session policy SHA-256", s("policySha256") ?? "—"], ["Role session", s("roleSessionName") ?? "—"]];
    case "parts.recorded":
      return [
        ["Parts", `${d.parts} (numbers ${d.firstPart}–${d.lastPart}) in ${d.reports} report${d.reports === 1 ? "" : "s"}`],
        ["Bytes in these reports", formatBytes(Number(d.bytes))],
        ["Bytes confirmed after", formatBytes(Number(d.bytesConfirmed))],
      ];
    default: {
      const shown = Object.entries(d)
        .filter(([k, v]) => k !== "by" && v !== null && v !== undefined && typeof v !== "object") // `by` is the actor, shown above
        .map(([k, v]): [string, string] => [DETAIL_LABEL[k] ?? humanize(k), detailValue(k, v)]);
      // The stored object's ETag (HeadObject at completion) belongs to the completion, though the event does not carry it.
      if (e.type === "session.completed" && etag && !("etag" in d)) shown.push(["ETag", etag]);
      return shown;
    }
  }
}

/**
 * Every audit event of a session, oldest first; runs of `parts.recorded` are summarised. Detail keys are shown
 * with labels ("Part size", "CKAN dataset"), byte counts in units; `etag` (the session's stored ETag) is shown
 * on the completion entry.
 */
export function SessionTimeline({ entries, etag = null }: { entries: TimelineEntry[]; etag?: string | null }) {
  return (
    <ol className="space-y-3 border-l-2 border-slate-300 pl-4" aria-label="Audit timeline">
      {entries.map((e, i) => (
        <li key={i} data-event-type={e.type}>
          <p className="font-medium">{TITLE[e.type] ?? e.type}</p>
          <p className="text-xs text-slate-700">
            <time dateTime={e.at.toISOString()}>{iso(e.at)}</time>
            {e.until.getTime() !== e.at.getTime() && <> to <time dateTime={e.until.toISOString()}>{iso(e.until)}</time></>}
            {e.actorName && <> · by {e.actorName}</>}
          </p>
          <dl className="mt-1 grid grid-cols-[max-content_1fr] gap-x-3 text-sm">
            {facts(e, etag).map(([k, v]) => (
              <div key={k} className="contents"><dt className="text-slate-700">{k}</dt><dd className="wrap-anywhere"><bdi>{v}</bdi></dd></div>
            ))}
          </dl>
        </li>
      ))}
    </ol>
  );
}
