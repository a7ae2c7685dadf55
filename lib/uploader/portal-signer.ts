/**
 * Mode `presigned`: the portal signs each UploadPart URL shortly before use,
 * in small batches (one round trip for several parts), for stores without STS
 * and for the embedded demo. Immune to a wrong client clock: expiry is judged
 * against the portal's own clock when it says what time it is.
 */
import { type Clock, systemClock } from "./clock";
import { UploadEngineError } from "./errors";
import type { PortalApi, SignedPartUrl } from "./portal-api";
import type { PartChecksum, PartSigner, RefreshReason, SignedPart } from "./signer";

/** Options of {@link createPortalSigner}. */
export interface PortalSignerOptions {
  api: PortalApi;
  sessionId: string;
  /** Most part numbers per sign request. Default 8 (concurrency 4 × 2): enough to sign ahead, few enough that URLs do not wait long. */
  batchSize?: number;
  /** Re-sign a cached URL that expires within this many ms. Default 60,000: a part PUT must start well before expiry. */
  resignMarginMs?: number;
  /** Local clock. Default the system clock. */
  clock?: Clock;
  /**
   * URLs the portal has already signed (small-file fast path: `signedParts` of the `POST /api/uploads`
   * answer), used before any `sign` call; `checksum` is the one they were signed with (a part sent with
   * a checksum uses such a URL only when its checksum is that one). `serverTime`: the answer's clock.
   */
  initial?: { parts: SignedPartUrl[]; checksum?: PartChecksum; serverTime?: string };
}

/** Creates the presigned-mode signer. */
export function createPortalSigner(opts: PortalSignerOptions): PartSigner {
  const clock = opts.clock ?? systemClock;
  const batchSize = Math.max(1, opts.batchSize ?? 8);
  const marginMs = opts.resignMarginMs ?? 60_000;
  /** Signed ahead, not yet handed out. A handed-out URL is used at once; a retry signs again. */
  const cache = new Map<number, SignedPart>();
  /** The checksum a cached URL was signed with (only URLs signed for one part with one). */
  const signedWith = new Map<number, PartChecksum>();
  const pending = new Map<number, Promise<void>>();
  let upcoming = new Set<number>();

  /** A URL is reused only with more than `leftMs` of its lifetime remaining. */
  const isFresh = (p: SignedPart, leftMs = marginMs) => p.expiresAt === undefined || p.expiresAt - clock.now() > leftMs;

  /** Caches URLs the portal signed; expiry (server time) converted to the local clock, whatever its error. */
  function remember(parts: SignedPartUrl[], serverTimeIso: string | undefined, checksum?: PartChecksum): void {
    const serverTime = serverTimeIso ? Date.parse(serverTimeIso) : NaN;
    const offset = Number.isFinite(serverTime) ? clock.now() - serverTime : 0;
    for (const part of parts) {
      const expires = Date.parse(part.expiresAt);
      cache.set(part.partNumber, {
        url: part.url,
        headers: { ...part.headers },
        expiresAt: Number.isFinite(expires) ? expires + offset : undefined,
      });
      if (checksum && parts.length === 1) signedWith.set(part.partNumber, checksum);
      else signedWith.delete(part.partNumber);
    }
  }

  async function fetchBatch(partNumbers: number[], checksum?: PartChecksum): Promise<void> {
    const checksums = checksum ? [{ partNumber: partNumbers[0], ...checksum }] : undefined;
    const res = await opts.api.signParts(opts.sessionId, partNumbers, checksums);
    remember(res.parts, res.serverTime, checksum);
  }

  if (opts.initial) remember(opts.initial.parts, opts.initial.serverTime, opts.initial.checksum);

  function request(partNumbers: number[], checksum?: PartChecksum): Promise<void> {
    const promise = fetchBatch(partNumbers, checksum).finally(() => {
      for (const n of partNumbers) if (pending.get(n) === promise) pending.delete(n);
    });
    for (const n of partNumbers) pending.set(n, promise);
    return promise;
  }

  function lookahead(partNumber: number): number[] {
    const batch = [partNumber];
    for (const n of upcoming) {
      if (batch.length >= batchSize) break;
      if (n === partNumber || pending.has(n)) continue;
      const cached = cache.get(n);
      if (!cached || !isFresh(cached)) batch.push(n);
    }
    return batch;
  }

  function take(partNumber: number): SignedPart | undefined {
    const cached = cache.get(partNumber);
    if (!cached) return undefined;
    cache.delete(partNumber);
    signedWith.delete(partNumber);
    // Just signed: usable even if the portal chose a lifetime shorter than the margin.
    if (!isFresh(cached, 0)) return undefined;
    upcoming.delete(partNumber);
    return cached;
  }

  return {
    queue(partNumbers) {
      upcoming = new Set(partNumbers);
    },
    async sign(partNumber, { checksum }) {
      if (checksum) {
        // A checksum is signed into the URL: sign exactly this part, with it — unless a fresh URL was
        // signed with this very checksum (the portal's answer to the session's start).
        const cached = cache.get(partNumber);
        const same = signedWith.get(partNumber);
        if (!(cached && same && same.algorithm === checksum.algorithm && same.value === checksum.value && isFresh(cached))) {
          cache.delete(partNumber);
          await request([partNumber], checksum);
        }
      } else {
        const inFlight = pending.get(partNumber);
        if (inFlight) await inFlight;
        // A URL signed with a checksum carries its headers: not for a part sent without one.
        if (signedWith.has(partNumber)) {
          cache.delete(partNumber);
          signedWith.delete(partNumber);
        }
        if (!cache.has(partNumber) || !isFresh(cache.get(partNumber) as SignedPart)) await request(lookahead(partNumber));
      }
      const signed = take(partNumber);
      if (!signed) throw new UploadEngineError("api", `The portal did not return a usable signed URL for part ${partNumber}`, { partNumber });
      return signed;
    },
    async refresh(reason: RefreshReason) {
      if (reason.partNumber === undefined) {
        cache.clear();
        signedWith.clear();
      } else {
        cache.delete(reason.partNumber);
        signedWith.delete(reason.partNumber);
      }
    },
  };
}
