import Link from "next/link";
import type { getTranslations } from "next-intl/server";

/** The translator of the admin session page's replacement rows (`await getTranslations("adminUpload.replacement")`). */
export type ReplacementTranslator = Awaited<ReturnType<typeof getTranslations<"adminUpload.replacement">>>;

/**
 * The admin session page's replacement facts (issue 12): which CKAN resource this upload replaced the
 * file of, the earlier upload and object key, and the upload that replaced this one (links to their
 * session pages). Returns [label, value] rows for the page's fact list; none for an ordinary upload.
 * `t` words them in the page's language; `when` formats a date (the page's locale and time zone).
 */
export function replacementRows(s: {
  replacesResourceId: string | null;
  previousSessionId: string | null;
  previousObjectKey: string | null;
  replacedBySessionId: string | null;
  objectDeletedAt: Date | null;
}, t: ReplacementTranslator, when: (d: Date) => string): Array<[string, React.ReactNode]> {
  const rows: Array<[string, React.ReactNode]> = [];
  if (s.replacesResourceId) {
    rows.push([t("replaces"), s.replacesResourceId]);
    rows.push([
      t("earlierUpload"),
      s.previousSessionId ? (
        <Link key="prev" href={`/admin/uploads/${s.previousSessionId}`} className="text-blue-800 underline" data-testid="previous-session-link">
          {s.previousSessionId}
        </Link>
      ) : (
        t("earlierNotStored")
      ),
    ]);
    if (s.previousObjectKey) rows.push([t("earlierKey"), s.previousObjectKey]);
  }
  if (s.replacedBySessionId) {
    rows.push([
      t("replacedBy"),
      <Link key="next" href={`/admin/uploads/${s.replacedBySessionId}`} className="text-blue-800 underline" data-testid="replaced-by-link">
        {s.replacedBySessionId}
      </Link>,
    ]);
    rows.push([t("earlierObject"), s.objectDeletedAt ? t("earlierDeleted", { date: when(s.objectDeletedAt) }) : t("earlierKept")]);
  }
  return rows;
}
