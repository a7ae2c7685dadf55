import Link from "next/link";
import { type ReactNode } from "react";
import { useLocale, useTimeZone, useTranslations } from "next-intl";
import type { UploadFilter } from "@/lib/admin/filters";
import type { UploadRow } from "@/lib/admin/uploads";
import { formatAverageSpeed } from "@/lib/format";
import { useFormat } from "@/lib/i18n/format";
import { useStatusLabel } from "@/components/upload-history-table";
import { SortableHeader } from "./sortable-header";

/** The admin-visible flag of an object changed after completion (CASES 38); the title says what differs. */
export function IntegrityFlag({ problem }: { problem: string }) {
  const t = useTranslations("uploadTable");
  return (
    <span className="ms-1 inline-block rounded bg-red-100 px-1.5 py-0.5 text-xs font-semibold text-red-900" data-testid="integrity-flag" title={problem}>
      {t("integrityFlag")}
    </span>
  );
}

/**
 * A name kept on one line: never broken mid-token (issue 12: "ckan-upload-port|al"); a long one ends in "…"
 * and shows in full as a tooltip (`title`). The width cap sits on the inner block, since table cells ignore max-width.
 */
function Clipped({ text, width = "max-w-28" }: { text: string; width?: string }) {
  return <span className={`block truncate ${width}`} title={text}><bdi>{text}</bdi></span>;
}

/**
 * The admin table of upload sessions: time, user, organization, dataset, file, size, status, duration,
 * average MB/s, CKAN resource; sortable headers (server-side); each file name opens the session's page.
 */
export function AdminUploadTable({ rows, filter, basePath }: { rows: UploadRow[]; filter: UploadFilter; basePath: string }) {
  const t = useTranslations("uploadTable");
  const statusLabel = useStatusLabel();
  const format = useFormat();
  const locale = useLocale();
  const timeZone = useTimeZone() ?? "UTC";
  const bidi = (chunks: ReactNode) => <bdi>{chunks}</bdi>;
  const sr = (chunks: ReactNode) => <span className="sr-only">{chunks}</span>;
  if (rows.length === 0) return <p className="text-slate-700">{t("noMatch")}</p>;
  const h = (label: string, column: Parameters<typeof SortableHeader>[0]["column"]) => <SortableHeader label={label} column={column} filter={filter} basePath={basePath} />;
  return (
    <div className="relative overflow-x-auto rounded border border-slate-200 bg-white">
      <table className="w-full text-start text-sm">
        <caption className="sr-only">{t("adminCaption")}</caption>
        <thead className="bg-slate-100">
          <tr>
            {h(t("started", { timeZone }), "time")}
            {h(t("user"), "user")}
            {h(t("organization"), "organization")}
            {h(t("dataset"), "dataset")}
            {h(t("file"), "file")}
            {h(t("size"), "size")}
            {h(t("status"), "status")}
            <th scope="col" className="p-2">{t("duration")}</th>
            <th scope="col" className="p-2">{t("averageSpeed")}</th>
            <th scope="col" className="p-2">{t("resource")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className="border-t border-slate-200" data-session-id={r.id}>
              <td className="p-2"><time dateTime={r.createdAt.toISOString()}>{format.dateTime(r.createdAt)}</time></td>
              <td className="p-2"><Clipped text={r.userName} /></td>
              <td className="p-2">{r.organizationName ? <Clipped text={r.organizationName} /> : "—"}</td>
              <td className="p-2"><Clipped text={r.datasetName} /></td>
              <td className="p-2">
                <Link href={`/admin/uploads/${r.id}`} className="block max-w-40 truncate text-blue-800 underline" title={r.fileName}><bdi>{r.fileName}</bdi></Link>
              </td>
              <td className="p-2 whitespace-nowrap">{format.bytes(r.size)}</td>
              <td className="p-2">
                {statusLabel(r.status)}
                {r.integrityProblem && <IntegrityFlag problem={r.integrityProblem} />}
              </td>
              <td className="p-2 whitespace-nowrap">{format.duration(r.durationSeconds)}</td>
              <td className="p-2 whitespace-nowrap">{formatAverageSpeed(r.size, r.bytesPerSecond, locale)}</td>
              <td className="p-2">{r.ckanResourceUrl ? <a href={r.ckanResourceUrl} className="text-blue-800 underline">{t.rich("openInCkan", { name: r.fileName, b: bidi, sr })}</a> : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
