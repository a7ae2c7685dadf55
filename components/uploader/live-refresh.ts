"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useTransition } from "react";

/**
 * Re-renders the page's Server Components ("Existing resources" from CKAN, "Earlier uploads" from the
 * database) each time `finished` grows — the number of uploads that completed or were cancelled — with
 * `router.refresh()`: the same server code, permission checks and markup as a reload, while client
 * state (the upload rows, requests in flight, focus) is kept. The last change is always followed by a
 * refresh. Refreshes never overlap, and the next one starts at least `minIntervalMs` (default 2,000 ms)
 * and at least {@link REFRESH_COST_FACTOR} × the last refresh's own duration after it ended: a refresh
 * renders the whole page on the server and asks CKAN, so during a many-file drop on a busy server
 * (1.3 s per refresh measured under load, issue 12) refreshes take at most a fifth of the time instead of
 * competing with the uploads' own requests; on an idle server they follow every 2 s.
 */
export function useRefreshWhenFinished(finished: number, minIntervalMs = 2000): void {
  const router = useRouter();
  const [refreshing, startTransition] = useTransition();
  const nextAllowedAt = useRef(0);
  const startedAt = useRef(0);
  const seen = useRef(finished);
  const due = useRef(false); // a change not yet shown
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // A refresh ended: the next one may start after the interval, or after four times its cost.
  const wasRefreshing = useRef(false);
  useEffect(() => {
    if (wasRefreshing.current && !refreshing) {
      const ended = Date.now();
      nextAllowedAt.current = ended + Math.max(minIntervalMs, REFRESH_COST_FACTOR * (ended - startedAt.current));
    }
    wasRefreshing.current = refreshing;
  }, [refreshing, minIntervalMs]);

  useEffect(() => {
    if (finished > seen.current) due.current = true;
    seen.current = finished;
    if (!due.current || refreshing || timer.current) return; // a refresh under way or scheduled shows it later
    timer.current = setTimeout(() => {
      timer.current = undefined;
      due.current = false;
      startedAt.current = Date.now();
      nextAllowedAt.current = startedAt.current + minIntervalMs; // the floor, also if the refresh reports no pending state
      startTransition(() => router.refresh());
    }, Math.max(0, nextAllowedAt.current - Date.now()));
  }, [finished, refreshing, router, minIntervalMs]);
  useEffect(() => () => clearTimeout(timer.current), []);
}

/** The pause after a refresh is at least this many times as long as the refresh took. */
export const REFRESH_COST_FACTOR = 4;
