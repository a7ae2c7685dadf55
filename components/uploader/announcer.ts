/**
 * What the upload page's polite live region says (plain TypeScript; uploader.tsx renders it in the page's
 * language). Fed every row change of the queue's store (components/uploader/upload-store.ts).
 *
 * - A few files (fewer than {@link SUMMARY_FROM_FILES} in the drop): each file's start, every 10 % of its
 *   progress and its outcome, as before.
 * - A bulk drop (issue 12: a drop of 100 files read every file's start, progress and outcome one after
 *   another): one summary instead — "12 of 100 files uploaded, 1 failed" — said when the drop turns bulk,
 *   then at most every {@link SUMMARY_INTERVAL_MS} while files finish (the latest figure is always said,
 *   at the end of the interval), and at once when the last file of the drop has finished. Per-file
 *   starts, progress and outcomes are not announced then (a failed row's own `role="alert"` still speaks);
 *   what asks the user for something — a resume offer, another tab's upload, a pause, the end of the
 *   sign-in — is still said per file.
 *
 * A "drop" (batch) is the rows added while earlier ones are still pending; it ends when none of its rows
 * is pending any more (uploading, queued, paused, offered for resume, or in another tab), and the next
 * added or restarted row begins a new one.
 */
import type { UploadErrorInfo } from "@/lib/uploader";
import type { UploadItem } from "./use-upload-queue";

/** One thing for the live region to say. */
export type Announcement =
  | { kind: "uploading"; name: string; percent: number }
  | { kind: "completed" | "offer" | "elsewhere" | "cancelled" | "paused" | "signedOut"; name: string }
  | { kind: "failed" | "registrationPending"; name: string; error: UploadErrorInfo | null }
  /** A bulk drop: `uploaded` (completed) and `failed` of `total` files (cancelled ones not counted). */
  | { kind: "summary"; uploaded: number; total: number; failed: number };

/** A drop of at least this many files is announced as a summary. */
export const SUMMARY_FROM_FILES = 5;
/** A bulk drop's summary is said at most this often (ms), and the last one at once. */
export const SUMMARY_INTERVAL_MS = 5000;

/** Time for the summary's throttle (injectable for tests). */
export interface AnnouncerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: AnnouncerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** States in which a row of a drop is not done yet. */
const PENDING: ReadonlySet<UploadItem["state"]> = new Set(["queued", "preparing", "uploading", "paused", "completing", "offer", "elsewhere"]);
/** Per-file announcements that the summary replaces in a bulk drop. */
const SUMMARISED: ReadonlySet<Announcement["kind"]> = new Set(["uploading", "completed", "cancelled", "failed", "registrationPending"]);

/**
 * An announcer: call `change(rows)` for every change of the store, with each changed row and its previous
 * value (undefined for a new row; rows added or changed together come in one call); `announce` receives
 * what the live region should say now. `dispose()` stops its timer.
 */
export function createAnnouncer(opts: { announce(a: Announcement): void; clock?: AnnouncerClock; summaryFrom?: number; intervalMs?: number }) {
  const clock = opts.clock ?? systemClock;
  const summaryFrom = opts.summaryFrom ?? SUMMARY_FROM_FILES;
  const intervalMs = opts.intervalMs ?? SUMMARY_INTERVAL_MS;
  const lastKey = new Map<string, string>();
  const lastSignedOut = new Map<string, boolean>();
  // The current drop: its rows' states, and counts kept as they change (O(1) per change).
  const batch = new Map<string, UploadItem["state"]>();
  const n = { pending: 0, completed: 0, failed: 0, cancelled: 0 };
  let bulk = false;
  let lastSummaryAt = -Infinity;
  let timer: unknown;

  const count = (state: UploadItem["state"], sign: 1 | -1) => {
    if (PENDING.has(state)) n.pending += sign;
    if (state === "completed") n.completed += sign;
    if (state === "failed") n.failed += sign;
    if (state === "cancelled") n.cancelled += sign;
  };
  const summary = (): Announcement => ({ kind: "summary", uploaded: n.completed, total: batch.size - n.cancelled, failed: n.failed });
  const sayNow = () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    lastSummaryAt = clock.now();
    opts.announce(summary());
  };
  const saySoon = () => {
    if (timer !== undefined) return; // the timer says the latest figure
    const wait = lastSummaryAt + intervalMs - clock.now();
    if (wait <= 0) sayNow();
    else timer = clock.setTimeout(sayNow, wait);
  };

  /** Keeps the drop's counts; true when the summary's figures changed. */
  function track(item: UploadItem, previous: UploadItem | undefined): boolean {
    const known = batch.get(item.id);
    if (known === undefined) {
      if (!PENDING.has(item.state) && previous !== undefined) return false; // a row of an earlier drop that is done
      if (n.pending === 0) {
        // The earlier drop is over: this row begins a new one.
        batch.clear();
        Object.assign(n, { pending: 0, completed: 0, failed: 0, cancelled: 0 });
        bulk = false;
        if (timer !== undefined) clock.clearTimeout(timer);
        timer = undefined;
      }
      batch.set(item.id, item.state);
      count(item.state, 1);
      return true;
    }
    if (known === item.state) return false;
    batch.set(item.id, item.state);
    count(known, -1);
    count(item.state, 1);
    return true;
  }

  /** The per-file announcement of this change, if any (as before the summary). */
  function perFile(item: UploadItem): Announcement | null {
    const signedOut = !!item.signedOut && item.state !== "completed" && item.state !== "cancelled";
    if ((lastSignedOut.get(item.id) ?? false) !== signedOut) {
      lastSignedOut.set(item.id, signedOut);
      if (signedOut) return { kind: "signedOut", name: item.name };
    }
    const decile = Math.floor(item.progress.percent / 10) * 10;
    const key = item.state === "uploading" ? `uploading ${decile}` : item.state;
    if (lastKey.get(item.id) === key) return null;
    lastKey.set(item.id, key);
    switch (item.state) {
      case "uploading":
        return { kind: "uploading", name: item.name, percent: decile };
      case "failed":
        return { kind: item.registrationPending ? "registrationPending" : "failed", name: item.name, error: item.error };
      case "completed":
      case "offer":
      case "elsewhere":
      case "cancelled":
      case "paused":
        return { kind: item.state, name: item.name };
      default:
        return null;
    }
  }

  return {
    change(rows: ReadonlyArray<readonly [item: UploadItem, previous: UploadItem | undefined]>): void {
      let said: Announcement | null = null;
      let figures = false; // the drop's figures changed
      const wasBulk = bulk;
      for (const [item, previous] of rows) {
        const changed = track(item, previous);
        const own = perFile(item);
        const inDrop = batch.has(item.id);
        if (inDrop && !bulk && batch.size >= summaryFrom) bulk = true;
        if (bulk && inDrop) {
          figures ||= changed;
          if (own && !SUMMARISED.has(own.kind)) said = own;
        } else if (own) said = own;
      }
      // One thing said per change (a live region keeps only its last text): what asks the user for
      // something first, then the drop's figures.
      if (said) opts.announce(said);
      if (bulk && !wasBulk) sayNow(); // "0 of 100 files uploaded": the drop is announced as a whole from now on
      else if (bulk && figures && n.pending === 0) sayNow(); // the drop is over: the final figure at once
      else if (bulk && figures) saySoon();
    },
    dispose(): void {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
