/**
 * Several files at once (issue 12): which queued file starts next, and how many run together.
 * Shared by the page's queue (components/uploader/use-upload-queue.ts) and the command line.
 */

/**
 * Files uploading at once by default. Each file costs a few portal round trips of its own (create,
 * sign, report, complete: the part slots do not help there), so several files in flight keep small
 * files fast; the parts of all of them still share one limit (`createPartSlots`). Below the
 * portal's MAX_ACTIVE_UPLOADS_PER_USER default (32).
 */
export const DEFAULT_FILES_IN_FLIGHT = 6;

/** Files creating their portal session at once by default (`createGate`). */
export const DEFAULT_SESSION_STARTS = 4;

/**
 * Index of the queued file to start next: the smallest (fewest bytes to send), ties to the one
 * queued first — so a drop of mixed sizes finishes its small files first and a big file never holds
 * back the many small ones behind it. Entries marked `first` (a file restarting after
 * `file_changed`, a resume the user asked for) go before all others, in order. -1 when empty.
 */
export function nextFileIndex(queue: ReadonlyArray<{ size: number; first?: boolean }>): number {
  let best = -1;
  for (let i = 0; i < queue.length; i++) {
    const q = queue[i];
    if (q.first) return i;
    if (best < 0 || q.size < queue[best].size) best = i;
  }
  return best;
}

/** What a row (or a CLI line) says while a request waits out the portal's limit: "Waiting 12 s: upload limit". */
export function rateLimitLabel(delayMs: number): string {
  return `Waiting ${Math.max(1, Math.ceil(delayMs / 1000))} s: upload limit`;
}
