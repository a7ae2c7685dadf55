"use client";

import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useEffect, useId, useState, type FormEvent } from "react";
import { DATASET_NAME_MAX_LENGTH, DATASET_NAME_MESSAGES, datasetNameProblem, nameFromTitle, type DatasetNameProblem } from "@/lib/datasets/name-rules";
import { apiErrorMessage } from "@/lib/i18n/api-errors";

/** Wait after the last keystroke before asking the portal whether a name is free, in ms. */
export const NAME_CHECK_DEBOUNCE_MS = 350;

type Field = "title" | "name" | "description" | "organization" | "visibility" | "license";
type NameStatus = { state: "idle" } | { state: "checking" } | { state: "free" } | { state: "problem"; message: string } | { state: "error"; message: string };

const NAME_PROBLEMS = Object.keys(DATASET_NAME_MESSAGES) as Array<DatasetNameProblem | "taken">;

interface Props {
  organizations: Array<{ id: string; title: string }>;
  licenses: Array<{ id: string; title: string }>;
}

const inputClass = "w-full rounded border border-slate-400 bg-white px-3 py-2 aria-[invalid=true]:border-red-700";

/**
 * The /datasets/new form: title, name (derived from the title until edited; checked against CKAN as the user
 * types, debounced), description, organization, visibility, license. POSTs /api/datasets and goes to the new
 * dataset's upload page; CKAN's field errors are shown next to their fields.
 */
export function NewDatasetForm({ organizations, licenses }: Props) {
  const router = useRouter();
  const t = useTranslations("newDataset");
  const tErrors = useTranslations("apiErrors");
  /** A name problem in the user's language: by its code, or CKAN's English message matched to one (else as CKAN said it). */
  const problemText = (problem: string | null | undefined, fallback: string) => {
    const known = NAME_PROBLEMS.find((p) => p === problem || DATASET_NAME_MESSAGES[p] === fallback);
    return known ? t(`nameProblem.${known}`) : fallback;
  };
  const ids = useId();
  const [title, setTitle] = useState("");
  const [name, setName] = useState("");
  const [nameEdited, setNameEdited] = useState(false);
  const [nameStatus, setNameStatus] = useState<NameStatus>({ state: "idle" });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  // Live name check: local rules at once, then the portal (CKAN) after a pause in typing.
  useEffect(() => {
    if (name === "") {
      setNameStatus({ state: "idle" });
      return;
    }
    const problem = datasetNameProblem(name);
    if (problem) {
      setNameStatus({ state: "problem", message: t(`nameProblem.${problem}`) });
      return;
    }
    setNameStatus({ state: "checking" });
    const abort = new AbortController();
    const timer = setTimeout(() => {
      fetch(`/api/datasets/name-check?${new URLSearchParams({ name })}`, { signal: abort.signal, cache: "no-store" })
        .then(async (res) => {
          const body = (await res.json().catch(() => null)) as { available?: boolean; problem?: string | null; message?: string | null; error?: { code?: string; message?: string } } | null;
          if (!res.ok) setNameStatus({ state: "error", message: t("nameCheckFailed", { reason: apiErrorMessage(tErrors, body) }) });
          else if (body?.available) setNameStatus({ state: "free" });
          else setNameStatus({ state: "problem", message: problemText(body?.problem, body?.message ?? DATASET_NAME_MESSAGES.taken) });
        })
        .catch((err: unknown) => {
          if ((err as Error).name !== "AbortError") setNameStatus({ state: "error", message: t("nameCheckFailed", { reason: apiErrorMessage(tErrors, null) }) });
        });
    }, NAME_CHECK_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [name]); // eslint-disable-line react-hooks/exhaustive-deps -- t and tErrors are stable per locale

  function onTitle(value: string) {
    setTitle(value);
    if (!nameEdited) setName(nameFromTitle(value));
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setErrors({});
    setFormError(null);
    setSubmitting(true);
    try {
      const res = await fetch("/api/datasets", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          title,
          name,
          description: String(data.get("description") ?? ""),
          organization: String(data.get("organization") ?? ""),
          visibility: String(data.get("visibility") ?? "private"),
          license: String(data.get("license") ?? ""),
        }),
      });
      const body = (await res.json().catch(() => null)) as { uploadUrl?: string; error?: { code?: string; message?: string; details?: Array<{ path: string; message: string }> } } | null;
      if (res.ok && body?.uploadUrl) {
        router.push(body.uploadUrl);
        return;
      }
      const fieldErrors: Partial<Record<Field, string>> = {};
      for (const d of body?.error?.details ?? []) {
        const field = d.path as Field;
        if (["title", "name", "description", "organization", "visibility", "license"].includes(field) && !fieldErrors[field]) {
          fieldErrors[field] = field === "name" ? problemText(null, d.message) : d.message;
        }
      }
      setErrors(fieldErrors);
      if (fieldErrors.name) setNameStatus({ state: "problem", message: fieldErrors.name });
      setFormError(Object.keys(fieldErrors).length ? t("fixFields") : t("notCreated", { reason: apiErrorMessage(tErrors, body) }));
    } catch {
      setFormError(t("notCreated", { reason: apiErrorMessage(tErrors, null) }));
    } finally {
      setSubmitting(false);
    }
  }

  const describe = (field: Field, hint?: string) => [hint, errors[field] ? `${ids}-${field}-error` : undefined].filter(Boolean).join(" ") || undefined;
  const fieldError = (field: Field) =>
    errors[field] && field !== "name" ? <p id={`${ids}-${field}-error`} className="mt-1 text-sm text-red-800">{errors[field]}</p> : null;
  const nameInvalid = nameStatus.state === "problem";

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-5" aria-describedby={formError ? `${ids}-form-error` : undefined}>
      <div>
        <label htmlFor={`${ids}-title`} className="mb-1 block font-medium">{t("title")}</label>
        <input id={`${ids}-title`} name="title" required maxLength={200} value={title} onChange={(e) => onTitle(e.target.value)}
          aria-invalid={Boolean(errors.title)} aria-describedby={describe("title")} className={inputClass} />
        {fieldError("title")}
      </div>
      <div>
        <label htmlFor={`${ids}-name`} className="mb-1 block font-medium">{t("name")}</label>
        <input id={`${ids}-name`} name="name" required maxLength={DATASET_NAME_MAX_LENGTH} value={name} spellCheck={false} autoCapitalize="none"
          onChange={(e) => { setNameEdited(true); setName(e.target.value); }}
          aria-invalid={nameInvalid} aria-describedby={`${ids}-name-hint ${ids}-name-status`} className={`${inputClass} font-mono`} />
        <p id={`${ids}-name-hint`} className="mt-1 text-sm text-slate-700">
          {t("nameHint", { name: name || "…" })}
        </p>
        <p id={`${ids}-name-status`} role="status" aria-live="polite" className={`mt-1 text-sm ${nameInvalid || nameStatus.state === "error" ? "text-red-800" : "text-slate-700"}`}>
          {nameStatus.state === "checking" && t("nameChecking")}
          {nameStatus.state === "free" && t("nameAvailable")}
          {(nameStatus.state === "problem" || nameStatus.state === "error") && nameStatus.message}
        </p>
      </div>
      <div>
        <label htmlFor={`${ids}-description`} className="mb-1 block font-medium">{t("description")} <span className="font-normal text-slate-700">{t("optional")}</span></label>
        <textarea id={`${ids}-description`} name="description" rows={4} maxLength={10_000}
          aria-invalid={Boolean(errors.description)} aria-describedby={describe("description")} className={inputClass} />
        {fieldError("description")}
      </div>
      <div>
        <label htmlFor={`${ids}-organization`} className="mb-1 block font-medium">{t("organization")}</label>
        <select id={`${ids}-organization`} name="organization" defaultValue={organizations[0]?.id} aria-invalid={Boolean(errors.organization)}
          aria-describedby={describe("organization")} className={inputClass}>
          {organizations.map((o) => <option key={o.id} value={o.id}>{o.title}</option>)}
        </select>
        {fieldError("organization")}
      </div>
      <fieldset aria-describedby={describe("visibility")}>
        <legend className="mb-1 font-medium">{t("visibility")}</legend>
        <div className="flex flex-wrap gap-6">
          <label className="flex items-center gap-2"><input type="radio" name="visibility" value="private" defaultChecked /> {t("visibilityPrivate")}</label>
          <label className="flex items-center gap-2"><input type="radio" name="visibility" value="public" /> {t("visibilityPublic")}</label>
        </div>
        {fieldError("visibility")}
      </fieldset>
      <div>
        <label htmlFor={`${ids}-license`} className="mb-1 block font-medium">{t("license")}</label>
        <select id={`${ids}-license`} name="license" defaultValue="" aria-invalid={Boolean(errors.license)} aria-describedby={describe("license")} className={inputClass}>
          <option value="">{t("noLicense")}</option>
          {licenses.map((l) => <option key={l.id} value={l.id}>{l.title}</option>)}
        </select>
        {fieldError("license")}
      </div>
      {formError && <p id={`${ids}-form-error`} role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-red-800">{formError}</p>}
      <button type="submit" disabled={submitting} className="rounded bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800 disabled:opacity-60">
        {submitting ? t("submitting") : t("submit")}
      </button>
    </form>
  );
}
