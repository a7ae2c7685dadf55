/**
 * Part tuning (issue 11, "Adaptive parts"): the part size a new upload asks for, and how many parts
 * are in flight, tuned to the link from measured per-part timings.
 *
 * - `fixed` (`PART_TUNING=fixed`): today's behaviour exactly — the configured part size (or the
 *   portal's plan) and the configured parts in flight, never changed.
 * - `adaptive` (default): starts at the configured size and parts in flight (5 MiB × 4 by default).
 *   - Parts in flight: after each window of stored parts the goodput (bytes stored / ms) is compared
 *     with the best so far; while it rises by at least `riseFraction` (10 %), two more parts go in
 *     flight (cap `maxConcurrency`, 16); the first window that does not rise settles on the best level.
 *     Each window starts once the lanes opened by the last change have stored a part each (warm-up).
 *   - Part size: fixed once a session exists (its first stored part fixes it, and a resumed session
 *     keeps the size it was planned with — the portal's session says so), so it is only chosen for a
 *     new session, by {@link PartTuner.partSizeFor}. Round trips (a CORS preflight and the request's
 *     own round trip) should cost ≤ 10 % of a part's time: part bytes ≥ 9 × overhead × lane rate. The
 *     overhead and the lane rate come from the parts this tuner has timed (`onPartDone`; a tuner
 *     shared by several files learns from the earlier ones) when their sizes differ enough to tell
 *     them apart; before that, from a reference long-distance link (150 ms RTT, one connection
 *     carrying a 4 MiB TCP window per round trip ≈ 28 MB/s, two round trips per part: ≈ 72 MiB).
 *     The result is kept between the configured size and 64 MiB (the hasher holds a part in memory),
 *     at most size / 32 (≥ 32 parts, so the last round of parts leaves few lanes idle), and within
 *     S3's limits: ≥ ceil(size / 10,000) so no upload needs more than 10,000 parts, 5 MiB to 5 GiB per
 *     part, rounded up to a whole MiB. Source: AWS, "Amazon S3 multipart upload limits"
 *     (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html); see `limits.ts`.
 *
 * Time comes from an injected clock, and every decision from the timings it is given, so the tuner
 * is unit-tested with synthetic timings (tests/unit/uploader-tuning.test.ts).
 */
import { MAX_PARTS, MIN_PART_SIZE, MiB } from "./limits";

/** `PART_TUNING`: `adaptive` tunes to the link, `fixed` keeps the configured part size and parts in flight. */
export type PartTuningMode = "adaptive" | "fixed";
export const PART_TUNING_MODES = ["adaptive", "fixed"] as const;

/** Most parts in flight the adaptive mode goes to. */
export const MAX_TUNED_CONCURRENCY = 16;
/** Largest part the adaptive mode asks for unless S3's 10,000-part limit needs more (bytes): a part is held in memory while hashed. */
export const MAX_TUNED_PART_SIZE = 64 * MiB;
/** Fewest parts the adaptive mode aims for (so the last round of parts leaves few lanes idle). */
export const MIN_TUNED_PARTS = 32;
/** Largest share of a part's time round trips may cost (10 %). */
export const ROUND_TRIP_SHARE = 0.1;
/**
 * The reference link for the part size before anything was measured: per-part overhead (ms, a CORS
 * preflight + the request's round trip at 150 ms RTT) and one connection's rate (bytes/ms, a 4 MiB
 * window per 150 ms round trip).
 */
export const REFERENCE_LINK = { overheadMs: 2 * 150, bytesPerMs: (4 * MiB) / 150 } as const;

/** What the tuner decides and learns; one per file, or one shared by several files. */
export interface PartTuner {
  readonly mode: PartTuningMode;
  /**
   * Part size (bytes) a new session of a file of `size` bytes should ask for, or `undefined` to leave
   * it to the portal (fixed mode without a configured size). Never used for a resumed session.
   * `configured`: the configured preference (bytes), if any.
   */
  partSizeFor(size: number, configured?: number): number | undefined;
  /** Parts in flight now (≥ 1). The part pool reads it before starting each part. */
  concurrency(): number;
  /** A part of `bytes` was stored `ms` after its PUT started (retries included). */
  onPartDone(bytes: number, ms: number): void;
  /** The per-part overhead (ms) and one lane's rate (bytes/ms) measured so far, if they could be told apart. */
  linkEstimate(): { overheadMs: number; bytesPerMs: number } | undefined;
}

/** Options of {@link createPartTuner}. */
export interface PartTunerOptions {
  /** Default `adaptive`. */
  mode?: PartTuningMode;
  /** Parts in flight to start with (the configured value). Default 4. */
  concurrency?: number;
  /** Most parts in flight (adaptive). Default 16. */
  maxConcurrency?: number;
  /** Parts added when goodput rose. Default 2. */
  step?: number;
  /** Goodput must rise by at least this fraction to count as rising. Default 0.1. */
  riseFraction?: number;
  /** Time source, ms. Default `Date.now`. */
  now?: () => number;
}

const roundUpToMiB = (bytes: number) => Math.ceil(bytes / MiB) * MiB;

/**
 * The part size of the adaptive mode for a file of `size` bytes (see the module comment), from the
 * measured `link` or the reference link. Bytes, a whole number of MiB, within S3's limits.
 */
export function adaptivePartSize(size: number, configured: number | undefined, link: { overheadMs: number; bytesPerMs: number } = REFERENCE_LINK): number {
  const base = Math.max(configured ?? MIN_PART_SIZE, MIN_PART_SIZE);
  const roundTripsFit = ((1 - ROUND_TRIP_SHARE) / ROUND_TRIP_SHARE) * link.overheadMs * link.bytesPerMs; // b/r ≥ 9·o
  const wanted = Math.min(roundTripsFit, MAX_TUNED_PART_SIZE, size / MIN_TUNED_PARTS);
  // Over MAX_PART_SIZE only for files beyond S3's 48.8 TiB (or a configured size over 5 GiB): planParts refuses those.
  return roundUpToMiB(Math.max(base, wanted, Math.ceil(size / MAX_PARTS)));
}

/**
 * Fits `ms = overhead + bytes / rate` to the timed parts (least squares) when their sizes differ by
 * at least 1.5×; `undefined` otherwise or when the fit is not physical (negative overhead or rate).
 */
export function fitLink(samples: ReadonlyArray<{ bytes: number; ms: number }>): { overheadMs: number; bytesPerMs: number } | undefined {
  if (samples.length < 3) return undefined;
  const xs = samples.map((s) => s.bytes);
  if (Math.max(...xs) < 1.5 * Math.min(...xs)) return undefined;
  const n = samples.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = samples.reduce((a, s) => a + s.ms, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const s of samples) {
    sxy += (s.bytes - mx) * (s.ms - my);
    sxx += (s.bytes - mx) ** 2;
  }
  const slope = sxy / sxx; // ms per byte
  const overheadMs = my - slope * mx;
  if (!(slope > 0) || !(overheadMs >= 0)) return undefined;
  return { overheadMs, bytesPerMs: 1 / slope };
}

/** Creates a tuner (see the module comment). */
export function createPartTuner(opts: PartTunerOptions = {}): PartTuner {
  const mode = opts.mode ?? "adaptive";
  const start = Math.max(1, Math.floor(opts.concurrency ?? 4));
  const cap = Math.max(start, Math.floor(opts.maxConcurrency ?? MAX_TUNED_CONCURRENCY));
  const step = Math.max(1, Math.floor(opts.step ?? 2));
  const rise = opts.riseFraction ?? 0.1;
  const now = opts.now ?? (() => Date.now());
  const samples: Array<{ bytes: number; ms: number }> = [];

  let level = start;
  let settled = mode === "fixed";
  let best = 0;
  let bestLevel = start;
  let sinceChange = 0; // parts stored since the level last changed
  let windowStart = 0;
  let windowBytes = 0;
  let windowParts = 0;

  const change = (next: number) => {
    level = next;
    sinceChange = 0;
  };

  return {
    mode,
    partSizeFor(size, configured) {
      if (mode === "fixed") return configured;
      return adaptivePartSize(size, configured, fitLink(samples) ?? REFERENCE_LINK);
    },
    concurrency: () => level,
    linkEstimate: () => fitLink(samples),
    onPartDone(bytes, ms) {
      if (mode === "fixed") return;
      samples.push({ bytes, ms });
      if (samples.length > 64) samples.shift();
      if (settled) return;
      sinceChange++;
      if (sinceChange <= level) {
        // warm-up: the lanes of this level fill; the window starts with the level-th stored part
        if (sinceChange === level) {
          windowStart = now();
          windowBytes = 0;
          windowParts = 0;
        }
        return;
      }
      windowBytes += bytes;
      windowParts++;
      const elapsed = now() - windowStart;
      if (windowParts < level || elapsed <= 0) return;
      const goodput = windowBytes / elapsed;
      if (goodput >= best * (1 + rise)) {
        best = goodput;
        bestLevel = level;
        if (level >= cap) settled = true;
        else change(Math.min(cap, level + step));
      } else {
        settled = true;
        change(bestLevel);
      }
    },
  };
}

/**
 * One tuner shared by several files that also share one pool of part slots (the page's upload queue,
 * the CLI's `--files-in-flight`): every part reported to it may change the tuned parts in flight, and
 * the shared slots' limit follows at once (`slots.setLimit`), so the total in flight is what the link
 * takes, not the configured value times the files. Returns the same tuner interface, to be passed as
 * the `tuner` option of every file's {@link createFileUpload}.
 */
export function tuneSharedSlots(tuner: PartTuner, slots: { setLimit(n: number): void }): PartTuner {
  slots.setLimit(tuner.concurrency());
  return {
    mode: tuner.mode,
    partSizeFor: (size, configured) => tuner.partSizeFor(size, configured),
    concurrency: () => tuner.concurrency(),
    onPartDone(bytes, ms) {
      tuner.onPartDone(bytes, ms);
      slots.setLimit(tuner.concurrency());
    },
    linkEstimate: () => tuner.linkEstimate(),
  };
}
