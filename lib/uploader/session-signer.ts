/**
 * Picks and builds the signer for a session's credential mode: `sts` →
 * presign in the browser with the session's temporary credentials;
 * `presigned` → ask the portal.
 */
import type { Clock } from "./clock";
import { UploadEngineError } from "./errors";
import type { PortalApi, UploadSession } from "./portal-api";
import { createPortalSigner } from "./portal-signer";
import type { ChecksumAlgorithm, PartChecksum, PartSigner } from "./signer";
import type { StsCredentials } from "./sts-signer";

/** What {@link createSessionSigner} needs besides the session. */
export interface SessionSignerContext {
  api: PortalApi;
  clock: Clock;
  /** Parts in flight; the portal signer signs twice that many per request. */
  concurrency: number;
  checksum: ChecksumAlgorithm | "none";
  /** STS: refresh credentials this many ms before they expire. Default: the signer's (5 min). */
  refreshMarginMs?: number;
  /** Fetches fresh credentials with retries (mode `sts`). */
  refreshCredentials(): Promise<StsCredentials>;
  /** The `partChecksum` sent with the session's start: the one `session.signedParts` were signed with. */
  partChecksum?: PartChecksum;
}

/**
 * The clock correction (server − local, ms) implied by the portal's
 * `serverTime`, so a wrong client clock is right from the first part; 0 when
 * unknown. The reactive correction on `RequestTimeTooSkewed` still applies.
 */
export function initialSkew(session: UploadSession, localNow: number): number {
  const server = session.serverTime ? Date.parse(session.serverTime) : NaN;
  return Number.isFinite(server) ? server - localNow : 0;
}

/**
 * Builds the signer for `session.mode`. The STS signer (and with it the AWS
 * SDK) is loaded on demand, so presigned-mode pages never download the SDK.
 */
export async function createSessionSigner(session: UploadSession, ctx: SessionSignerContext, receivedAt: number): Promise<PartSigner> {
  if (session.mode === "presigned") {
    return createPortalSigner({
      api: ctx.api, sessionId: session.sessionId, batchSize: ctx.concurrency * 2, clock: ctx.clock,
      // Small-file fast path: the URL(s) the portal signed with its answer need no `sign` call.
      ...(session.signedParts?.length && { initial: { parts: session.signedParts, checksum: ctx.partChecksum, serverTime: session.serverTime } }),
    });
  }
  if (!session.uploadId) {
    throw new UploadEngineError("api", "The portal sent no multipart UploadId for a file with parts");
  }
  if (!session.credentials) {
    throw new UploadEngineError("api", "The portal chose credential mode \"sts\" but sent no credentials");
  }
  const { createStsSigner } = await import("./sts-signer");
  return createStsSigner({
    bucket: session.bucket,
    key: session.key,
    uploadId: session.uploadId,
    region: session.region,
    endpoint: session.endpoint,
    forcePathStyle: session.forcePathStyle,
    credentials: session.credentials,
    refreshCredentials: ctx.refreshCredentials,
    clock: ctx.clock,
    skewMs: initialSkew(session, receivedAt),
    checksum: ctx.checksum,
    ...(ctx.refreshMarginMs !== undefined && { refreshMarginMs: ctx.refreshMarginMs }),
  });
}
