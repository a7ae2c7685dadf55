/**
 * `Content-Disposition: attachment` for a download of `fileName`, with both parameters browsers
 * understand (RFC 6266 §4.3): a quoted `filename` (ASCII fallback: characters outside printable
 * ASCII, `"`, `\` and `%` become `_`) and an RFC 5987/8187 `filename*=UTF-8''…` carrying the exact
 * name (CASES 6). Path separators never survive: browsers must save a bare name.
 * Example: `données été.xlsx` → `attachment; filename="donn_es _t_.xlsx"; filename*=UTF-8''donn%C3%A9es%20%C3%A9t%C3%A9.xlsx`.
 */
export function attachmentDisposition(fileName: string): string {
  const name = fileName.normalize("NFC").replace(/[\u0000-\u001f\u007f]/g, "").replace(/[\\/]/g, "_") || "download";
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

/** RFC 5987 `value-chars`: UTF-8 percent-encoding of everything but attr-char (ALPHA DIGIT !#$&+-.^_`|~). */
export function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
