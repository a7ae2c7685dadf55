"use client";

import { useEffect } from "react";
import { lastActivity, markActivity, uploadsRunning } from "./session-activity";

/**
 * Renews the portal sign-in while it is in use (issue 10, CASES 31): every `intervalMs` it calls
 * `GET /api/auth/session` — which makes next-auth re-issue the session cookie for another
 * SESSION_IDLE_MINUTES — if an upload runs on this page or the user did something since the last
 * renewal. A page left alone is not renewed, so the idle timeout still ends forgotten sessions; no
 * renewal passes SESSION_MAX_AGE_HOURS since sign-in (lib/auth.ts). Renders nothing.
 */
export function SessionKeepAlive({ intervalMs }: { intervalMs: number }) {
  useEffect(() => {
    let lastRenewal = Date.now();
    const onActivity = () => markActivity();
    const events = ["pointerdown", "keydown", "wheel", "touchstart", "input"] as const;
    for (const e of events) window.addEventListener(e, onActivity, { passive: true, capture: true });
    const timer = setInterval(() => {
      if (!uploadsRunning() && lastActivity() <= lastRenewal) return;
      lastRenewal = Date.now();
      void fetch("/api/auth/session", { credentials: "same-origin", cache: "no-store", headers: { accept: "application/json" } }).catch(() => undefined);
    }, intervalMs);
    return () => {
      clearInterval(timer);
      for (const e of events) window.removeEventListener(e, onActivity, { capture: true });
    };
  }, [intervalMs]);
  return null;
}
