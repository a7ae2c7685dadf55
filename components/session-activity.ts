/**
 * What keeps the sign-in alive (issue 10, CASES 31), shared by the page's parts: the number of
 * uploads running (set by the upload queue) and the time of the user's last input (set by the
 * keep-alive). Plain module state: one per page.
 */
let running = 0;
let lastActivityAt = Date.now();

/** The upload queue reports how many uploads are running. */
export function setUploadsRunning(count: number): void {
  running = Math.max(0, count);
}

/** True while at least one upload runs. */
export function uploadsRunning(): boolean {
  return running > 0;
}

/** The user did something (a key, a click, a scroll). */
export function markActivity(at = Date.now()): void {
  lastActivityAt = at;
}

/** When the user last did something, ms since the epoch. */
export function lastActivity(): number {
  return lastActivityAt;
}
