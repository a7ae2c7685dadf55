/**
 * An in-memory portal ({@link PortalApi}) backed by a {@link MemoryS3}: it
 * plans, signs (mode `presigned`) or hands out fake STS credentials (mode
 * `sts`), records parts, and completes by assembling the recorded parts — so
 * a test proves that what was recorded is exactly what was uploaded.
 */
import { UploadEngineError } from "../errors";
import { planParts } from "../plan";
import type {
  CompleteInput,
  CompleteResult,
  CreateSessionInput,
  ExistingSession,
  PartChecksumEntry,
  PortalApi,
  RecordedPart,
  TemporaryCredentials,
  UploadSession,
} from "../portal-api";
import type { MemoryS3 } from "./memory-s3";

/** Options of {@link FakePortal}. */
export interface FakePortalOptions {
  s3: MemoryS3;
  /** Credential mode. Default `presigned`. */
  mode?: "sts" | "presigned";
  /** Part size in bytes, used as is (no 5 MiB minimum, to keep tests small). Default: `planParts`. */
  partSize?: number;
  /** Server time in ms. Default `Date.now`. */
  now?: () => number;
  /** Fail the first N complete calls with 503. Default 0. */
  failCompleteTimes?: number;
  /** Parts the session reports as already uploaded (resume). */
  recordedParts?: (uploadId: string | null) => RecordedPart[];
  /**
   * A portal from before the small-file fast path (issue 12): no `signedParts` in the start's answer,
   * `parts` sent with complete ignored, and complete with parts missing answers 409. Default false.
   */
  legacy?: boolean;
}

/** A call the engine made. */
export interface PortalCall {
  method: keyof PortalApi;
  args: unknown[];
}

const ENDPOINT = "http://127.0.0.1:9000";

/** The fake portal. Public fields are for assertions. */
export class FakePortal implements PortalApi {
  readonly calls: PortalCall[] = [];
  readonly recorded = new Map<number, RecordedPart>();
  session: UploadSession | undefined;
  object: Uint8Array | undefined;
  private keySerial = 0;
  private completeFailures = 0;
  private readonly now: () => number;
  private aborted = false;
  private size = 0;
  private lastModified: number | null = null;

  constructor(private readonly opts: FakePortalOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Calls of one method. */
  callsOf(method: keyof PortalApi): PortalCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  private credentials(): TemporaryCredentials {
    this.keySerial++;
    return {
      accessKeyId: `ASIAFAKE${this.keySerial}`,
      secretAccessKey: `secret-${this.keySerial}`,
      sessionToken: `token-${this.keySerial}`,
      expiration: new Date(this.now() + 3600_000).toISOString(),
    };
  }

  async createSession(input: CreateSessionInput): Promise<UploadSession> {
    this.calls.push({ method: "createSession", args: [input] });
    const plan = this.opts.partSize
      ? { partSize: this.opts.partSize, partCount: Math.ceil(input.size / this.opts.partSize) }
      : planParts(input.size);
    this.size = input.size;
    this.lastModified = input.lastModified;
    this.aborted = false;
    this.object = undefined;
    const uploadId = plan.partCount === 0 ? null : `2~${Math.random().toString(36).slice(2)}`;
    if (uploadId) this.opts.s3.createUpload(uploadId);
    const mode = this.opts.mode ?? "presigned";
    for (const p of this.opts.recordedParts?.(uploadId) ?? []) this.recorded.set(p.partNumber, p);
    this.session = {
      sessionId: "sess-1",
      bucket: "bucket",
      region: "us-east-1",
      endpoint: ENDPOINT,
      forcePathStyle: true,
      key: `datasets/${input.datasetId}/${input.fileName}`,
      uploadId,
      partSize: plan.partSize,
      partCount: plan.partCount,
      mode,
      credentials: mode === "sts" ? this.credentials() : null,
      recordedParts: [...this.recorded.values()],
    };
    // Small-file fast path: a presigned file of one part gets its URL (with partChecksum signed in) at once.
    if (mode === "presigned" && plan.partCount === 1 && !this.opts.legacy) {
      const checksums = input.partChecksum ? [{ partNumber: 1, ...input.partChecksum }] : undefined;
      this.session = { ...this.session, signedParts: this.signedUrls(this.session, [1], checksums) };
    }
    return this.session;
  }

  /** The last created session, as `GET /api/uploads/{id}` shows it after a reload (resume). */
  async getSession(sessionId: string): Promise<ExistingSession> {
    this.calls.push({ method: "getSession", args: [sessionId] });
    const s = this.session;
    if (!s || s.sessionId !== sessionId) throw new UploadEngineError("api", "Upload session not found.", { status: 404, apiCode: "not_found" });
    const { credentials: _c, serverTime: _t, signedParts: _p, ...rest } = s;
    return {
      ...rest,
      status: this.aborted ? "aborted" : this.object ? "completed" : "uploading",
      fileName: s.key.split("/").pop() ?? "",
      size: this.size,
      lastModified: this.lastModified,
      resumable: !this.aborted && !this.object,
      recordedParts: [...this.recorded.values()].sort((a, b) => a.partNumber - b.partNumber),
    };
  }

  async refreshCredentials(sessionId: string) {
    this.calls.push({ method: "refreshCredentials", args: [sessionId] });
    return { credentials: this.credentials() };
  }

  async signParts(sessionId: string, partNumbers: number[], checksums?: PartChecksumEntry[]) {
    this.calls.push({ method: "signParts", args: [sessionId, partNumbers, checksums] });
    return { parts: this.signedUrls(this.session as UploadSession, partNumbers, checksums) };
  }

  private signedUrls(s: UploadSession, partNumbers: number[], checksums?: PartChecksumEntry[]) {
    const expiresAt = this.now() + 15 * 60_000;
    return partNumbers.map((partNumber) => {
      const checksum = checksums?.find((c) => c.partNumber === partNumber);
      const headers: Record<string, string> = checksum
        ? { [`x-amz-checksum-${checksum.algorithm.toLowerCase()}`]: checksum.value, "x-amz-sdk-checksum-algorithm": checksum.algorithm }
        : {};
      const url = `${ENDPOINT}/${s.bucket}/${encodeURI(s.key)}?partNumber=${partNumber}&uploadId=${encodeURIComponent(s.uploadId ?? "")}&expires=${expiresAt}`;
      return { partNumber, url, headers, expiresAt: new Date(expiresAt).toISOString() };
    });
  }

  async recordParts(sessionId: string, parts: RecordedPart[]) {
    this.calls.push({ method: "recordParts", args: [sessionId, parts] });
    for (const p of parts) this.recorded.set(p.partNumber, p);
    return { bytesConfirmed: [...this.recorded.values()].reduce((n, p) => n + p.size, 0) };
  }

  async complete(sessionId: string, input: CompleteInput): Promise<CompleteResult> {
    this.calls.push({ method: "complete", args: [sessionId, input] });
    if (this.completeFailures < (this.opts.failCompleteTimes ?? 0)) {
      this.completeFailures++;
      throw new UploadEngineError("api", "S3 is unavailable", { status: 503, apiCode: "storage_unavailable", retryable: true });
    }
    const s = this.session as UploadSession;
    if (!this.opts.legacy) for (const p of input.parts ?? []) this.recorded.set(p.partNumber, p);
    for (let n = 1; n <= s.partCount; n++) {
      if (!this.recorded.has(n)) throw new UploadEngineError("api", `Cannot complete: part ${n} has not been uploaded.`, { status: 409, apiCode: "conflict" });
    }
    if (s.partCount === 0) this.object = new Uint8Array(0);
    else this.object = this.opts.s3.complete(s.uploadId as string, s.key, [...this.recorded.values()]);
    return { status: "completed", resourceId: "res-1", resourceUrl: `${ENDPOINT}/${s.bucket}/${s.key}`, ckanResourceUrl: "/dataset/x/resource/res-1" };
  }

  async abort(sessionId: string) {
    this.calls.push({ method: "abort", args: [sessionId] });
    if (this.session?.uploadId) this.opts.s3.abortUpload(this.session.uploadId);
    this.aborted = true;
    return { status: "aborted" };
  }
}
