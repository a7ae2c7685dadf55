/**
 * Mode `sts`: sign UploadPart in the browser with the temporary, one-object
 * STS credentials the portal handed out, as SigV4 *headers* (Authorization,
 * x-amz-date, x-amz-security-token), like the AWS SDK does for its own calls.
 * Header signing (not a presigned query) matters: Ceph RGW authenticates a CORS
 * preflight whose URL carries presigned STS query parameters and answers 403,
 * so presigned STS URLs never get past the browser's preflight there.
 * The canonical request comes from @smithy/signature-v4, which encodes the query
 * exactly as SigV4 requires (RGW UploadIds start with `2~`; `~` stays as is).
 */
import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { type Clock, systemClock } from "./clock";
import { UploadEngineError, toUploadEngineError } from "./errors";
import { type ChecksumAlgorithm, type PartSigner, type RefreshReason, checksumHeaderName, checksumHeaders } from "./signer";

/** Temporary credentials; `expiration` is server time (ISO 8601 string or ms since epoch). */
export interface StsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string | number;
}

/** Options of {@link createStsSigner}. */
export interface StsSignerOptions {
  bucket: string;
  key: string;
  uploadId: string;
  region: string;
  /** S3 endpoint URL for S3-compatible stores; absent = AWS. */
  endpoint?: string | null;
  /** Path-style URLs. Default false (AWS virtual-hosted style); S3-compatible stores usually need true. */
  forcePathStyle?: boolean;
  /** The credentials from the session. */
  credentials: StsCredentials;
  /** Fetches fresh credentials (the portal's `/credentials` route). */
  refreshCredentials(): Promise<StsCredentials>;
  /** Refresh when less than this many ms of credential lifetime remain. Default 300,000 (5 min): a URL is never signed with credentials about to die. */
  refreshMarginMs?: number;
  /** Presigned URL lifetime in seconds. Default 900 (15 min), and never beyond the credentials' lifetime: a URL is used right after signing. */
  expiresInSeconds?: number;
  /** Local clock. Default the system clock. */
  clock?: Clock;
  /** Initial correction added to the local clock to get server time, in ms. Default 0; learnt from `RequestTimeTooSkewed`. */
  skewMs?: number;
  /**
   * Per-part checksum to sign and send. Default `"none"`: stores without
   * checksum support (CASES 21) get no checksum header at all. With CRC32C or
   * SHA256 the checksum given to `sign()` is part of the signature.
   */
  checksum?: ChecksumAlgorithm | "none";
}

/** The STS-mode signer, plus its clock correction (for tests and diagnostics). */
export interface StsSigner extends PartSigner {
  /** Current correction (server time − local time), in ms. */
  readonly skewMs: number;
}

const toMs = (expiration: string | number) => (typeof expiration === "number" ? expiration : Date.parse(expiration));

/** Creates the STS-mode signer. */
export function createStsSigner(opts: StsSignerOptions): StsSigner {
  const clock = opts.clock ?? systemClock;
  const marginMs = opts.refreshMarginMs ?? 5 * 60_000;
  const maxExpiresIn = opts.expiresInSeconds ?? 900;
  const algorithm = opts.checksum ?? "none";
  let skewMs = opts.skewMs ?? 0;
  let creds = opts.credentials;
  let fetchedAt = clock.now();
  let client = makeClient(creds);
  let refreshing: Promise<void> | undefined;

  function makeClient(c: StsCredentials): SignatureV4 {
    return new SignatureV4({
      service: "s3",
      region: opts.region,
      sha256: Sha256,
      // S3 signs the path as sent (encoded once), never double-encoded.
      uriEscapePath: false,
      applyChecksum: false,
      credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken },
    });
  }


  const serverNow = () => clock.now() + skewMs;

  function refreshNow(): Promise<void> {
    refreshing ??= opts
      .refreshCredentials()
      .then((fresh) => {
        if (!Number.isFinite(toMs(fresh.expiration))) throw new UploadEngineError("credentials", "The portal returned credentials without a valid expiration");
        creds = fresh;
        fetchedAt = clock.now();
        client = makeClient(fresh);
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  }

  async function ensureFresh(): Promise<void> {
    const left = toMs(creds.expiration) - serverNow();
    // Credentials fetched a moment ago are not refreshed again: with a badly wrong clock they may look stale until the skew is learnt.
    if (left >= marginMs || clock.now() - fetchedAt < 60_000) return;
    try {
      await refreshNow();
    } catch (error) {
      if (toMs(creds.expiration) - serverNow() > 60_000) return; // still usable: try again next part
      const e = toUploadEngineError(error);
      throw e.code === "invalid_state" ? new UploadEngineError("credentials", `Could not refresh upload credentials: ${e.message}`, { cause: error }) : e;
    }
  }

  return {
    get skewMs() {
      return skewMs;
    },
    async sign(partNumber, { checksum }) {
      await ensureFresh();
      const now = serverNow();
      const lifeLeft = Math.floor((toMs(creds.expiration) - now) / 1000);
      const expiresIn = Math.max(1, Math.min(maxExpiresIn, lifeLeft));
      const sent = algorithm !== "none" && checksum?.algorithm === algorithm ? checksum : undefined;
      const target = partTarget(opts);
      const request = new HttpRequest({
        method: "PUT",
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        path: target.path,
        query: { partNumber: String(partNumber), uploadId: opts.uploadId },
        headers: { host: target.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...checksumHeaders(sent) },
      });
      const signed = await client.sign(request, { signingDate: new Date(now) });
      // The browser sets Host itself (and refuses to let scripts set it).
      const { host: _host, ...headers } = signed.headers;
      const url = `${target.origin}${target.path}?partNumber=${partNumber}&uploadId=${encodeURIComponent(opts.uploadId)}`;
      // A header signature is accepted for 15 minutes after x-amz-date (SigV4); the engine signs just before each PUT.
      return { url, headers, expiresAt: clock.now() + expiresIn * 1000 };
    },
    async refresh(reason: RefreshReason) {
      if (reason.kind === "clock_skew" && reason.serverTime !== undefined) {
        skewMs = reason.serverTime - (reason.localTime ?? clock.now());
      } else if (reason.kind === "credentials") {
        await refreshNow();
      }
      // url_expired: every sign() makes a new URL; nothing to drop.
    },
  };
}

/** RFC 3986 encoding of one path segment, as S3's canonical URI expects (also `!'()*`). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Where a part goes: path style (`{endpoint}/{bucket}/{key}`) for forcePathStyle, virtual-hosted
 * (`{bucket}.{endpoint host}/{key}`) otherwise; AWS's regional endpoint when no endpoint is given.
 */
export function partTarget(
  opts: Pick<StsSignerOptions, "bucket" | "key" | "region" | "endpoint" | "forcePathStyle">,
): { origin: string; protocol: string; hostname: string; port?: number; host: string; path: string } {
  const endpoint = new URL(opts.endpoint || `https://s3.${opts.region}.amazonaws.com`);
  const keyPath = opts.key.split("/").map(encodeSegment).join("/");
  const pathStyle = opts.forcePathStyle ?? false;
  const hostname = pathStyle ? endpoint.hostname : `${opts.bucket}.${endpoint.hostname}`;
  const port = endpoint.port ? Number(endpoint.port) : undefined;
  const host = port ? `${hostname}:${port}` : hostname;
  const base = endpoint.pathname.replace(/\/+$/, "");
  const path = pathStyle ? `${base}/${encodeSegment(opts.bucket)}/${keyPath}` : `${base}/${keyPath}`;
  return { origin: `${endpoint.protocol}//${host}`, protocol: endpoint.protocol, hostname, port, host, path };
}
