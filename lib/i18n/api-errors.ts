import type { useTranslations } from "next-intl";

/**
 * API error codes → UI text. The API answers `{error: {code, message}}` with an English `message` for
 * scripts (lib/api/errors.ts, docs/api.md); the UI shows the translation of `code` from the `apiErrors`
 * namespace of the catalogues, and the API's own English message when the code has no translation
 * (a new code, or a body that is not the portal's). `{retryAfter}` in a translation is filled from the
 * caller's `values` (e.g. the seconds of a 429's Retry-After).
 */

/** next-intl's translator of the `apiErrors` namespace: `useTranslations("apiErrors")` or `await getTranslations("apiErrors")`. */
export type ApiErrorTranslator = ReturnType<typeof useTranslations<"apiErrors">>;

/** The same translator with plain string keys (a code from the network is checked with `has` first). */
type LooseTranslator = ((key: string, values?: Record<string, string | number>) => string) & { has(key: string): boolean };

/** An API error body, or anything else a failed request produced. */
export type ApiErrorLike = { error?: { code?: unknown; message?: unknown } } | null | undefined;

/**
 * The user-facing text for a failed API call: the translation of `body.error.code` when the catalogue has
 * one, else `body.error.message` (English, from the API), else the translation of `internal`.
 */
export function apiErrorMessage(translator: ApiErrorTranslator, body: ApiErrorLike, values?: Record<string, string | number>): string {
  const t = translator as unknown as LooseTranslator;
  const code = body?.error?.code;
  if (typeof code === "string" && /^[a-z_]+$/.test(code) && t.has(code)) return t(code, values);
  const message = body?.error?.message;
  if (typeof message === "string" && message) return message;
  return t("internal", values);
}
