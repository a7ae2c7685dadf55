"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { apiErrorMessage, type ApiErrorLike } from "@/lib/i18n/api-errors";

/**
 * "Cancel upload" on the owner's own failed uploads (/uploads): `POST /api/uploads/{id}/abort` deletes the
 * stored parts in S3 (AbortMultipartUpload) and marks the session cancelled. It needs no edit rights in
 * CKAN — cancelling only removes data — so an upload refused because CKAN withdrew access
 * (`permission_withdrawn`) can always be cleaned up by its owner. The result is announced (aria-live).
 */
export function CancelUploadButton({ sessionId, fileName }: { sessionId: string; fileName: string }) {
  const router = useRouter();
  const t = useTranslations("cancelUpload");
  const tErr = useTranslations("apiErrors");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const cancel = async () => {
    if (!window.confirm(t("confirm", { fileName }))) return;
    setBusy(true);
    setMessage(null);
    try {
      const res = await fetch(`/api/uploads/${encodeURIComponent(sessionId)}/abort`, { method: "POST" });
      const body = (await res.json().catch(() => null)) as ApiErrorLike;
      if (!res.ok) setMessage(body?.error ? apiErrorMessage(tErr, body) : t("failedHttp", { status: res.status }));
      else router.refresh();
    } catch (err) {
      setMessage(t("unreachable", { message: String(err) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="mt-1 block">
      <button type="button" onClick={() => void cancel()} disabled={busy} className="rounded border border-red-800 px-2 py-0.5 text-xs text-red-800 hover:bg-red-50 disabled:opacity-60">
        {t.rich(busy ? "busy" : "button", { fileName, sr: (chunks) => <span className="sr-only">{chunks}</span>, bdi: (chunks) => <bdi>{chunks}</bdi> })}
      </button>
      <span role="status" aria-live="polite" className="mt-1 block text-xs text-red-800">{message ?? ""}</span>
    </span>
  );
}
