import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireAdminPage } from "@/lib/admin/access";
import { getUploadDetail } from "@/lib/admin/detail";
import { getConfig } from "@/lib/config";
import { formatAverageSpeed, formatBytes, formatDuration } from "@/lib/format";
import { AdminActions } from "@/components/audit/admin-actions";
import { SessionTimeline } from "@/components/audit/session-timeline";
import { STATUS_LABEL } from "@/components/upload-history-table";
import { replacementRows } from "@/components/replace/replacement-links";

export const metadata: Metadata = { title: "Upload session" };

const when = (d: Date | null) => (d ? `${d.toISOString().replace("T", " ").slice(0, 23)} UTC` : "—");

/**
 * `/admin/uploads/{id}` (portal admins; others 403, unknown id 404): every field of one upload session —
 * user, dataset, bucket, key, UploadId, checksums, CKAN resource, client IP and user agent — its audit
 * timeline, and the admin actions its status allows (retry CKAN registration, abort).
 */
export default async function AdminUploadPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireAdminPage(`/admin/uploads/${encodeURIComponent(id)}`);
  const detail = await getUploadDetail(id);
  if (!detail) notFound();
  const s = detail.session;
  const status = s.status.toLowerCase();
  const actions = [
    ...(s.status === "UPLOADED" ? (["retry-registration"] as const) : []),
    ...(["CREATED", "UPLOADING", "FAILED"].includes(s.status) ? (["abort"] as const) : []),
  ];
  const fields: Array<[string, React.ReactNode]> = [
    ["Session id", s.id],
    ["Status", <span key="s" data-testid="session-status">{STATUS_LABEL[status] ?? status}</span>],
    ["Error", s.errorCode ? `${s.errorCode}: ${s.errorMessage ?? ""}` : "—"],
    ["User", `${s.user.name} (${s.user.displayName}${s.user.sysadmin ? ", sysadmin" : ""}) · CKAN id ${s.user.ckanId}`],
    ["Dataset", <a key="d" href={`${getConfig().CKAN_URL}/dataset/${encodeURIComponent(s.dataset.name)}`} className="text-blue-800 underline">{s.dataset.title} ({s.dataset.name})</a>],
    ["Organization", s.dataset.organizationTitle ? `${s.dataset.organizationTitle} (${s.dataset.organizationName})` : "—"],
    ["File name", <bdi key="f">{s.fileName}</bdi>],
    ["Size", `${formatBytes(Number(s.size))} (${s.size.toString()} bytes)`],
    ["Bytes confirmed", `${s.bytesConfirmed.toString()} bytes`],
    ["Content type", s.contentType],
    ["File last modified", when(s.lastModified)],
    ["Credentials mode", s.mode.toLowerCase()],
    ["Bucket", s.bucket],
    ["Key", s.key],
    ["UploadId", s.uploadId ?? "— (0-byte file: one PutObject)"],
    ["Parts", `${s.partCount} planned of ${formatBytes(Number(s.partSize))}; ${detail.parts.count} recorded now${detail.parts.count ? ` (${detail.parts.first}–${detail.parts.last}, ${formatBytes(detail.parts.bytes)})` : ""}`],
    ["SHA-256 (browser)", s.sha256 ?? "—"],
    ["ETag", <span key="e" data-testid="session-etag">{s.etag ?? "—"}</span>],
    ["Stored object", s.storedLastModified ? `Last-Modified ${s.storedLastModified.toISOString()}${s.storedVersionId ? ` · VersionId ${s.storedVersionId}` : ""}${s.storedChecksum ? ` · checksum ${s.storedChecksum}` : ""}` : "—"],
    ["Integrity", s.integrityFailedAt ? `changed after completion (found ${s.integrityFailedAt.toISOString()}): ${s.integrityProblem ?? ""}` : s.integrityCheckedAt ? `unchanged at the last check, ${s.integrityCheckedAt.toISOString()}` : "—"],
    ["Object URL", s.objectUrl ?? "—"],
    ["CKAN resource", detail.ckanResourceUrl ? <a key="r" href={detail.ckanResourceUrl} className="text-blue-800 underline">{s.resourceId}</a> : "—"],
    ...replacementRows(s),
    ["Created", when(s.createdAt)],
    ["First part recorded", when(s.startedAt)],
    ["Finished", when(s.completedAt)],
    ["Duration", formatDuration(detail.durationSeconds)],
    ["Average speed", formatAverageSpeed(Number(s.size), detail.bytesPerSecond)],
    ["Client IP", s.clientIp ?? "— (not stored)"],
    ["User agent", s.userAgent ?? "—"],
  ];
  return (
    <div className="space-y-6">
      <p><Link href="/admin/uploads" className="text-blue-800 underline">← All uploads</Link></p>
      <h1 className="text-2xl font-semibold wrap-anywhere"><bdi>{s.fileName}</bdi></h1>
      {s.integrityFailedAt && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-900" data-testid="integrity-alert">
          <strong>The stored object changed after completion.</strong> Downloads are refused: {s.integrityProblem}. The CKAN
          resource still describes the uploaded file; remove or replace it in CKAN and upload the file again.
        </p>
      )}
      <AdminActions sessionId={s.id} actions={actions} />
      <section aria-labelledby="fields">
        <h2 id="fields" className="mb-2 text-lg font-semibold">Session</h2>
        <dl className="grid grid-cols-1 gap-x-4 gap-y-1 rounded border border-slate-200 bg-white p-4 text-sm md:grid-cols-[max-content_1fr]">
          {fields.map(([k, v]) => (
            <div key={k} className="contents"><dt className="font-medium text-slate-700">{k}</dt><dd className="wrap-anywhere">{v}</dd></div>
          ))}
        </dl>
      </section>
      <section aria-labelledby="timeline">
        <h2 id="timeline" className="mb-2 text-lg font-semibold">Timeline ({detail.eventCount} audit events)</h2>
        <SessionTimeline entries={detail.timeline} etag={s.etag} />
      </section>
    </div>
  );
}
