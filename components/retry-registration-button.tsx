"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

/**
 * "Retry registration" for a session that is stored in S3 but not yet registered in CKAN (CASES 13):
 * `POST /api/uploads/{id}/complete` retries only the CKAN `resource_create`; nothing is uploaded again.
 */
export function RetryRegistrationButton({ sessionId, fileName }: { sessionId: string; fileName: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const retry = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const res = await fetch(`/api/uploads/${encodeURIComponent(sessionId)}/complete`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      if (!res.ok) setMessage(body?.error?.message ?? `The portal answered HTTP ${res.status}.`);
      else router.refresh();
    } catch (err) {
      setMessage(`The portal could not be reached: ${String(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="mt-1 block">
      <button type="button" onClick={() => void retry()} disabled={busy} className="rounded border border-slate-400 px-2 py-0.5 text-xs hover:bg-slate-100 disabled:opacity-60">
        {busy ? "Registering…" : "Retry registration"}<span className="sr-only"> of <bdi>{fileName}</bdi></span>
      </button>
      {message && <span role="alert" className="mt-1 block text-xs text-red-800">{message}</span>}
    </span>
  );
}
