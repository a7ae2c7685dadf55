/**
 * Object key scheme: `{prefix}{organization}/{dataset}/{sessionId}/{safe file name}`.
 * The session id (a UUID) makes every key unique, so nothing is ever overwritten (CASES 7).
 */

/** Longest safe file-name segment, in UTF-8 bytes (S3 keys may be up to 1,024 bytes in all). */
export const MAX_SAFE_NAME_BYTES = 200;

const utf8 = new TextEncoder();

/**
 * Turns any user-supplied file name into one safe key segment: NFC-normalised, no path
 * separators or `..`, no control characters, no leading dots; letters of every script are kept
 * (S3 keys are UTF-8), characters that need URL escaping or confuse tools become `_`.
 * Never empty (falls back to `file`), at most {@link MAX_SAFE_NAME_BYTES} bytes, extension kept.
 * Examples: `report & notes #1?.csv` → `report_notes_1_.csv`; `../../etc/passwd` → `etc_passwd`.
 */
export function safeFileName(name: string): string {
  let s = name.normalize("NFC");
  s = s.replace(/[\u0000-\u001f\u007f]/g, "");
  s = s.split(/[\\/]+/).filter((seg) => seg !== "" && !/^[.\s]+$/.test(seg)).join("_");
  s = s.replace(/[^\p{L}\p{N}\p{M}._-]+/gu, "_");
  s = s.replace(/_+/g, "_").replace(/^[._-]+/, "").replace(/[_\s]+$/, "");
  s = s.replace(/\.{2,}/g, ".");
  if (s === "" || /^[._-]*$/.test(s)) s = "file";
  return truncateUtf8(s, MAX_SAFE_NAME_BYTES);
}

/** Truncates to at most `maxBytes` UTF-8 bytes, keeping the extension and never splitting a character. */
function truncateUtf8(s: string, maxBytes: number): string {
  if (utf8.encode(s).length <= maxBytes) return s;
  const dot = s.lastIndexOf(".");
  const ext = dot > 0 && s.length - dot <= 16 ? s.slice(dot) : "";
  const budget = maxBytes - utf8.encode(ext).length;
  let out = "";
  for (const ch of s.slice(0, s.length - ext.length)) {
    if (utf8.encode(out + ch).length > budget) break;
    out += ch;
  }
  return out.replace(/[._-]+$/, "") + ext;
}

/** A CKAN name (organization or dataset) as a key segment; CKAN names are already `[a-z0-9_-]`. */
function segment(name: string | null | undefined, fallback: string): string {
  const s = (name ?? "").replace(/[^A-Za-z0-9_-]+/g, "_").slice(0, 100);
  return s === "" ? fallback : s;
}

/** Builds the object key of one upload session. `prefix` is empty or ends with `/`. */
export function objectKey(input: {
  prefix: string;
  organization: string | null | undefined;
  dataset: string;
  sessionId: string;
  fileName: string;
}): string {
  return `${input.prefix}${segment(input.organization, "_no-organization")}/${segment(input.dataset, "dataset")}/${input.sessionId}/${safeFileName(input.fileName)}`;
}

/** The public URL of `key`: each segment percent-encoded (RFC 3986), `/` kept. */
export function encodeKeyPath(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}
