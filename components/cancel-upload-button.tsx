"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

/**
 * "Cancel upload" on the owner's own failed uploads (/uploads): `POST /api/uploads/{id}/abort` deletes the
 * stored parts in S3 (AbortMultipartUpload) and marks the session cancelled. It needs no edit rights in
 * CKAN — cancelling only removes data — so an upload refused because CKAN withdrew access
 * (`permission_withdrawn`) can always be cleaned up by its owner. The result is announced (aria-live).
 */
export function CancelUploadButton({ sessionId, fileName }: { sessionId: string; fileName: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const cancel = async () => {
    if (!window.confirm(`Cancel the upload of ${fileName}? Its uploaded parts are deleted from storage.`)) return;
    setBusy(true);
    setMessage(null);
    try {
      const res = await fetch(`/api/uploads/${encodeURIComponent(sessionId)}/abort`, { method: "POST" });
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
      <button type="button" onClick={() => void cancel()} disabled={busy} className="rounded border border-red-800 px-2 py-0.5 text-xs text-red-800 hover:bg-red-50 disabled:opacity-60">
        {busy ? "Cancelling…" : "Cancel upload"}<span className="sr-only"> of {fileName}</span>
      </button>
      <span role="status" aria-live="polite" className="mt-1 block text-xs text-red-800">{message ?? ""}</span>
    </span>
  );
}
