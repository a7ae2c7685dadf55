/**
 * The engine's only view of the portal: six JSON routes under `/api/uploads`.
 * `createPortalApi` (in `fetch-portal-api.ts`) implements it with `fetch`;
 * tests use an in-memory fake. Errors are `{error: {code, message}}` and
 * surface as `UploadEngineError` code `api` with `status` and `apiCode`.
 */
import type { PartChecksum } from "./signer";

export { createPortalApi, type PortalApiOptions } from "./fetch-portal-api";

/** Temporary STS credentials for one object (mode `sts`). */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** When they stop working, ISO 8601 (server time). */
  expiration: string;
}

/** Body of `POST /api/uploads`. */
export interface CreateSessionInput {
  datasetId: string;
  fileName: string;
  /** File size in bytes. */
  size: number;
  /** MIME type; `application/octet-stream` when the browser does not know. */
  contentType: string;
  /** The file's modification time, ms since epoch (with name and size: the resume fingerprint). */
  lastModified: number;
  /** Preferred part size in bytes; the portal decides (it returns `partSize`). */
  partSize?: number;
  /** CKAN resource name (default: the file name), description and format (default: guessed from the file). */
  name?: string;
  description?: string;
  format?: string;
  /** Replace the file of this CKAN resource of the dataset (it keeps its id). */
  replaceResourceId?: string;
  /** Confirms replacing a resource whose file the portal did not store (its URL then points to the new upload). */
  replaceExternal?: boolean;
  /**
   * A file of one part only (small-file fast path): that part's checksum. In presigned mode the portal
   * signs it into the part URL it answers with (`signedParts`). Ignored when the portal plans more parts.
   */
  partChecksum?: PartChecksum;
}

/** The session-creation fields that describe the CKAN resource (issue 12). */
export type ResourceSessionFields = Pick<CreateSessionInput, "name" | "description" | "format" | "replaceResourceId" | "replaceExternal">;

/** A part the portal has recorded (for resume and audit). */
export interface RecordedPart {
  partNumber: number;
  /** Part size in bytes. */
  size: number;
  /** The ETag S3 returned for the part, as returned (quotes included). */
  etag: string;
  checksum?: PartChecksum;
}

/** Answer to `POST /api/uploads`: where and how to upload. */
export interface UploadSession {
  sessionId: string;
  bucket: string;
  region: string;
  /** S3 endpoint URL for S3-compatible stores; absent/null = AWS. */
  endpoint?: string | null;
  /** Path-style URLs (`endpoint/bucket/key`), needed by most S3-compatible stores. */
  forcePathStyle: boolean;
  key: string;
  /** The multipart UploadId; null (or empty) for a 0-byte file, which is stored without a multipart upload. */
  uploadId: string | null;
  /** Part size in bytes (all parts but the last). */
  partSize: number;
  partCount: number;
  mode: "sts" | "presigned";
  /** Present in mode `sts`. */
  credentials?: TemporaryCredentials | null;
  /** Parts already uploaded in an earlier visit (resume): the engine skips them. */
  recordedParts?: RecordedPart[];
  /**
   * Mode `presigned`, a file of one part (small-file fast path): its presigned part URL, signed with
   * the `partChecksum` sent (if any), so no `sign` call is needed. Absent otherwise.
   */
  signedParts?: SignedPartUrl[];
  /** The portal's clock, ISO 8601 (body field or the `Date` header): an early clock-skew estimate. */
  serverTime?: string;
}

/** One presigned part URL from `POST /api/uploads/{id}/sign`. */
export interface SignedPartUrl {
  partNumber: number;
  url: string;
  /** Headers to send exactly as signed. */
  headers: Record<string, string>;
  /** ISO 8601, server time. */
  expiresAt: string;
}

/** Answer to `POST /api/uploads/{id}/sign`. */
export interface SignPartsResult {
  parts: SignedPartUrl[];
  /** The portal's clock, ISO 8601 (body field or `Date` header): lets the client judge expiry with a wrong clock. */
  serverTime?: string;
}

/** A part checksum sent to the sign route, so the portal signs it into the URL. */
export interface PartChecksumEntry extends PartChecksum {
  partNumber: number;
}

/** Body of `POST /api/uploads/{id}/complete`. */
export interface CompleteInput {
  /** The whole file's SHA-256, lowercase hex. */
  sha256?: string;
  /** Finished parts not yet reported (at most 1,000): recorded before completing. */
  parts?: RecordedPart[];
}

/** Answer to `POST /api/uploads/{id}/complete`. */
export interface CompleteResult {
  /** e.g. `completed`, or `uploaded` when CKAN registration must be retried (CASES 13). */
  status: string;
  resourceId?: string | null;
  resourceUrl?: string | null;
  ckanResourceUrl?: string | null;
  [key: string]: unknown;
}

/**
 * Answer to `GET /api/uploads/{id}`: an existing session, for resume after a
 * reload. Coordinates as in {@link UploadSession} (no credentials: fetch them
 * with `refreshCredentials`), plus its status and whether parts may still be sent.
 */
export interface ExistingSession extends Omit<UploadSession, "credentials" | "serverTime" | "signedParts"> {
  status: string;
  fileName: string;
  /** File size in bytes. */
  size: number;
  /** The file's modification time when the upload began, ms since epoch. */
  lastModified: number | null;
  /** False once the multipart upload is gone (cancelled, completed, expired). */
  resumable: boolean;
  recordedParts: RecordedPart[];
}

/** Per-call options. */
export interface PortalCallOptions {
  signal?: AbortSignal;
}

/** The portal routes the engine calls. */
export interface PortalApi {
  /** `POST /api/uploads`: checks permission, creates the multipart upload and session. */
  createSession(input: CreateSessionInput, opts?: PortalCallOptions): Promise<UploadSession>;
  /** `GET /api/uploads/{id}`: an existing session and its stored parts (resume). */
  getSession(sessionId: string, opts?: PortalCallOptions): Promise<ExistingSession>;
  /** `POST /api/uploads/{id}/credentials`: fresh STS credentials (mode `sts`). */
  refreshCredentials(sessionId: string, opts?: PortalCallOptions): Promise<{ credentials: TemporaryCredentials }>;
  /** `POST /api/uploads/{id}/sign` `{partNumbers, checksums?}`: presigned part URLs (mode `presigned`). */
  signParts(sessionId: string, partNumbers: number[], checksums?: PartChecksumEntry[], opts?: PortalCallOptions): Promise<SignPartsResult>;
  /**
   * `POST /api/uploads/{id}/parts` `{parts}`: records finished parts. On the
   * wire a part's `checksum` is its base64 value only (the algorithm is the
   * session's), as the route's schema expects a string.
   */
  recordParts(sessionId: string, parts: RecordedPart[], opts?: PortalCallOptions): Promise<{ bytesConfirmed: number }>;
  /**
   * `POST /api/uploads/{id}/complete` `{sha256?, parts?}`: CompleteMultipartUpload + CKAN registration.
   * Idempotent. `parts` are finished parts not yet sent with `recordParts`: the portal records them
   * first (one request instead of two for a small file); on the wire as in `recordParts`.
   */
  complete(sessionId: string, input: CompleteInput, opts?: PortalCallOptions): Promise<CompleteResult>;
  /** `POST /api/uploads/{id}/abort`: AbortMultipartUpload, session marked aborted. */
  abort(sessionId: string, opts?: PortalCallOptions): Promise<{ status: string }>;
}
