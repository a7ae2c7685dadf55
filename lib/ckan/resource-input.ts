/**
 * What the portal sends to `resource_create` / `resource_patch`, and its normalisation.
 *
 * CKAN's default resource schema (ckan/logic/schema.py `default_resource_schema`):
 * `url`, `name`, `format` (guessed from the URL when empty), `mimetype`, `size`
 * (int_validator), `hash`, `last_modified` (isodate), `description`; any other key is
 * stored as a resource extra and returned as a top-level key.
 */

/** Fields shared by create and patch. Extra keys become CKAN resource extras. */
export interface ResourceFields {
  /** Where the file lives (the portal's S3 or download URL). */
  url?: string;
  /** Display name, usually the file name. */
  name?: string;
  /** Format label, e.g. "CSV"; CKAN guesses it from the URL when omitted. */
  format?: string;
  /** MIME type, e.g. "text/csv". */
  mimetype?: string;
  /** Bytes; a non-negative integer. */
  size?: number;
  /** Checksum text, e.g. "sha256:<hex>". CKAN stores it verbatim. */
  hash?: string;
  /** Last modification time; see toCkanTimestamp for the format CKAN accepts. */
  last_modified?: string | Date;
  description?: string;
  /**
   * Never sent: "upload" would make CKAN rewrite `url` to its own file store.
   * Typed `never` so callers cannot set it; stripped at run time as well.
   */
  url_type?: never;
  [extra: string]: unknown;
}

/** `resource_create`: a new resource on dataset `package_id` (id or name). */
export type ResourceCreateInput = ResourceFields & { package_id: string; url: string; name: string };

/** `resource_patch`: change the given fields of resource `id`, keep the others. */
export type ResourcePatchInput = ResourceFields & { id: string };

const HAS_ZONE = /(?:[zZ]|[+-]\d{2}:?\d{2})$/;

/**
 * A timestamp in the form CKAN's `isodate` validator accepts: naive UTC with optional
 * fraction, e.g. "2026-11-29T12:45:33.186". CKAN's `date_str_to_datetime` rejects any
 * zone suffix ("Z", "+02:00") with "Date format incorrect", so zoned strings and Date
 * objects are converted to UTC and the suffix dropped. Other strings pass unchanged.
 * @throws TypeError for an invalid Date or an unparseable zoned string.
 */
export function toCkanTimestamp(value: string | Date): string {
  if (typeof value === "string" && !HAS_ZONE.test(value.trim())) return value;
  const date = typeof value === "string" ? new Date(value.trim()) : value;
  if (Number.isNaN(date.getTime())) throw new TypeError(`Not a valid timestamp: ${String(value)}`);
  return date.toISOString().slice(0, -1);
}

/** The JSON body for CKAN: url_type removed, undefined dropped, last_modified normalised. */
export function resourceBody(input: ResourceFields): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === "url_type" || value === undefined) continue;
    body[key] = key === "last_modified" && (typeof value === "string" || value instanceof Date)
      ? toCkanTimestamp(value)
      : value;
  }
  return body;
}
