import { type ReactNode } from "react";
import { useTranslations } from "next-intl";
import type { TimelineEntry } from "@/lib/admin/detail";
import { type Formatters, useFormat } from "@/lib/i18n/format";
import type en from "@/messages/en.json";

/** Titles of the audit event types (`sessionTimeline.event`; an event type's dots are underscores there). */
type EventKey = keyof typeof en.sessionTimeline.event;
/** Labels people read for the detail keys audit events store (lib/uploads/*: writeAudit calls): `sessionTimeline.detail`. */
type DetailKey = keyof typeof en.sessionTimeline.detail;
type Translator = ReturnType<typeof useTranslations<"sessionTimeline">>;

const has = (t: Translator, key: string) => (t as unknown as { has(k: string): boolean }).has(key);
/** Detail keys holding a byte count: shown as "5.0 MiB (5,242,880 bytes)" (en). */
const BYTE_KEYS = new Set(["size", "partSize", "bytes", "bytesConfirmed"]);

/** "statusChanged" → "Status changed": for keys without a label (new event types) rather than the raw key (English: the key's own words). */
function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_.]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function detailValue(t: Translator, format: Formatters, key: string, value: unknown): string {
  if (BYTE_KEYS.has(key) && Number.isFinite(Number(value))) return t("bytesValue", { size: format.bytes(Number(value)), bytes: Number(value) });
  if (typeof value === "boolean") return value ? t("yes") : t("no");
  return String(value);
}

/** The facts of one entry worth showing, as label → value. */
function facts(t: Translator, format: Formatters, e: TimelineEntry, etag: string | null): Array<[string, string]> {
  const d = e.detail;
  const s = (k: string) => (d[k] === undefined || d[k] === null ? null : String(d[k]));
  switch (e.type) {
    case "credentials.granted":
      return [[t("accessKeyId"), s("accessKeyId") ?? "—"], [t("detail.expiration"), s("expiration") ?? "—"], [t("policySha256"), s("policySha256") ?? "—"], [t("roleSession"), s("roleSessionName") ?? "—"]];
    case "parts.recorded":
      return [
        [t("parts"), t("partsValue", { parts: Number(d.parts), first: Number(d.firstPart), last: Number(d.lastPart), reports: Number(d.reports) })],
        [t("bytesInReports"), format.bytes(Number(d.bytes))],
        [t("bytesConfirmedAfter"), format.bytes(Number(d.bytesConfirmed))],
      ];
    default: {
      const shown = Object.entries(d)
        .filter(([k, v]) => k !== "by" && v !== null && v !== undefined && typeof v !== "object") // `by` is the actor, shown above
        .map(([k, v]): [string, string] => [has(t, `detail.${k}`) ? t(`detail.${k as DetailKey}`) : humanize(k), detailValue(t, format, k, v)]);
      // The stored object's ETag (HeadObject at completion) belongs to the completion, though the event does not carry it.
      if (e.type === "session.completed" && etag && !("etag" in d)) shown.push([t("detail.etag"), etag]);
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
  const t = useTranslations("sessionTimeline");
  const format = useFormat();
  const bidi = (chunks: ReactNode) => <bdi>{chunks}</bdi>;
  const title = (type: string) => {
    const key = type.replace(/\./g, "_");
    return has(t, `event.${key}`) ? t(`event.${key as EventKey}`) : type;
  };
  return (
    <ol className="space-y-3 border-s-2 border-slate-300 ps-4" aria-label={t("label")}>
      {entries.map((e, i) => (
        <li key={i} data-event-type={e.type}>
          <p className="font-medium">{title(e.type)}</p>
          <p className="text-xs text-slate-700">
            {e.until.getTime() !== e.at.getTime() ? (
              t.rich("range", {
                from: format.preciseDateTime(e.at),
                until: format.preciseDateTime(e.until),
                start: (chunks) => <time dateTime={e.at.toISOString()}>{chunks}</time>,
                end: (chunks) => <time dateTime={e.until.toISOString()}>{chunks}</time>,
              })
            ) : (
              <time dateTime={e.at.toISOString()}>{format.preciseDateTime(e.at)}</time>
            )}
            {e.actorName && <>{" · "}{t.rich("by", { name: e.actorName, b: bidi })}</>}
          </p>
          <dl className="mt-1 grid grid-cols-[max-content_1fr] gap-x-3 text-sm">
            {facts(t, format, e, etag).map(([k, v]) => (
              <div key={k} className="contents"><dt className="text-slate-700">{k}</dt><dd className="wrap-anywhere"><bdi>{v}</bdi></dd></div>
            ))}
          </dl>
        </li>
      ))}
    </ol>
  );
}
