/**
 * Validation and normalisation of resource fields, after CKAN's default resource schema
 * (ckan/logic/schema.py): size → int_validator ("Invalid integer"), last_modified → isodate
 * ("Date format incorrect", via h.date_str_to_datetime which rejects zone suffixes),
 * format → if_empty_guess_format + clean_format, mimetype guessed from the URL.
 */

/** Extension → [mimetype (Python's mimetypes), CKAN format label]. A small subset. */
const KNOWN: Record<string, [string, string]> = {
  csv: ["text/csv", "CSV"],
  json: ["application/json", "JSON"],
  geojson: ["application/geo+json", "GeoJSON"],
  xml: ["text/xml", "XML"],
  txt: ["text/plain", "TXT"],
  html: ["text/html", "HTML"],
  pdf: ["application/pdf", "PDF"],
  zip: ["application/zip", "ZIP"],
  tar: ["application/x-tar", "TAR"],
  xls: ["application/vnd.ms-excel", "XLS"],
  xlsx: ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"],
  nc: ["application/x-netcdf", "NetCDF"],
  tif: ["image/tiff", "TIFF"],
  tiff: ["image/tiff", "TIFF"],
  png: ["image/png", "PNG"],
  jpg: ["image/jpeg", "JPEG"],
  jpeg: ["image/jpeg", "JPEG"],
  bin: ["application/octet-stream", "BIN"],
};

function guessFromUrl(url: string): [string, string] | undefined {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // not absolute: use as is
  }
  const ext = path.split("/").pop()?.split(".").slice(1).pop()?.toLowerCase();
  return ext ? KNOWN[ext] : undefined;
}

/** h.unified_resource_format: canonical label for known formats or mimetypes, else as given. */
function cleanFormat(format: string): string {
  const lower = format.trim().toLowerCase();
  const known = KNOWN[lower] ?? Object.values(KNOWN).find(([mime, label]) => mime === lower || label.toLowerCase() === lower);
  return known ? known[1] : format.trim();
}

/** Port of h.date_str_to_datetime + isoformat(); null when CKAN would reject it. */
export function isoDate(value: string): string | null {
  const parts: string[] = [];
  let rest = value;
  for (let i = 0; i < 5; i++) {
    const m = /[^\d]+/.exec(rest);
    if (!m) break;
    parts.push(rest.slice(0, m.index));
    rest = rest.slice(m.index + m[0].length);
  }
  parts.push(rest);
  let micro = 0;
  if (parts.length >= 6) {
    const m = /^(\d{2})(\.(\d+))?$/.exec(parts[5] ?? "");
    if (!m) return null;
    parts[5] = m[1] ?? "";
    micro = m[3] ? Number(m[3].padEnd(6, "0").slice(0, 6)) : 0;
  }
  if (parts.length < 3 || parts.some((p) => !/^\d+$/.test(p))) return null;
  const [y, mo, d, h = 0, mi = 0, s = 0] = parts.map(Number) as number[];
  const date = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h, mi, s));
  if (date.getUTCMonth() !== (mo ?? 1) - 1 || date.getUTCDate() !== d || date.getUTCHours() !== h
    || date.getUTCMinutes() !== mi || date.getUTCSeconds() !== s) return null;
  const base = date.toISOString().slice(0, 19);
  return micro ? `${base}.${String(micro).padStart(6, "0")}` : base;
}

function intValue(value: unknown): number | null | undefined {
  if (value === null || (typeof value === "string" && !value.trim())) return null;
  const n = typeof value === "number" ? value : typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Keys the server sets itself; ignored in input. */
const SERVER_KEYS = new Set(["id", "package_id", "position", "created", "metadata_modified", "state"]);

/**
 * Validate and normalise resource input. `isNew` enables CKAN's create-time guesses
 * (format and mimetype from the URL). Unknown keys are kept (CKAN stores them as extras).
 */
export function normalizeResourceFields(
  input: Record<string, unknown>,
  isNew: boolean,
): { fields: Record<string, unknown>; errors: Record<string, string[]> } {
  const fields: Record<string, unknown> = {};
  const errors: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(input)) {
    if (SERVER_KEYS.has(key)) continue;
    if (key === "size") {
      const size = intValue(value);
      if (size === undefined) errors.size = ["Invalid integer"];
      else fields.size = size;
    } else if (key === "last_modified") {
      const text = value === null ? "" : String(value);
      const date = text === "" ? null : isoDate(text);
      if (text !== "" && date === null) errors.last_modified = ["Date format incorrect"];
      else fields.last_modified = date;
    } else if (key === "url") fields.url = String(value ?? "").trim();
    else if (key === "format") fields.format = value ? cleanFormat(String(value)) : "";
    else fields[key] = value;
  }
  const guess = typeof fields.url === "string" ? guessFromUrl(fields.url) : undefined;
  if (isNew && !fields.format && guess) fields.format = guess[1];
  if (isNew && !fields.mimetype && guess) fields.mimetype = guess[0];
  return { fields, errors };
}
