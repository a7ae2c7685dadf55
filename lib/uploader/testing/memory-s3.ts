/**
 * A scripted in-memory "S3" that is also a {@link Transport}: part PUTs store
 * real bytes, answer an ETag (MD5, like S3), and can be told to fail in every
 * way the network and S3 fail. For engine tests (Node or a browser), no network.
 *
 * For SigV4-authenticated requests it also checks what a real store checks,
 * for both auth styles:
 * - presigned query (`X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
 *   `X-Amz-SignedHeaders` in the URL; the portal signer);
 * - header auth (`Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
 *   Signature=…` plus an `x-amz-date` header; the `sts` signer), valid for
 *   15 minutes either side of the server's clock.
 * Checked: the signing time against its own clock (RequestTimeTooSkewed),
 * presigned expiry, expired credentials (ExpiredToken) and that checksum
 * headers are sent exactly when signed. Signatures themselves are not verified.
 */
import { crc32, md5, sha256 } from "hash-wasm";
import { hexToBase64 } from "../checksum";
import { UploadEngineError, abortReason } from "../errors";
import { startStallWatchdog } from "../stall-watchdog";
import type { Transport, TransportRequest, TransportResponse } from "../transport";

/** A scripted failure of one PUT. */
export type Fault =
  /** Answer this status with an S3 XML error (`code`, `message`, `serverTime`). */
  | { kind: "status"; status: number; code?: string; message?: string }
  /** Send half the body, then the connection drops (network error). */
  | { kind: "reset" }
  /** Never progress: the stall watchdog must fire (`timeout`). */
  | { kind: "stall" }
  /** Store the part but hide the ETag header (CORS without ExposeHeaders: ETag). */
  | { kind: "strip-etag" }
  /** Hold the request in flight for `ms` ms (half the body sent), then answer normally. */
  | { kind: "delay"; ms: number }
  /** Mark the request's access key expired and answer 400 ExpiredToken. */
  | { kind: "expire-credentials" };

/** What a fault script sees about a PUT. */
export interface PutInfo {
  partNumber: number;
  uploadId: string;
  /** 1-based count of PUTs for this part so far, this one included. */
  attempt: number;
  /** 1-based count of all PUTs. */
  index: number;
  url: URL;
  headers: Record<string, string>;
}

/** One PUT as seen by the store. */
export interface PutRecord extends PutInfo {
  outcome: "stored" | "failed" | "aborted";
  status?: number;
}

/** Options of {@link MemoryS3}. */
export interface MemoryS3Options {
  /** Server time in ms. Default `Date.now`. */
  now?: () => number;
  /** Decides a fault per PUT; undefined = answer normally. */
  faults?: (put: PutInfo) => Fault | undefined;
  /** Accept checksum headers without verifying or echoing them, as Ceph RGW 16 does (CASES 21). Default false. */
  ignoreChecksums?: boolean;
}

const FIFTEEN_MINUTES = 15 * 60_000;

function errorXml(code: string, message: string, extra = ""): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>fake</RequestId></Error>`;
}

function amzDate(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
}

/** The SigV4 authentication of a request, whichever style carried it. */
interface SigV4Auth {
  style: "query" | "header";
  accessKey: string;
  /** The signing time as sent (`YYYYMMDDTHHMMSSZ`), or undefined when absent. */
  dateText: string | undefined;
  /** Lower-case names of the signed headers. */
  signedHeaders: string[];
  /** Presigned lifetime in seconds (query style only). */
  expiresSeconds?: number;
}

/** Lower-cases header names. */
function lowerHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Reads SigV4 auth from a presigned URL or an Authorization header; undefined = unsigned request. */
function sigV4Auth(url: URL, headers: Record<string, string>): SigV4Auth | undefined {
  const q = url.searchParams;
  const credential = q.get("X-Amz-Credential");
  if (credential) {
    return {
      style: "query",
      accessKey: credential.split("/")[0],
      dateText: q.get("X-Amz-Date") ?? undefined,
      signedHeaders: (q.get("X-Amz-SignedHeaders") ?? "").split(";").filter(Boolean),
      expiresSeconds: Number(q.get("X-Amz-Expires")),
    };
  }
  const lower = lowerHeaders(headers);
  const authorization = lower.authorization;
  if (authorization === undefined) return undefined;
  const scheme = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(authorization);
  const fields = new Map<string, string>();
  for (const part of (scheme?.[1] ?? "").split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return {
    style: "header",
    // An unknown scheme or no Credential leaves the access key empty: malformed.
    accessKey: scheme ? (fields.get("Credential") ?? "").split("/")[0] : "",
    dateText: lower["x-amz-date"],
    signedHeaders: (fields.get("SignedHeaders") ?? "").split(";").filter(Boolean),
  };
}

/** The in-memory store and transport. */
export class MemoryS3 implements Transport {
  readonly uploads = new Map<string, Map<number, { bytes: Uint8Array; etag: string }>>();
  readonly objects = new Map<string, Uint8Array>();
  readonly puts: PutRecord[] = [];
  readonly expiredAccessKeys = new Set<string>();
  inFlight = 0;
  maxInFlight = 0;
  private readonly attempts = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly opts: MemoryS3Options = {}) {
    this.now = opts.now ?? Date.now;
  }

  /** CreateMultipartUpload. */
  createUpload(uploadId: string): void {
    this.uploads.set(uploadId, new Map());
  }

  /** AbortMultipartUpload: drops the stored parts. */
  abortUpload(uploadId: string): void {
    this.uploads.delete(uploadId);
  }

  /** CompleteMultipartUpload: concatenates the listed parts after checking their ETags. */
  complete(uploadId: string, key: string, parts: Array<{ partNumber: number; etag: string }>): Uint8Array {
    const stored = this.uploads.get(uploadId);
    if (!stored) throw new Error(`NoSuchUpload ${uploadId}`);
    const chunks = [...parts].sort((a, b) => a.partNumber - b.partNumber).map((p) => {
      const part = stored.get(p.partNumber);
      if (!part || part.etag !== p.etag) throw new Error(`InvalidPart ${p.partNumber}`);
      return part.bytes;
    });
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const c of chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    this.objects.set(key, out);
    this.uploads.delete(uploadId);
    return out;
  }

  /** PUTs of one part, in order. */
  putsOf(partNumber: number): PutRecord[] {
    return this.puts.filter((p) => p.partNumber === partNumber);
  }

  async put(req: TransportRequest, signal: AbortSignal): Promise<TransportResponse> {
    if (signal.aborted) throw abortReason(signal);
    const url = new URL(req.url);
    const partNumber = Number(url.searchParams.get("partNumber"));
    const uploadId = url.searchParams.get("uploadId") ?? "";
    const attemptKey = `${uploadId}#${partNumber}`;
    const attempt = (this.attempts.get(attemptKey) ?? 0) + 1;
    this.attempts.set(attemptKey, attempt);
    const info: PutInfo = { partNumber, uploadId, attempt, index: this.puts.length + 1, url, headers: { ...req.headers } };
    const record: PutRecord = { ...info, outcome: "failed" };
    this.puts.push(record);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const res = await this.handle(req, info, signal);
      record.status = res.status;
      if (res.status === 200) record.outcome = "stored";
      return res;
    } catch (error) {
      if (signal.aborted) record.outcome = "aborted";
      throw error;
    } finally {
      this.inFlight--;
    }
  }

  private async handle(req: TransportRequest, info: PutInfo, signal: AbortSignal): Promise<TransportResponse> {
    const fault = this.opts.faults?.(info);
    const size = req.body.size;
    const wait = (ms: number, stall: boolean) =>
      new Promise<void>((resolve, reject) => {
        const timer = ms >= 0 ? setTimeout(done, ms) : undefined;
        const dog = stall ? startStallWatchdog(req.stallTimeoutMs, () => fail(new UploadEngineError("timeout", "stalled", { retryable: true }))) : undefined;
        const onAbort = () => fail(abortReason(signal));
        signal.addEventListener("abort", onAbort, { once: true });
        function done() {
          cleanup();
          resolve();
        }
        function fail(e: unknown) {
          cleanup();
          reject(e);
        }
        function cleanup() {
          if (timer !== undefined) clearTimeout(timer);
          dog?.stop();
          signal.removeEventListener("abort", onAbort);
        }
      });
    if (fault?.kind === "stall") await wait(-1, true);
    if (fault?.kind === "reset") {
      req.onProgress(Math.floor(size / 2));
      await wait(0, false);
      throw new UploadEngineError("network", "connection reset", { retryable: true });
    }
    if (fault?.kind === "delay") {
      req.onProgress(Math.floor(size / 2));
      await wait(fault.ms, false);
    }
    const rejection = this.checkAuth(info, fault);
    if (rejection) return rejection;
    if (fault?.kind === "status") return this.answer(fault.status, errorXml(fault.code ?? "InternalError", fault.message ?? "fault"));
    const bytes = new Uint8Array(await req.body.arrayBuffer());
    if (signal.aborted) throw abortReason(signal);
    const checksumError = this.opts.ignoreChecksums ? undefined : await this.checkChecksum(info, bytes);
    if (checksumError) return checksumError;
    const upload = this.uploads.get(info.uploadId);
    if (!upload) return this.answer(404, errorXml("NoSuchUpload", "The specified upload does not exist."));
    const etag = `"${await md5(bytes)}"`;
    upload.set(info.partNumber, { bytes, etag });
    req.onProgress(size);
    // Like S3, echo the verified checksum (unless this store is told to ignore checksums, like Ceph RGW 16).
    const sent = lowerHeaders(info.headers);
    const echo = this.opts.ignoreChecksums ? {} : Object.fromEntries(["x-amz-checksum-crc32c", "x-amz-checksum-sha256"].filter((h) => sent[h]).map((h) => [h, sent[h]]));
    return this.answer(200, "", fault?.kind === "strip-etag" ? echo : { etag, ...echo });
  }

  private checkAuth(info: PutInfo, fault: Fault | undefined): TransportResponse | undefined {
    const auth = sigV4Auth(info.url, info.headers);
    if (!auth) return undefined; // not a SigV4-signed request
    if (!auth.accessKey) {
      return this.answer(400, errorXml("AuthorizationHeaderMalformed", "The authorization header is malformed."));
    }
    if (fault?.kind === "expire-credentials") this.expiredAccessKeys.add(auth.accessKey);
    if (this.expiredAccessKeys.has(auth.accessKey)) return this.answer(400, errorXml("ExpiredToken", "The provided token has expired."));
    if (auth.dateText === undefined) {
      return this.answer(403, errorXml("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header"));
    }
    const signedAt = amzDate(auth.dateText);
    const now = this.now();
    if (!(Math.abs(now - signedAt) <= FIFTEEN_MINUTES)) {
      const extra = `<RequestTime>${auth.dateText}</RequestTime><ServerTime>${new Date(now).toISOString()}</ServerTime>`;
      return this.answer(403, errorXml("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", extra));
    }
    if (auth.style === "query" && signedAt + (auth.expiresSeconds ?? NaN) * 1000 < now) {
      return this.answer(403, errorXml("AccessDenied", "Request has expired"));
    }
    return undefined;
  }

  private async checkChecksum(info: PutInfo, bytes: Uint8Array): Promise<TransportResponse | undefined> {
    const auth = sigV4Auth(info.url, info.headers);
    const headers = lowerHeaders(info.headers);
    for (const name of ["x-amz-checksum-crc32c", "x-amz-checksum-sha256"]) {
      const sent = headers[name];
      if (auth && auth.signedHeaders.includes(name) !== (sent !== undefined)) {
        return this.answer(403, errorXml("SignatureDoesNotMatch", `${name} signed but not sent, or sent but not signed`));
      }
      if (sent === undefined) continue;
      const actual = hexToBase64(name.endsWith("crc32c") ? await crc32(bytes, 0x82f63b78) : await sha256(bytes));
      if (actual !== sent) return this.answer(400, errorXml("BadDigest", `The ${name} you specified did not match the calculated checksum.`));
    }
    return undefined;
  }

  private answer(status: number, bodyText: string, headers: Record<string, string> = {}): TransportResponse {
    const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    return { status, bodyText, headers: (name) => lower.get(name.toLowerCase()) ?? null };
  }
}
