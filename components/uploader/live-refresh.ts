"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";

/**
 * Re-renders the page's Server Components ("Existing resources" from CKAN, "Earlier uploads" from the
 * database) each time `finished` grows — the number of uploads that completed or were cancelled — with
 * `router.refresh()`: the same server code, permission checks and markup as a reload, while client
 * state (the upload rows, requests in flight, focus) is kept. At most one refresh per `minIntervalMs`
 * (default 2,000 ms): a drop of 1,000 small files does not ask CKAN 1,000 times; the last change is
 * always followed by a refresh.
 */
export function useRefreshWhenFinished(finished: number, minIntervalMs = 2000): void {
  const router = useRouter();
  const last = useRef(0);
  const seen = useRef(finished);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    if (finished <= seen.current) {
      seen.current = finished;
      return;
    }
    seen.current = finished;
    if (timer.current) return; // a refresh is already scheduled: it will show this change too
    const wait = Math.max(0, last.current + minIntervalMs - Date.now());
    timer.current = setTimeout(() => {
      timer.current = undefined;
      last.current = Date.now();
      router.refresh();
    }, wait);
  }, [finished, minIntervalMs, router]);
  useEffect(() => () => clearTimeout(timer.current), []);
}
