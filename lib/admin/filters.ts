import { z } from "zod";

/** Upload statuses as they appear in URLs and the UI (lower case of the `UploadStatus` enum). */
export const STATUS_VALUES = ["created", "uploading", "completing", "uploaded", "completed", "failed", "aborted", "expired"] as const;
export type StatusValue = (typeof STATUS_VALUES)[number];

/** Columns the upload tables sort by (server-side). Duration and speed are derived, so not sortable. */
export const SORT_VALUES = ["time", "user", "organization", "dataset", "file", "size", "status"] as const;
export type SortValue = (typeof SORT_VALUES)[number];

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD").refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), "is not a valid date");
const bytes = z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const text = z.string().trim().max(200);

/**
 * The filter of an upload table, exactly as kept in the URL query so a filtered view can be shared:
 * `user` (CKAN user name), `org` (organization name), `dataset` (dataset name), `status`, `from`/`to`
 * (UTC dates, both inclusive), `minSize`/`maxSize` (bytes, inclusive), `q` (text in the file name,
 * case-insensitive), `integrity=changed` (objects flagged as changed after completion), `sort` + `dir`, `page` (1-based). Empty values mean "no filter".
 */
export const uploadFilterSchema = z.object({
  user: text.optional(),
  org: text.optional(),
  dataset: text.optional(),
  status: z.enum(STATUS_VALUES).optional(),
  from: day.optional(),
  to: day.optional(),
  minSize: bytes.optional(),
  maxSize: bytes.optional(),
  q: text.optional(),
  /** `changed`: only sessions whose object was found changed after completion (CASES 38). */
  integrity: z.enum(["changed"]).optional(),
  sort: z.enum(SORT_VALUES).default("time"),
  dir: z.enum(["asc", "desc"]).default("desc"),
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
});
export type UploadFilter = z.infer<typeof uploadFilterSchema>;

/** The keys that narrow the rows (everything but sort, dir and page). */
export const FILTER_KEYS = ["user", "org", "dataset", "status", "from", "to", "minSize", "maxSize", "q", "integrity"] as const;

/**
 * Parses a URL query (URLSearchParams or Next's `searchParams` object) into a filter. Blank values are
 * dropped; a malformed value is dropped too (a shared link with a typo still opens), and its name is
 * returned in `invalid` so the page can say so.
 */
export function parseUploadFilter(query: URLSearchParams | Record<string, string | string[] | undefined>): { filter: UploadFilter; invalid: string[] } {
  const raw: Record<string, string> = {};
  const entries = query instanceof URLSearchParams ? [...query.entries()] : Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v] as const);
  for (const [k, v] of entries) if (typeof v === "string" && v.trim() !== "" && !(k in raw)) raw[k] = v;
  const invalid: string[] = [];
  for (;;) {
    const result = uploadFilterSchema.safeParse(raw);
    if (result.success) return { filter: result.data, invalid };
    for (const issue of result.error.issues) {
      const key = String(issue.path[0]);
      if (!invalid.includes(key)) invalid.push(key);
      delete raw[key];
    }
  }
}

/**
 * The URL query for `filter` with `changes` applied (defaults and blanks omitted), e.g. for sort
 * links and pagination. A change to anything but `page` resets `page` to 1.
 */
export function filterQuery(filter: UploadFilter, changes: Partial<UploadFilter> = {}): string {
  const next: Partial<UploadFilter> = { ...filter, ...(("page" in changes) ? {} : { page: 1 }), ...changes };
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const v = next[key];
    if (v !== undefined && v !== "") params.set(key, String(v));
  }
  if (next.sort && next.sort !== "time") params.set("sort", next.sort);
  if (next.dir && next.dir !== "desc") params.set("dir", next.dir);
  if (next.page && next.page > 1) params.set("page", String(next.page));
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** True when any narrowing filter is set. */
export function hasFilter(filter: UploadFilter): boolean {
  return FILTER_KEYS.some((k) => filter[k] !== undefined);
}

/** Start (inclusive) and end (exclusive) instants of the date range, UTC. */
export function dateBounds(filter: Pick<UploadFilter, "from" | "to">): { gte?: Date; lt?: Date } {
  return {
    ...(filter.from ? { gte: new Date(`${filter.from}T00:00:00.000Z`) } : {}),
    ...(filter.to ? { lt: new Date(Date.parse(`${filter.to}T00:00:00.000Z`) + 86_400_000) } : {}),
  };
}
