/**
 * Stable codes for the reasons sign-in fails and for "CKAN is down" pages (issue 12): the server keeps its
 * English text for logs and the API, the UI translates the code (namespace `ckanErrors`) with the CKAN
 * URL, HTTP status and content type as ICU arguments. Client-safe (no server imports).
 *
 * On the wire a reason is `code` or `code?arg=value&…` (URLSearchParams): that is the `error` next-auth
 * hands the login form (`signIn(...).error`, or the `?error=` of a redirect).
 */

/** Why sign-in or a page failed, as a translatable code. */
export const CKAN_ERROR_CODES = ["token_missing", "token_rejected", "ckan_unreachable", "ckan_not_api", "ckan_failed"] as const;
export type CkanErrorCode = (typeof CKAN_ERROR_CODES)[number];

/** A code and its ICU arguments (strings: URL, `status`, `type`, `host`, `kind`). */
export interface CkanErrorReason {
  code: CkanErrorCode;
  values: Record<string, string>;
}

/** `code?k=v&…`, the form next-auth carries to the login form. */
export function encodeReason(reason: CkanErrorReason): string {
  const query = new URLSearchParams(reason.values).toString();
  return query ? `${reason.code}?${query}` : reason.code;
}

/** The reason encoded by {@link encodeReason}, or null for anything else (e.g. next-auth's `CredentialsSignin`). */
export function decodeReason(text: string | null | undefined): CkanErrorReason | null {
  if (!text) return null;
  const [code, query = ""] = text.split(/\?(.*)/s, 2) as [string, string?];
  if (!(CKAN_ERROR_CODES as readonly string[]).includes(code)) return null;
  return { code: code as CkanErrorCode, values: Object.fromEntries(new URLSearchParams(query)) };
}
