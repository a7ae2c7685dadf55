"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";

type Action = "retry-registration" | "abort";

const LABEL: Record<Action, { button: string; busy: string; done: string; confirm?: string }> = {
  "retry-registration": { button: "Retry CKAN registration", busy: "Registering in CKAN…", done: "Registered in CKAN." },
  abort: { button: "Abort this upload", busy: "Aborting…", done: "Upload aborted; its stored parts were deleted.", confirm: "Abort this upload? Its uploaded parts are deleted from S3." },
};

/**
 * Admin actions on one session (buttons for the actions its status allows): POST to
 * `/api/admin/uploads/{id}/{action}`, then reload the page's data. Results and errors are announced
 * in an aria-live region.
 */
export function AdminActions({ sessionId, actions }: { sessionId: string; actions: Action[] }) {
  const router = useRouter();
  const [busy, setBusy] = useState<Action | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  if (actions.length === 0) return null;

  async function run(action: Action) {
    const l = LABEL[action];
    if (l.confirm && !window.confirm(l.confirm)) return;
    setBusy(action);
    setMessage({ text: l.busy, error: false });
    try {
      const res = await fetch(`/api/admin/uploads/${sessionId}/${action}`, { method: "POST" });
      const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
      if (!res.ok) setMessage({ text: body.error?.message ?? `Failed (HTTP ${res.status}).`, error: true });
      else setMessage({ text: l.done, error: false });
      router.refresh();
    } catch (err) {
      setMessage({ text: `The portal could not be reached: ${(err as Error).message}`, error: true });
    } finally {
      setBusy(null);
    }
  }

  return (
    <section aria-labelledby="admin-actions" className="rounded border border-slate-200 bg-white p-4">
      <h2 id="admin-actions" className="mb-2 text-lg font-semibold">Admin actions</h2>
      <p className="mb-3 text-sm text-slate-700">Each action is recorded in this session&apos;s timeline with your name.</p>
      <div className="flex gap-3">
        {actions.map((a) => (
          <button key={a} type="button" disabled={busy !== null} onClick={() => run(a)} className={a === "abort" ? "rounded border border-red-800 px-3 py-1.5 text-red-800 disabled:opacity-50" : "rounded bg-blue-800 px-3 py-1.5 text-white disabled:opacity-50"}>
            {LABEL[a].button}
          </button>
        ))}
      </div>
      <p role="status" aria-live="polite" className={`mt-2 text-sm ${message?.error ? "text-red-800" : "text-slate-800"}`}>{message?.text ?? ""}</p>
    </section>
  );
}
