/**
 * `PortalApi` over `fetch`: JSON in, JSON out, answers checked with zod so a
 * portal/engine mismatch fails with a clear `api` error instead of `undefined`.
 */
import { z } from "zod";
import { UploadEngineError, abortReason } from "./errors";
import type { PortalApi, PortalCallOptions, RecordedPart } from "./portal-api";
import { parseRetryAfter } from "./rate-limit-wait";

/** Options of {@link createPortalApi}. */
export interface PortalApiOptions {
  /** Prefix of the routes, e.g. `https://portal.example.org`. Default `""` (same origin, the browser case). */
  baseUrl?: string;
  /** The fetch to use. Default `globalThis.fetch`; inject for Node/CLI use and tests. */
  fetch?: typeof fetch;
}

const checksum = z.object({ algorithm: z.enum(["CRC32C", "SHA256"]), value: z.string() });
const recordedPart = z.object({
  partNumber: z.number().int().min(1),
  size: z.number().int().min(0),
  etag: z.string(),
  // The portal stores a part checksum as its base64 value; the algorithm is unknown there.
  checksum: z.union([checksum, z.string()]).nullish().transform((c) => (typeof c === "object" && c ? c : undefined)),
});
const credentials = z.object({
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  sessionToken: z.string().min(1),
  expiration: z.string().min(1),
});
const signedPart = z.object({
  partNumber: z.number().int().min(1),
  url: z.string().min(1),
  headers: z.record(z.string(), z.string()).default({}),
  expiresAt: z.string(),
});
const session = z.object({
  sessionId: z.string().min(1),
  bucket: z.string(),
  region: z.string(),
  endpoint: z.string().nullish(),
  forcePathStyle: z.boolean(),
  key: z.string(),
  uploadId: z.string().nullable(),
  partSize: z.number().int().positive(),
  partCount: z.number().int().min(0),
  mode: z.enum(["sts", "presigned"]),
  credentials: credentials.nullish(),
  recordedParts: z.array(recordedPart).optional(),
  serverTime: z.string().optional(),
  signedParts: z.array(signedPart).optional(),
});
const existing = session.omit({ credentials: true, serverTime: true, signedParts: true }).extend({
  status: z.string(),
  fileName: z.string(),
  size: z.number().int().min(0),
  lastModified: z.number().nullable(),
  resumable: z.boolean(),
  recordedParts: z.array(recordedPart),
});
const signed = z.object({
  parts: z.array(signedPart),
  serverTime: z.string().optional(),
});
const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** Parts as the portal's routes take them: a checksum is its base64 value only (the algorithm is the session's). */
function wireParts(parts: RecordedPart[]) {
  return parts.map(({ checksum: c, ...rest }) => (c ? { ...rest, checksum: c.value } : rest));
}

/** What a row says while the sign-in has ended (the engine waits for a new one). */
export const SIGNED_OUT_MESSAGE = "Signed out — sign in again in another tab; the upload continues by itself.";

/**
 * Creates the fetch-based {@link PortalApi}. Errors: `network` (no answer), `signed_out` (HTTP 401),
 * `api` with `status` and `apiCode` (any other error answer; a non-JSON 5xx says the portal itself is
 * not answering, a JSON 502 `ckan_failed` carries the portal's message about CKAN).
 */
export function createPortalApi(opts: PortalApiOptions = {}): PortalApi {
  const baseUrl = opts.baseUrl ?? "";
  // Called as a plain function: `window.fetch` throws "Illegal invocation" when called as a method of another object.
  const doFetch: typeof fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function post<T>(path: string, body: unknown, schema: z.ZodType<T>, call?: PortalCallOptions, withServerTime = false): Promise<T> {
    let res: Response;
    try {
      res = await doFetch(`${baseUrl}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json", accept: "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        signal: call?.signal,
      });
    } catch (error) {
      if (call?.signal?.aborted) throw abortReason(call.signal);
      throw new UploadEngineError("network", `The portal could not be reached (${path}: no answer — it is down, restarting, or the network is interrupted): ${String(error)}`, { cause: error, retryable: true });
    }
    const text = await res.text().catch(() => "");
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: handled below
    }
    if (!res.ok) {
      const parsed = errorBody.safeParse(json);
      if (res.status === 401) {
        // The sign-in ended (expired past its cap, signed out in another tab, CKAN token revoked).
        throw new UploadEngineError("signed_out", SIGNED_OUT_MESSAGE, { status: 401, apiCode: parsed.success ? parsed.data.error.code : undefined });
      }
      const message = parsed.success
        ? parsed.data.error.message
        : res.status >= 500
          ? `The portal is not answering (HTTP ${res.status} for ${path}, not the portal's own answer): it may be restarting, or a proxy in front of it failed.`
          : `The portal answered HTTP ${res.status} for ${path}`;
      const retryAfterMs = res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers.get("retry-after"), Date.now()) : undefined;
      throw new UploadEngineError("api", message, {
        status: res.status,
        apiCode: parsed.success ? parsed.data.error.code : undefined,
        retryable: res.status === 429 || res.status >= 500,
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      });
    }
    const date = res.headers.get("date");
    if (withServerTime && date && json && typeof json === "object" && !("serverTime" in json)) {
      const time = Date.parse(date);
      if (Number.isFinite(time)) (json as Record<string, unknown>).serverTime = new Date(time).toISOString();
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new UploadEngineError("api", `The portal's answer to ${path} has an unexpected shape: ${parsed.error.message}`, {
        status: res.status,
      });
    }
    return parsed.data;
  }

  const route = (id: string, action: string) => `/api/uploads/${encodeURIComponent(id)}/${action}`;
  return {
    createSession: (input, call) => post("/api/uploads", input, session, call, true),
    getSession: (id, call) => post(`/api/uploads/${encodeURIComponent(id)}`, undefined, existing, call),
    refreshCredentials: (id, call) => post(route(id, "credentials"), {}, z.object({ credentials }), call),
    signParts: (id, partNumbers, checksums, call) =>
      post(route(id, "sign"), checksums?.length ? { partNumbers, checksums } : { partNumbers }, signed, call, true),
    recordParts: (id, parts, call) => post(route(id, "parts"), { parts: wireParts(parts) }, z.object({ bytesConfirmed: z.number() }), call),
    complete: (id, { parts, ...input }, call) =>
      post(route(id, "complete"), parts?.length ? { ...input, parts: wireParts(parts) } : input, z.looseObject({ status: z.string() }), call),
    abort: (id, call) => post(route(id, "abort"), {}, z.looseObject({ status: z.string() }), call),
  };
}
