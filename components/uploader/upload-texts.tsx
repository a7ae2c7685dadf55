"use client";

import { type ReactNode } from "react";
import { useTranslations } from "next-intl";
import type { UploadErrorInfo } from "@/lib/uploader";
import type { CapabilityNoticeKey } from "@/lib/uploader/capabilities";
import { useStatusLabel } from "@/components/upload-history-table";

/**
 * What the upload page tells the user outside the engine's progress, as a catalogue key and its ICU
 * arguments (issue 12): the queue hook (`use-upload-queue.ts`) builds these, the components translate
 * them, so the text follows the page's language. `text` is the portal API's own English sentence
 * (e.g. the draft-dataset notice of `POST /complete`): data, shown as it is, inside `<bdi>`.
 */
export type UploadNotice =
  | { key: "uploadedElsewhere" | "otherTabStopped" | "restarted" }
  | { key: "otherTabEnded"; values: { status: string } }
  | { key: "resumeOff"; values: { reason: string } }
  | { key: "restartedChanged"; values: { name: string; part: number } }
  | { key: "restartedSize"; values: { name: string; size: number; expected: number } }
  | { key: "restartedNotResumable"; values: { name: string; status: string } }
  | { key: "draftKept"; values: { title: string } }
  | { key: "draftNotActivated"; values: { title: string; error: string } }
  | { text: string };

/**
 * The notice of `POST /complete` (a draft dataset that stays a draft) by its `noticeCode` and
 * `noticeValues` (lib/uploads/complete.ts); an unknown code, or none, keeps the API's English `notice`.
 */
export function completionNotice(result: Record<string, unknown>): UploadNotice | null {
  const v = (result.noticeValues ?? {}) as Record<string, unknown>;
  const title = typeof v.title === "string" ? v.title : null;
  if (result.noticeCode === "draft_kept" && title !== null) return { key: "draftKept", values: { title } };
  if (result.noticeCode === "draft_not_activated" && title !== null && typeof v.error === "string") return { key: "draftNotActivated", values: { title, error: v.error } };
  return typeof result.notice === "string" ? { text: result.notice } : null;
}

/**
 * The notice for an engine error that makes the queue start the file again as a new upload
 * (`file_changed`, `not_resumable`), from the error's `params` (lib/uploader/errors.ts).
 */
export function restartNotice(error: UploadErrorInfo): UploadNotice {
  const p = error.params ?? {};
  const name = typeof p.name === "string" ? p.name : null;
  if (name !== null && error.code === "file_changed" && typeof p.part === "number") return { key: "restartedChanged", values: { name, part: p.part } };
  if (name !== null && error.code === "file_changed" && typeof p.size === "number" && typeof p.expected === "number") return { key: "restartedSize", values: { name, size: p.size, expected: p.expected } };
  if (name !== null && error.code === "not_resumable" && typeof p.status === "string") return { key: "restartedNotResumable", values: { name, status: p.status } };
  return { key: "restarted" };
}

/** Engine error codes whose whole English `message` the catalogue says again from `params` (nothing is lost in translation). */
const FULL: Partial<Record<UploadErrorInfo["code"], readonly string[]>> = {
  missing_etag: [],
  signed_out: [],
  cors: ["store", "page"],
  access_denied: ["part", "status", "s3Code"],
  file_unreadable: ["name"],
};

/** An error or notice as the page shows it: the translated sentence, and the engine's or API's English detail when the sentence does not carry it. */
export interface UploadText {
  summary: string;
  /** The English detail (a message from the engine, S3, CKAN or the portal API): data, shown in `<bdi>`. */
  detail: string | null;
}

/**
 * The upload page's translators for engine errors, queue notices and capability notices.
 *
 * - An engine error whose code the catalogue says in full (`cors`, `missing_etag`, `access_denied`,
 *   `file_unreadable`, `signed_out`) is `uploadQueue.errors.<code>` with the error's `params`; English
 *   reads exactly as the engine's `message` (tests/unit/i18n-upload-notices.test.ts).
 * - `api` errors: the `apiErrors.<apiCode>` translation (as every API error in the UI), the portal's
 *   English message as detail; any other code: `uploadQueue.errors.<code>`, the engine's message as detail.
 */
export function useUploadTexts() {
  const t = useTranslations("uploadQueue");
  const tApi = useTranslations("apiErrors");
  const statusLabel = useStatusLabel();
  const loose = t as unknown as ((key: string, values?: Record<string, string | number>) => string) & { has(key: string): boolean; markup(key: string, values: Record<string, unknown>): string; rich(key: string, values: Record<string, unknown>): ReactNode };
  const looseApi = tApi as unknown as ((key: string) => string) & { has(key: string): boolean };
  const plain = (chunks: string) => chunks;
  const bidi = (chunks: ReactNode) => <bdi>{chunks}</bdi>;

  /** The catalogue's values for an error the catalogue says in full, or null when the error lacks them. */
  function fullValues(error: UploadErrorInfo): Record<string, string | number> | null {
    const needs = FULL[error.code];
    const p = error.params ?? {};
    if (!needs || !needs.every((k) => p[k] !== undefined)) return null;
    const values: Record<string, string | number> = { ...p };
    if (error.code === "cors") values.page = p.page === "" ? "none" : p.page;
    if (error.code === "file_unreadable") values.name = p.name === "" ? "none" : p.name;
    return values;
  }

  function errorText(error: UploadErrorInfo): UploadText {
    const values = fullValues(error);
    if (values) return { summary: loose.markup(`errors.${error.code}`, { ...values, b: plain }), detail: null };
    if (error.code === "api" && error.apiCode && /^[a-z_]+$/.test(error.apiCode) && looseApi.has(error.apiCode)) {
      return { summary: looseApi(error.apiCode), detail: error.message || null };
    }
    return { summary: loose(`errors.${error.code}`), detail: error.message || null };
  }

  /** The values of a notice for the catalogue: session statuses are named in the page's language. */
  function noticeValues(n: Exclude<UploadNotice, { text: string }>): Record<string, string | number> {
    if (!("values" in n)) return {};
    const v: Record<string, string | number> = { ...n.values };
    if ("status" in n.values) v.status = statusLabel(n.values.status);
    if ("reason" in n.values) v.reason = n.values.reason || "none";
    return v;
  }

  return {
    /** The row's label while the sign-in has ended (the engine's `signed-out`). */
    signedOut: (): string => t("signedOut"),
    errorText,
    /** An error as one string (screen-reader announcements). */
    errorString(error: UploadErrorInfo): string {
      const e = errorText(error);
      return e.detail ? `${e.summary} ${e.detail}` : e.summary;
    },
    /** An engine error for the row's alert: the sentence, and the English detail in `<bdi>` below it. */
    error(error: UploadErrorInfo): ReactNode {
      const values = fullValues(error);
      if (values) return loose.rich(`errors.${error.code}`, { ...values, b: bidi }); // names in <bdi>
      const e = errorText(error);
      return (
        <>
          {e.summary}
          {e.detail && <span className="mt-1 block text-xs">{t.rich("errorDetail", { detail: e.detail, b: bidi })}</span>}
        </>
      );
    },
    /** A queue notice in the page's language (names in `<bdi>`). */
    notice(n: UploadNotice): ReactNode {
      if ("text" in n) return <bdi>{n.text}</bdi>;
      return loose.rich(`notices.${n.key}`, { ...noticeValues(n), b: bidi });
    },
    /** A missing browser capability: what is lost (lib/uploader/capabilities.ts). */
    capability: (key: CapabilityNoticeKey): string => t(`capabilities.${key}`),
  };
}
