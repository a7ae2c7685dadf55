"use client";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { apiErrorMessage, type ApiErrorLike } from "@/lib/i18n/api-errors";

type Action = "retry-registration" | "abort";

/** Message keys (namespace `adminActions`) of each action's button, progress, result and confirmation. */
const LABEL = {
  "retry-registration": { button: "retryButton", busy: "retryBusy", done: "retryDone", confirm: null },
  abort: { button: "abortButton", busy: "abortBusy", done: "abortDone", confirm: "abortConfirm" },
} as const;

/**
 * Admin actions on one session (buttons for the actions its status allows): POST to
 * `/api/admin/uploads/{id}/{action}`, then reload the page's data. Results and errors are announced
 * in an aria-live region.
 */
export function AdminActions({ sessionId, actions }: { sessionId: string; actions: Action[] }) {
  const router = useRouter();
  const t = useTranslations("adminActions");
  const tErr = useTranslations("apiErrors");
  const [busy, setBusy] = useState<Action | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  if (actions.length === 0) return null;

  async function run(action: Action) {
    const l = LABEL[action];
    if (l.confirm && !window.confirm(t(l.confirm))) return;
    setBusy(action);
    setMessage({ text: t(l.busy), error: false });
    try {
      const res = await fetch(`/api/admin/uploads/${sessionId}/${action}`, { method: "POST" });
      const body = (await res.json().catch(() => null)) as ApiErrorLike;
      if (!res.ok) setMessage({ text: body?.error ? apiErrorMessage(tErr, body) : t("failedHttp", { status: res.status }), error: true });
      else setMessage({ text: t(l.done), error: false });
      router.refresh();
    } catch (err) {
      setMessage({ text: t("unreachable", { message: (err as Error).message }), error: true });
    } finally {
      setBusy(null);
    }
  }

  return (
    <section aria-labelledby="admin-actions" className="rounded border border-slate-200 bg-white p-4">
      <h2 id="admin-actions" className="mb-2 text-lg font-semibold">{t("heading")}</h2>
      <p className="mb-3 text-sm text-slate-700">{t("recorded")}</p>
      <div className="flex gap-3">
        {actions.map((a) => (
          <button key={a} type="button" disabled={busy !== null} onClick={() => run(a)} className={a === "abort" ? "rounded border border-red-800 px-3 py-1.5 text-red-800 disabled:opacity-50" : "rounded bg-blue-800 px-3 py-1.5 text-white disabled:opacity-50"}>
            {t(LABEL[a].button)}
          </button>
        ))}
      </div>
      <p role="status" aria-live="polite" className={`mt-2 text-sm ${message?.error ? "text-red-800" : "text-slate-800"}`}>{message?.text ?? ""}</p>
    </section>
  );
}
