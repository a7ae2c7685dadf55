import Link from "next/link";

/**
 * The admin session page's replacement facts (issue 12): which CKAN resource this upload replaced the
 * file of, the earlier upload and object key, and the upload that replaced this one (links to their
 * session pages). Returns [label, value] rows for the page's fact list; none for an ordinary upload.
 */
export function replacementRows(s: {
  replacesResourceId: string | null;
  previousSessionId: string | null;
  previousObjectKey: string | null;
  replacedBySessionId: string | null;
  objectDeletedAt: Date | null;
}): Array<[string, React.ReactNode]> {
  const rows: Array<[string, React.ReactNode]> = [];
  if (s.replacesResourceId) {
    rows.push(["Replaces the file of resource", s.replacesResourceId]);
    rows.push([
      "Earlier upload",
      s.previousSessionId ? (
        <Link key="prev" href={`/admin/uploads/${s.previousSessionId}`} className="text-blue-800 underline" data-testid="previous-session-link">
          {s.previousSessionId}
        </Link>
      ) : (
        "— (the earlier file was not stored by this portal)"
      ),
    ]);
    if (s.previousObjectKey) rows.push(["Earlier object key", s.previousObjectKey]);
  }
  if (s.replacedBySessionId) {
    rows.push([
      "Replaced by upload",
      <Link key="next" href={`/admin/uploads/${s.replacedBySessionId}`} className="text-blue-800 underline" data-testid="replaced-by-link">
        {s.replacedBySessionId}
      </Link>,
    ]);
    rows.push(["Earlier object", s.objectDeletedAt ? `deleted ${s.objectDeletedAt.toISOString()} (REPLACED_OBJECTS=delete)` : "kept in storage"]);
  }
  return rows;
}
