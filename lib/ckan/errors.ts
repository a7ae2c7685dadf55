/**
 * The one error type of the CKAN client.
 *
 * CKAN's action API answers errors as `{help, success: false, error: {__type, message, ...}}`
 * with the HTTP status chosen in `ckan/views/api.py` (`action()`):
 *   403 "Authorization Error", 404 "Not Found Error", 409 "Validation Error" (field errors
 *   beside `__type`), 400 "Integrity Error" / "Search Query Error", 409 "Search Error",
 *   500 "Search Index Error" / "Internal Server Error", and 400 with a bare JSON string
 *   ("Bad request - Action name not known: x") for unknown actions and unreadable bodies.
 *
 * Messages never contain the API token: the client passes every text through `redact()`.
 */
import { type CkanErrorReason, decodeReason, encodeReason } from "@/lib/i18n/sign-in-errors";

export type CkanErrorKind =
  | "authorization" // 403 Authorization Error: CKAN refused this user
  | "not_found" // 404 Not Found Error (also: user_show with an invalid token)
  | "validation" // 409 Validation Error: see fieldErrors
  | "bad_request" // other 4xx: unknown action, bad parameters, search syntax
  | "server" // 5xx: CKAN (or its proxy) failed
  | "unreachable" // network error or timeout: no HTTP answer at all
  | "not_ckan" // an HTTP answer that is not CKAN's action API: HTML (maintenance, login or proxy page), truncated JSON, JSON without the envelope
  | "invalid_response"; // CKAN's envelope, but a result of a shape this client does not rely on

export interface CkanErrorInit {
  kind: CkanErrorKind;
  /** Action name, e.g. "package_show". */
  action: string;
  /** HTTP status CKAN answered; 0 when there was no answer (unreachable). */
  status: number;
  /** CKAN's `error.__type`, e.g. "Validation Error"; null when CKAN sent none. */
  ckanType?: string | null;
  /** CKAN's own `error.message` (already redacted), when it sent one. */
  ckanMessage?: string;
  /** Validation Error field errors, e.g. `{ name: ["Must be purely lowercase ..."] }`. */
  fieldErrors?: Record<string, string[]>;
  message: string;
  /**
   * Why CKAN is down, as a code the UI translates with its arguments (lib/i18n/sign-in-errors.ts):
   * `ckan_not_api` {url, status, type}, `ckan_unreachable` {host}; kinds in {@link CKAN_DOWN_KINDS}
   * without one are `ckan_failed`. Set by the transport, which knows the URL, status and content type.
   */
  reason?: CkanErrorReason;
  cause?: unknown;
}

/**
 * Prefix of the React/Next `digest` carried by CkanErrors that mean "CKAN itself is not working"
 * (kinds in {@link CKAN_DOWN_KINDS}). Next keeps a thrown error's own `digest` and hands it to the
 * route's error boundary (app/error.tsx) even in production, where it hides `message`: the boundary
 * reads the reason's code and arguments from the digest (`CKAN_DOWN;ckan_not_api?url=…&status=…&type=…`,
 * encodeReason) and shows their translation. The English message stays in the server's log.
 */
export const CKAN_DOWN_DIGEST_PREFIX = "CKAN_DOWN;";

/** Kinds that say CKAN as a whole is not answering as its API (not a refusal of one request). */
export const CKAN_DOWN_KINDS: readonly CkanErrorKind[] = ["not_ckan", "unreachable", "server"];

export class CkanError extends Error {
  override readonly name = "CkanError";
  /** Set for {@link CKAN_DOWN_KINDS}: `CKAN_DOWN;` + the encoded {@link reason} (read by app/error.tsx). */
  readonly digest?: string;
  /** Set for {@link CKAN_DOWN_KINDS}: the translatable reason (`ckan_failed` when the transport gave none). */
  readonly reason?: CkanErrorReason;
  readonly kind: CkanErrorKind;
  readonly action: string;
  readonly status: number;
  readonly ckanType: string | null;
  readonly ckanMessage?: string;
  readonly fieldErrors?: Record<string, string[]>;

  constructor(init: CkanErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.action = init.action;
    this.status = init.status;
    this.ckanType = init.ckanType ?? null;
    if (init.ckanMessage !== undefined) this.ckanMessage = init.ckanMessage;
    if (init.fieldErrors !== undefined) this.fieldErrors = init.fieldErrors;
    if (CKAN_DOWN_KINDS.includes(init.kind)) {
      this.reason = init.reason ?? { code: "ckan_failed", values: {} };
      this.digest = CKAN_DOWN_DIGEST_PREFIX + encodeReason(this.reason);
    }
  }
}

/**
 * The user-facing text for a CKAN failure in API answers and pages: a `not_ckan` message as it is
 * ("CKAN at {CKAN_URL} is not answering as a CKAN API (HTTP {status}, {content type})"), any other
 * kind prefixed with "CKAN failed or is unreachable ({kind}): ".
 */
export function ckanFailureMessage(err: CkanError): string {
  return err.kind === "not_ckan" ? err.message : `CKAN failed or is unreachable (${err.kind}): ${err.message}`;
}

/** The reason carried by a {@link CKAN_DOWN_DIGEST_PREFIX} digest, or null for any other digest. Client-safe. */
export function ckanDownReasonFromDigest(digest: string | undefined): CkanErrorReason | null {
  return digest?.startsWith(CKAN_DOWN_DIGEST_PREFIX) ? decodeReason(digest.slice(CKAN_DOWN_DIGEST_PREFIX.length)) : null;
}

/** True when `error` is a CkanError (optionally of one of the given kinds). */
export function isCkanError(error: unknown, ...kinds: CkanErrorKind[]): error is CkanError {
  return error instanceof CkanError && (kinds.length === 0 || kinds.includes(error.kind));
}

/**
 * Error kind for an HTTP status and CKAN `__type`. The `__type` wins when CKAN sent a
 * known one; otherwise the status decides. Only called for JSON answers from CKAN:
 * a non-JSON 404 (wrong base URL, a proxy page) is "not_ckan", never "not_found".
 */
export function errorKindFor(status: number, ckanType: string | null): CkanErrorKind {
  if (ckanType === "Authorization Error") return "authorization";
  if (ckanType === "Not Found Error") return "not_found";
  if (ckanType === "Validation Error") return "validation";
  if (status === 401 || status === 403) return "authorization";
  if (status === 404) return "not_found";
  if (status >= 500) return "server";
  if (status >= 400) return "bad_request";
  return "invalid_response";
}

/** Replace every occurrence of the token in `text` (no-op without a token). */
export function redact(text: string, token: string | undefined): string {
  if (!token) return text;
  return text.split(token).join("[redacted]");
}

/**
 * Field errors from a CKAN Validation Error object: every key beside `__type` and a
 * string `message`. Values may be lists of strings, a bare string, or nested objects
 * and lists (package validation reports `resources: [{}, {url: [...]}]`); nested ones
 * are flattened to dotted keys such as `resources[1].url`.
 */
export function fieldErrorsOf(error: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const push = (key: string, message: string) => {
    (out[key] ??= []).push(message);
  };
  const collect = (key: string, value: unknown): void => {
    if (typeof value === "string") push(key, value);
    else if (typeof value === "number" || typeof value === "boolean") push(key, String(value));
    else if (Array.isArray(value)) {
      value.forEach((item, index) =>
        typeof item === "string" ? push(key, item) : collect(`${key}[${index}]`, item),
      );
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) collect(`${key}.${k}`, v);
    }
  };
  for (const [key, value] of Object.entries(error)) {
    if (key === "__type" || (key === "message" && typeof value === "string")) continue;
    collect(key, value);
  }
  return out;
}
