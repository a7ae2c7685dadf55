import mime from "mime";
import { guessResourceFormat } from "@/lib/resource-format";

/** `type/subtype` with optional `; name=value` parameters, printable ASCII only (it travels as an HTTP header; RFC 9110 §8.3.1). */
const MEDIA_TYPE = /^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=("[\x20\x21\x23-\x7e]*"|[\w.+-]+))*$/;

/**
 * MIME type for an upload: the browser's `File.type` when it gave one, else looked up from the file
 * extension with the `mime` library, else `application/octet-stream`.
 */
export function resolveContentType(fileName: string, browserType?: string): string {
  const t = browserType?.trim();
  if (t && MEDIA_TYPE.test(t)) return t;
  return mime.getType(fileName) ?? "application/octet-stream";
}

/** CKAN resource `format` from the file name (and the stored MIME type): see {@link guessResourceFormat}. */
export function formatFromFileName(fileName: string, contentType?: string): string {
  return guessResourceFormat(fileName, contentType);
}
