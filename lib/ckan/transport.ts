/**
 * One CKAN action-API call: URL and headers, timeout, envelope parsing, error mapping.
 * Everything the client does passes through `callAction`.
 *
 * Source: ckan/views/api.py (`action()`, `_finish_bad_request`, `_get_request_data`):
 * read actions (side_effect_free) accept GET query parameters, every action accepts a
 * POST JSON object; the token is read raw from the `Authorization` header (or
 * `X-CKAN-API-Key`, or 2.11's `apitoken_header_name`).
 */
import { CkanError, errorKindFor, fieldErrorsOf, redact } from "./errors";
import type { CkanErrorInit, CkanErrorKind } from "./errors";
import type { CkanErrorReason } from "@/lib/i18n/sign-in-errors";
import { envelopeSchema } from "./types";
import { getMetrics, timed } from "@/lib/ops/metrics";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface TransportOptions {
  /** CKAN site root, e.g. "https://data.example.org" (a path prefix is kept). */
  baseUrl: string;
  /** CKAN API token; omitted = anonymous. Never appears in messages. */
  token?: string;
  /** Header carrying the raw token. Default "Authorization" (no "Bearer"). */
  tokenHeader: string;
  fetch: FetchLike;
  /** Whole-call limit (connect + answer + body), milliseconds. */
  timeoutMs: number;
}

export type ActionParams = Record<string, unknown>;

/** GET URLs longer than this switch to POST (proxies commonly cap URLs at 8 KiB). */
export const MAX_GET_URL_LENGTH = 6000;

export function actionUrl(baseUrl: string, action: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/api/3/action/${encodeURIComponent(action)}`;
}

function queryString(params: ActionParams): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    search.append(key, typeof value === "string" ? value : JSON.stringify(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return "(invalid URL)";
  }
}

/**
 * Call `action` and return its `result` (unvalidated). `method` "GET" sends params as
 * query parameters (falls back to POST for very long URLs), "POST" as a JSON body.
 * @throws CkanError of every kind (see errors.ts).
 */
export async function callAction(
  options: TransportOptions,
  action: string,
  params: ActionParams = {},
  method: "GET" | "POST" = "GET",
): Promise<unknown> {
  // Latency and errors by action: ckan_portal_ckan_request_duration_seconds / _errors_total (lib/ops/metrics.ts).
  const m = getMetrics();
  return timed(m.ckanSeconds, m.ckanErrors, action, async () => {
    try {
      return await callActionOnce(options, action, params, method);
    } catch (err) {
      // A pooled keep-alive connection that CKAN (or its proxy: gunicorn keeps idle connections 2 s,
      // nginx 75 s) closed just as the request was written on it fails at once with ECONNRESET /
      // "other side closed" — CKAN never saw the request. A read is asked once more on a new
      // connection; a write is not (its fate is unknown), and fails as `unreachable`.
      if (!isReadAction(action) || !(err instanceof CkanError) || !isStaleConnectionError(err.cause)) throw err;
      m.ckanRetries.inc({ action });
      return callActionOnce(options, action, params, method);
    }
  });
}

/**
 * Whether `action` only reads (CKAN's side-effect-free actions: `*_show`, `*_list`, `*_search`,
 * `*_autocomplete`, `status_show`), so that asking it twice is harmless.
 */
export function isReadAction(action: string): boolean {
  return /_(show|list|search|autocomplete)(_|$)/.test(action);
}

/** Connection-level error codes of a request written on a connection the peer had already closed. */
const STALE_CONNECTION_CODES = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]);

/**
 * Whether `err` (or an error in its `cause` chain, as undici's `fetch failed` TypeError carries it)
 * is a connection reset or close by the peer: ECONNRESET, EPIPE, or undici's SocketError
 * ("other side closed"). Timeouts, refused connections and DNS failures are not.
 */
export function isStaleConnectionError(err: unknown): boolean {
  return staleCodeOf(err) !== undefined;
}

/** The first stale-connection code in `err`'s cause chain (at most 5 deep), else undefined. */
function staleCodeOf(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && STALE_CONNECTION_CODES.has(code)) return code;
  }
  return undefined;
}

async function callActionOnce(options: TransportOptions, action: string, params: ActionParams, method: "GET" | "POST"): Promise<unknown> {
  const base = actionUrl(options.baseUrl, action);
  let url = base;
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.token) headers[options.tokenHeader] = options.token;
  let body: string | undefined;
  if (method === "GET") url = base + queryString(params);
  if (method === "POST" || url.length > MAX_GET_URL_LENGTH) {
    url = base;
    method = "POST";
    body = JSON.stringify(params);
    headers["Content-Type"] = "application/json";
  }

  const host = hostOf(options.baseUrl);
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(
        new CkanError({
          kind: "unreachable",
          action,
          status: 0,
          message: `CKAN at ${host} did not answer ${action} within ${options.timeoutMs} ms`,
          reason: { code: "ckan_unreachable", values: { host } },
        }),
      );
    }, options.timeoutMs);
  });
  const exchange = async () => {
    const response = await options.fetch(url, { method, headers, body, signal: controller.signal });
    return { status: response.status, contentType: response.headers.get("content-type"), text: await response.text() };
  };

  let answer: { status: number; contentType: string | null; text: string };
  try {
    answer = await Promise.race([exchange(), timeout]);
  } catch (error) {
    if (error instanceof CkanError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    const leaks = options.token !== undefined && options.token !== "" && reason.includes(options.token);
    throw new CkanError({
      kind: "unreachable",
      action,
      status: 0,
      message: redact(`CKAN at ${host} is unreachable (${action}): ${reason}`, options.token),
      reason: { code: "ckan_unreachable", values: { host } },
      // Keep the original (stack, errno) unless its text would carry the token into logs.
      // The redacted copy keeps the connection error's code (a stale connection is retried by it).
      cause: leaks ? Object.assign(new Error(redact(reason, options.token)), { code: staleCodeOf(error) }) : error,
    });
  } finally {
    clearTimeout(timer);
  }
  return parseAnswer(action, answer.status, answer.text, options.token, { baseUrl: options.baseUrl, contentType: answer.contentType });
}

/** What the answer came from, for the "not answering as a CKAN API" message. */
export interface AnswerMeta {
  /** CKAN_URL as configured (no token in it). */
  baseUrl: string;
  /** The answer's Content-Type header; null when it had none. */
  contentType: string | null;
}

/**
 * The one message for an answer that is not CKAN's action API (CASES 28):
 * "CKAN at {CKAN_URL} is not answering as a CKAN API (HTTP {status}, {media type})".
 */
export function notCkanMessage(meta: AnswerMeta, status: number): string {
  const { url, type } = notCkanReason(meta, status).values;
  return `CKAN at ${url} is not answering as a CKAN API (HTTP ${status}, ${type})`;
}

/** A reason's arguments through `redact()`, like the message they are worded from. */
function redactReason(reason: CkanErrorReason, token: string | undefined): CkanErrorReason {
  return { code: reason.code, values: Object.fromEntries(Object.entries(reason.values).map(([k, v]) => [k, redact(v, token)])) };
}

/** The same facts as a code the UI translates: `ckan_not_api` {url, status, type} (lib/i18n/sign-in-errors.ts). */
export function notCkanReason(meta: AnswerMeta, status: number): CkanErrorReason {
  const type = meta.contentType?.split(";")[0]?.trim().toLowerCase() || "no content type";
  return { code: "ckan_not_api", values: { url: meta.baseUrl.replace(/\/+$/, ""), status: String(status), type } };
}

/**
 * Turn an HTTP answer into the action's result or a CkanError. Exported for tests.
 * Any status whose body is not JSON (an HTML maintenance, login or proxy error page, a truncated body)
 * or is a JSON object without CKAN's `{help, success, result|error}` envelope is `not_ckan`, whatever
 * the status (a proxy's 502 page included): CKAN's own errors always carry the envelope, except the
 * bare JSON string of `_finish_bad_request` (ckan/views/api.py), which stays `bad_request`.
 */
export function parseAnswer(
  action: string,
  status: number,
  text: string,
  token?: string,
  meta: AnswerMeta = { baseUrl: "CKAN", contentType: null },
): unknown {
  const fail = (kind: CkanErrorKind, message: string, extra: Partial<CkanErrorInit> = {}) =>
    new CkanError({ kind, action, status, ...extra, message: redact(message, token) });

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw fail("not_ckan", notCkanMessage(meta, status), { reason: redactReason(notCkanReason(meta, status), token) });
  }
  // Unknown action and unreadable requests: a bare JSON string ("Bad request - ...").
  if (typeof json === "string") {
    const kind = status >= 400 ? errorKindFor(status, null) : "invalid_response";
    throw fail(kind, `CKAN ${action}: ${json}`, { ckanMessage: redact(json, token) });
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) throw fail("not_ckan", notCkanMessage(meta, status), { reason: redactReason(notCkanReason(meta, status), token) });
  const { success, result, error } = envelope.data;
  if (success && status >= 200 && status < 300) return result;

  const ckanType = error?.__type ?? null;
  const ckanMessage = typeof error?.message === "string" ? redact(error.message, token) : undefined;
  const kind = errorKindFor(status, ckanType);
  if (kind !== "validation") {
    const label = ckanType ?? `HTTP ${status}`;
    throw fail(kind, `CKAN ${action}: ${label}${ckanMessage ? `: ${ckanMessage}` : ""}`, { ckanType, ckanMessage });
  }
  const fieldErrors: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(fieldErrorsOf(error ?? {}))) {
    fieldErrors[field] = messages.map((m) => redact(m, token));
  }
  const details = Object.entries(fieldErrors).map(([field, messages]) => `${field}: ${messages.join(", ")}`);
  if (ckanMessage) details.unshift(ckanMessage);
  throw fail(kind, `CKAN ${action}: Validation Error: ${details.join("; ") || "no details"}`, {
    ckanType,
    ckanMessage,
    fieldErrors,
  });
}
