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

const iso = (d: Date) => `${d.toISOString().replace("T", " ").slice(0, 23)} UTC`;

/** The facts of one entry worth showing, as label → value. */
function facts(e: TimelineEntry): Array<[string, string]> {
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
    default:
      return Object.entries(d)
        .filter(([k, v]) => k !== "by" && v !== null && v !== undefined && typeof v !== "object") // `by` is the actor, shown above
        .map(([k, v]) => [k, String(v)]);
  }
}

/** Every audit event of a session, oldest first; runs of `parts.recorded` are summarised. */
export function SessionTimeline({ entries }: { entries: TimelineEntry[] }) {
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
            {facts(e).map(([k, v]) => (
              <div key={k} className="contents"><dt className="text-slate-700">{k}</dt><dd className="break-all"><bdi>{v}</bdi></dd></div>
            ))}
          </dl>
        </li>
      ))}
    </ol>
  );
}
