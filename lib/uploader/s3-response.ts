/**
 * Reading S3's answer to a part PUT: the ETag on success, a typed
 * {@link UploadEngineError} (with the XML `<Code>`, `<Message>` and
 * `<ServerTime>`) on failure.
 */
import { UploadEngineError } from "./errors";
import { classify } from "./retry";
import type { TransportResponse } from "./transport";

/** The fields of an S3 XML error body the engine uses. */
export interface S3ErrorBody {
  code?: string;
  message?: string;
  /** `<ServerTime>` of `RequestTimeTooSkewed`, ms since epoch. */
  serverTime?: number;
}

function tag(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return match ? decodeXml(match[1].trim()) : undefined;
}

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Parses an S3 XML error body; tolerant of missing fields and non-XML bodies. Regex-based: no DOMParser in Workers/Node. */
export function parseS3Error(bodyText: string): S3ErrorBody {
  const code = tag(bodyText, "Code");
  const message = tag(bodyText, "Message");
  const serverTimeText = tag(bodyText, "ServerTime");
  const serverTime = serverTimeText ? Date.parse(serverTimeText) : NaN;
  return { code, message, serverTime: Number.isFinite(serverTime) ? serverTime : undefined };
}

/** The message shown when the ETag header cannot be read. Names the fix (CASES 19). */
export const MISSING_ETAG_MESSAGE =
  "The storage accepted a part but the browser could not read its ETag header. " +
  "The bucket's CORS rule must list ETag in ExposeHeaders (e.g. \"ExposeHeaders\": [\"ETag\"]); " +
  "ask the portal administrator to fix the bucket CORS configuration.";

/** S3 error codes (and statuses) that mean the store will not keep these bytes: full, over quota, too large. */
export const STORAGE_REFUSED_S3_CODES = new Set(["EntityTooLarge", "QuotaExceeded", "InsufficientStorage", "StorageFull", "NoSpaceLeft"]);

/**
 * S3 error codes that say the credentials or the signature were refused. The engine refreshes once
 * (new credentials, a new URL) before it believes them (source: AWS S3 "Error responses").
 */
export const CREDENTIALS_REFUSED_S3_CODES = new Set(["AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken"]);

/**
 * Returns the part's ETag from a PUT response, or throws.
 * @throws UploadEngineError `http` (with `s3Code`, `serverTime`) for a non-2xx status,
 *   `checksum_mismatch` for S3 `BadDigest`, `missing_etag` when a 2xx has no readable ETag.
 */
export function readPartEtag(res: TransportResponse, partNumber: number): string {
  if (res.status < 200 || res.status > 299) throw partHttpError(res, partNumber);
  const etag = res.headers("etag")?.trim();
  if (!etag || etag === "undefined" || etag === "null") {
    throw new UploadEngineError("missing_etag", MISSING_ETAG_MESSAGE, { partNumber, status: res.status });
  }
  return etag;
}

/** Builds the error for a failed part PUT from its status, XML body and `Date` header. */
export function partHttpError(res: TransportResponse, partNumber: number): UploadEngineError {
  const body = parseS3Error(res.bodyText);
  const dateHeader = res.headers("date");
  const headerTime = dateHeader ? Date.parse(dateHeader) : NaN;
  const serverTime = body.serverTime ?? (Number.isFinite(headerTime) ? headerTime : undefined);
  const what = body.code ? `${body.code}: ${body.message ?? ""}`.trim() : `HTTP ${res.status}`;
  const refused = res.status === 507 || (body.code !== undefined && STORAGE_REFUSED_S3_CODES.has(body.code));
  const code = body.code === "BadDigest" ? "checksum_mismatch" : refused ? "storage_refused" : "http";
  const message = refused
    ? `The storage refused to keep part ${partNumber} (${res.status} ${what}): the bucket is full, over its quota, or does not accept parts this large. ` +
      "The parts sent so far are kept; ask the portal administrator to free space or raise the quota, then press Retry."
    : `Part ${partNumber} was rejected by the storage (${res.status} ${what})`;
  const details = { status: res.status, s3Code: body.code, serverTime, partNumber };
  const retryable = classify(new UploadEngineError(code, message, details)) !== "fatal";
  return new UploadEngineError(code, message, { ...details, retryable });
}
