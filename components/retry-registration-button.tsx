"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { apiErrorMessage, type ApiErrorLike } from "@/lib/i18n/api-errors";

/**
 * "Retry registration" for a session that is stored in S3 but not yet registered in CKAN (CASES 13):
 * `POST /api/uploads/{id}/complete` retries only the CKAN `resource_create`; nothing is uploaded again.
 */
export function RetryRegistrationButton({ sessionId, fileName }: { sessionId: string; fileName: string }) {
  const router = useRouter();
  const t = useTranslations("retryRegistration");
  const tErr = useTranslations("apiErrors");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const retry = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const res = await fetch(`/api/uploads/${encodeURIComponent(sessionId)}/complete`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
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
      <button type="button" onClick={() => void retry()} disabled={busy} className="rounded border border-slate-400 px-2 py-0.5 text-xs hover:bg-slate-100 disabled:opacity-60">
        {t.rich(busy ? "busy" : "button", { fileName, sr: (chunks) => <span className="sr-only">{chunks}</span>, bdi: (chunks) => <bdi>{chunks}</bdi> })}
      </button>
      {message && <span role="alert" className="mt-1 block text-xs text-red-800">{message}</span>}
    </span>
  );
}
