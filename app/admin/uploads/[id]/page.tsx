import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { getLocale, getTimeZone, getTranslations } from "next-intl/server";
import { requireAdminPage } from "@/lib/admin/access";
import { getUploadDetail } from "@/lib/admin/detail";
import { getConfig } from "@/lib/config";
import { formatAverageSpeed } from "@/lib/format";
import { formattersFor } from "@/lib/i18n/format";
import { AdminActions } from "@/components/audit/admin-actions";
import { SessionTimeline } from "@/components/audit/session-timeline";
import { UPLOAD_STATUSES } from "@/components/upload-history-table";
import { replacementRows } from "@/components/replace/replacement-links";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("adminUpload");
  return { title: t("title") };
}

/**
 * `/admin/uploads/{id}` (portal admins; others 403, unknown id 404): every field of one upload session —
 * user, dataset, bucket, key, UploadId, checksums, CKAN resource, client IP and user agent — its audit
 * timeline, and the admin actions its status allows (retry CKAN registration, abort). Labels in the
 * page's language (`adminUpload`); times to the millisecond in its locale and time zone.
 */
export default async function AdminUploadPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireAdminPage(`/admin/uploads/${encodeURIComponent(id)}`);
  const detail = await getUploadDetail(id);
  if (!detail) notFound();
  const [t, tStatus, tReplacement, locale, timeZone] = await Promise.all([
    getTranslations("adminUpload"),
    getTranslations("uploadStatus"),
    getTranslations("adminUpload.replacement"),
    getLocale(),
    getTimeZone(),
  ]);
  const format = formattersFor(locale, timeZone);
  const when = (d: Date | null) => (d ? format.preciseDateTime(d) : "—");
  const bidi = (chunks: ReactNode) => <bdi>{chunks}</bdi>;
  const s = detail.session;
  const status = s.status.toLowerCase();
  const statusLabel = (UPLOAD_STATUSES as readonly string[]).includes(status) ? tStatus(status as (typeof UPLOAD_STATUSES)[number]) : status;
  const actions = [
    ...(s.status === "UPLOADED" ? (["retry-registration"] as const) : []),
    ...(["CREATED", "UPLOADING", "FAILED"].includes(s.status) ? (["abort"] as const) : []),
  ];
  const partsValues = { planned: s.partCount, partSize: format.bytes(Number(s.partSize)), recorded: detail.parts.count };
  const stored = s.storedLastModified
    ? [
        t("storedModified", { date: format.preciseDateTime(s.storedLastModified) }),
        ...(s.storedVersionId ? [t("storedVersion", { id: s.storedVersionId })] : []),
        ...(s.storedChecksum ? [t("storedChecksum", { value: s.storedChecksum })] : []),
      ].join(" · ")
    : "—";
  const fields: Array<[string, ReactNode]> = [
    [t("sessionId"), s.id],
    [t("status"), <span key="s" data-testid="session-status">{statusLabel}</span>],
    [t("error"), s.errorCode ? t("errorValue", { code: s.errorCode, message: s.errorMessage ?? "" }) : "—"],
    [t("user"), t.rich("userValue", { name: s.user.name, displayName: s.user.displayName, sysadmin: s.user.sysadmin ? "yes" : "no", ckanId: s.user.ckanId, b: bidi })],
    [t("dataset"), <a key="d" href={`${getConfig().CKAN_URL}/dataset/${encodeURIComponent(s.dataset.name)}`} className="text-blue-800 underline">{t.rich("titleAndName", { title: s.dataset.title, name: s.dataset.name, b: bidi })}</a>],
    [t("organization"), s.dataset.organizationTitle ? t.rich("titleAndName", { title: s.dataset.organizationTitle, name: s.dataset.organizationName ?? "", b: bidi }) : "—"],
    [t("fileName"), <bdi key="f">{s.fileName}</bdi>],
    [t("size"), t("sizeValue", { size: format.bytes(Number(s.size)), bytes: Number(s.size) })],
    [t("bytesConfirmed"), t("bytesValue", { bytes: Number(s.bytesConfirmed) })],
    [t("contentType"), s.contentType],
    [t("fileLastModified"), when(s.lastModified)],
    [t("credentialsMode"), s.mode.toLowerCase()],
    [t("bucket"), s.bucket],
    [t("key"), s.key],
    [t("uploadId"), s.uploadId ?? t("uploadIdNone")],
    [
      t("parts"),
      detail.parts.count
        ? t("partsValueRange", { ...partsValues, first: detail.parts.first ?? 0, last: detail.parts.last ?? 0, bytes: format.bytes(detail.parts.bytes) })
        : t("partsValue", partsValues),
    ],
    [t("sha256"), s.sha256 ?? "—"],
    [t("etag"), <span key="e" data-testid="session-etag">{s.etag ?? "—"}</span>],
    [t("storedObject"), stored],
    [
      t("integrity"),
      s.integrityFailedAt
        ? t("integrityChanged", { date: format.preciseDateTime(s.integrityFailedAt), problem: s.integrityProblem ?? "" })
        : s.integrityCheckedAt
          ? t("integrityUnchanged", { date: format.preciseDateTime(s.integrityCheckedAt) })
          : "—",
    ],
    [t("objectUrl"), s.objectUrl ?? "—"],
    [t("ckanResource"), detail.ckanResourceUrl ? <a key="r" href={detail.ckanResourceUrl} className="text-blue-800 underline">{s.resourceId}</a> : "—"],
    ...replacementRows(s, tReplacement, (d) => format.preciseDateTime(d)),
    [t("created"), when(s.createdAt)],
    [t("firstPart"), when(s.startedAt)],
    [t("finished"), when(s.completedAt)],
    [t("duration"), format.duration(detail.durationSeconds)],
    [t("averageSpeed"), formatAverageSpeed(Number(s.size), detail.bytesPerSecond, locale)],
    [t("clientIp"), s.clientIp ?? t("clientIpNone")],
    [t("userAgent"), s.userAgent ?? "—"],
  ];
  return (
    <div className="space-y-6">
      <p><Link href="/admin/uploads" className="text-blue-800 underline">{t("back")}</Link></p>
      <h1 className="text-2xl font-semibold wrap-anywhere"><bdi>{s.fileName}</bdi></h1>
      {s.integrityFailedAt && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-900" data-testid="integrity-alert">
          {t.rich("integrityAlert", { problem: s.integrityProblem ?? "", strong: (chunks) => <strong>{chunks}</strong> })}
        </p>
      )}
      <AdminActions sessionId={s.id} actions={actions} />
      <section aria-labelledby="fields">
        <h2 id="fields" className="mb-2 text-lg font-semibold">{t("sessionHeading")}</h2>
        <dl className="grid grid-cols-1 gap-x-4 gap-y-1 rounded border border-slate-200 bg-white p-4 text-sm md:grid-cols-[max-content_1fr]">
          {fields.map(([k, v]) => (
            <div key={k} className="contents"><dt className="font-medium text-slate-700">{k}</dt><dd className="wrap-anywhere">{v}</dd></div>
          ))}
        </dl>
      </section>
      <section aria-labelledby="timeline">
        <h2 id="timeline" className="mb-2 text-lg font-semibold">{t("timelineHeading", { count: detail.eventCount })}</h2>
        <SessionTimeline entries={detail.timeline} etag={s.etag} />
      </section>
    </div>
  );
}
