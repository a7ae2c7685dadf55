"use client";

import { memo, useId, useState } from "react";
import { useTranslations } from "next-intl";

/** The CKAN resource fields a publisher edits on a file's row (issue 12). */
export interface ResourceFieldValues {
  name: string;
  description: string;
  format: string;
}

/**
 * Name, description and format of the CKAN resource a file becomes, on its upload row: before the
 * upload starts they go with session creation; while it uploads and after it completed, "Save" sends
 * them to `PATCH /api/uploads/{id}/resource` (after completion the portal patches the CKAN resource
 * as the user). The format is prefilled from the file as CKAN would guess it. A native
 * `<details>` keeps the row short and is keyboard-operable; the outcome is announced (role=status/alert).
 */
export const ResourceFields = memo(function ResourceFields({
  fileLabel,
  initial,
  completed,
  onSave,
}: {
  /** The file's name, for accessible names of the controls. */
  fileLabel: string;
  initial: ResourceFieldValues;
  /** The upload is registered: saving changes the CKAN resource. */
  completed: boolean;
  /** Saves the values; resolves with an error message, or null when saved. */
  onSave(values: ResourceFieldValues): Promise<string | null>;
}) {
  const id = useId();
  const t = useTranslations("resourceFields");
  const sr = (chunks: React.ReactNode) => <span className="sr-only">{chunks}</span>;
  const bdi = (chunks: React.ReactNode) => <bdi>{chunks}</bdi>;
  const file = fileLabel;
  const [values, setValues] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const set = (key: keyof ResourceFieldValues) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setValues((v) => ({ ...v, [key]: value }));
    setOutcome(null);
  };
  const save = async () => {
    setBusy(true);
    const error = await onSave(values).catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
    setBusy(false);
    setOutcome(error ? { ok: false, text: error } : { ok: true, text: completed ? t("savedInCkan") : t("saved") });
  };
  const input = "mt-1 w-full rounded border border-slate-400 px-2 py-1 text-sm";
  return (
    <details className="mt-2 rounded border border-slate-200 p-2" data-testid="resource-fields">
      <summary className="cursor-pointer text-sm font-medium text-blue-900">
        {t.rich(completed ? "edit" : "describe", { file, sr, bdi })}
      </summary>
      <form
        className="mt-2 grid gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label htmlFor={`${id}-name`} className="text-sm text-slate-800">
          {t("name")}
          <input id={`${id}-name`} className={input} value={values.name} onChange={set("name")} maxLength={1024} required />
        </label>
        <label htmlFor={`${id}-description`} className="text-sm text-slate-800">
          {t("description")} <span className="text-slate-600">{t("descriptionHint")}</span>
          <textarea id={`${id}-description`} className={input} rows={3} value={values.description} onChange={set("description")} maxLength={10_000} />
        </label>
        <label htmlFor={`${id}-format`} className="text-sm text-slate-800">
          {t("format")} <span className="text-slate-600">{t("formatHint")}</span>
          <input id={`${id}-format`} className={input} value={values.format} onChange={set("format")} maxLength={100} />
        </label>
        <div className="flex items-center gap-3">
          <button type="submit" disabled={busy} className="rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60">
            {t.rich(completed ? "saveInCkan" : "save", { file, sr, bdi })}
          </button>
          {outcome && (
            <p role={outcome.ok ? "status" : "alert"} className={`text-sm ${outcome.ok ? "text-green-800" : "text-red-800"}`} data-testid="resource-fields-outcome">
              {outcome.text}
            </p>
          )}
        </div>
      </form>
    </details>
  );
});
