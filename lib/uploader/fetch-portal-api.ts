/**
 * `PortalApi` over `fetch`: JSON in, JSON out, answers checked with zod so a
 * portal/engine mismatch fails with a clear `api` error instead of `undefined`.
 */
import { z } from "zod";
import { UploadEngineError, abortReason } from "./errors";
import type { CompleteInput, CompleteResult, CreateSessionInput, PortalApi, PortalCallOptions, RecordedPart, UploadSession } from "./portal-api";
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from "./rate-limit-wait";

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

  /**
   * Sends one request and turns an error answer into an UploadEngineError (see createPortalApi).
   * @returns the JSON body (or undefined) and the `Date` header.
   */
  async function send(path: string, body: unknown, call?: PortalCallOptions): Promise<{ json: unknown; status: number; date: string | null }> {
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
      const message = parsed.success
        ? parsed.data.error.message
        : res.status >= 500
          ? `The portal is not answering (HTTP ${res.status} for ${path}, not the portal's own answer): it may be restarting, or a proxy in front of it failed.`
          : `The portal answered HTTP ${res.status} for ${path}`;
      const retryAfterMs = res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers.get("retry-after"), Date.now()) : undefined;
      throw apiError(res.status, parsed.success ? parsed.data.error.code : undefined, message, retryAfterMs);
    }
    return { json, status: res.status, date: res.headers.get("date") };
  }

  /** Checks an answer with `schema`; adds `serverTime` from the `Date` header when asked and absent. */
  function parse<T>(path: string, answer: { json: unknown; status: number; date: string | null }, schema: z.ZodType<T>, withServerTime: boolean): T {
    const { json, date } = answer;
    if (withServerTime && date && json && typeof json === "object" && !("serverTime" in json)) {
      const time = Date.parse(date);
      if (Number.isFinite(time)) (json as Record<string, unknown>).serverTime = new Date(time).toISOString();
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new UploadEngineError("api", `The portal's answer to ${path} has an unexpected shape: ${parsed.error.message}`, {
        status: answer.status,
      });
    }
    return parsed.data;
  }

  async function post<T>(path: string, body: unknown, schema: z.ZodType<T>, call?: PortalCallOptions, withServerTime = false): Promise<T> {
    return parse(path, await send(path, body, call), schema, withServerTime);
  }

  /**
   * Sends `bodies` as one batch request to `path` (`{uploads: bodies}` → `{results}`, one per body).
   * @returns per item the checked answer or the UploadEngineError its single call would have thrown;
   *   `null` when the portal has no such route (HTTP 404: an older portal).
   * @throws the whole request's UploadEngineError (network, 401, 429 with retryAfterMs, 5xx, bad shape).
   */
  async function postBatch<T>(path: string, bodies: unknown[], key: "upload" | "session", schema: z.ZodType<T>, withServerTime: boolean): Promise<Array<T | UploadEngineError> | null> {
    let answer: Awaited<ReturnType<typeof send>>;
    try {
      answer = await send(path, { uploads: bodies });
    } catch (e) {
      if (e instanceof UploadEngineError && e.code === "api" && e.status === 404) return null;
      throw e;
    }
    const results = parse(path, answer, z.object({ results: z.array(z.unknown()).length(bodies.length) }), false).results;
    return results.map((r) => {
      const failed = batchItemError.safeParse(r);
      if (failed.success) {
        const { error, status, retryAfter } = failed.data;
        const retryAfterMs = (status === 429 || status === 503) && retryAfter !== undefined ? Math.min(MAX_RETRY_AFTER_MS, retryAfter * 1000) : undefined;
        return apiError(status, error.code, error.message, retryAfterMs);
      }
      const item = r && typeof r === "object" ? (r as Record<string, unknown>)[key] : undefined;
      try {
        return parse(path, { ...answer, json: item }, schema, withServerTime);
      } catch (e) {
        return e as UploadEngineError;
      }
    });
  }

  const route = (id: string, action: string) => `/api/uploads/${encodeURIComponent(id)}/${action}`;
  const completeBody = ({ parts, ...input }: CompleteInput) => (parts?.length ? { ...input, parts: wireParts(parts) } : input);
  const completed = z.looseObject({ status: z.string() });
  const createSession = coalesce<CreateSessionInput, UploadSession>(
    (input, call) => post("/api/uploads", input, session, call, true),
    (inputs) => postBatch("/api/uploads/batch", inputs, "upload", session, true),
  );
  const complete = coalesce<{ id: string; input: CompleteInput }, CompleteResult>(
    ({ id, input }, call) => post(route(id, "complete"), completeBody(input), completed, call),
    (items) => postBatch("/api/uploads/batch/complete", items.map(({ id, input }) => ({ sessionId: id, ...completeBody(input) })), "session", completed, false),
  );
  return {
    createSession,
    getSession: (id, call) => post(`/api/uploads/${encodeURIComponent(id)}`, undefined, existing, call),
    refreshCredentials: (id, call) => post(route(id, "credentials"), {}, z.object({ credentials }), call),
    signParts: (id, partNumbers, checksums, call) =>
      post(route(id, "sign"), checksums?.length ? { partNumbers, checksums } : { partNumbers }, signed, call, true),
    recordParts: (id, parts, call) => post(route(id, "parts"), { parts: wireParts(parts) }, z.object({ bytesConfirmed: z.number() }), call),
    complete: (id, input, call) => complete({ id, input }, call),
    abort: (id, call) => post(route(id, "abort"), {}, z.looseObject({ status: z.string() }), call),
  };
}

/** An item error of a batch answer: `{error: {code, message}, status, retryAfter? (s)}`. */
const batchItemError = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
  status: z.number().int().min(400).max(599),
  retryAfter: z.number().min(0).optional(),
});

/** The UploadEngineError of a portal error answer (HTTP `status`, the API's `code` and message), as every route call maps it. */
function apiError(status: number, code: string | undefined, message: string, retryAfterMs: number | undefined): UploadEngineError {
  if (status === 401) {
    // The sign-in ended (expired past its cap, signed out in another tab, CKAN token revoked).
    return new UploadEngineError("signed_out", SIGNED_OUT_MESSAGE, { status: 401, apiCode: code });
  }
  return new UploadEngineError("api", message, {
    status,
    apiCode: code,
    retryable: status === 429 || status >= 500,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  });
}

/** Most calls sent in one batch request (the portal's MAX_BATCH_ITEMS). */
export const MAX_BATCH_CALLS = 100;

/**
 * Coalesces concurrent calls of one kind (issue 12: many small files starting or finishing at once).
 * A call made while no request of this kind is in flight goes at once through `single` (so files that do
 * not overlap behave as before). Calls made while one is in flight wait in a queue; when it returns, up to
 * {@link MAX_BATCH_CALLS} of them go together through `batch` (one queued call alone goes through
 * `single`) — no timers, so the grouping depends only on the order of calls and answers. Each caller gets
 * exactly what its single call would give it: its item's answer or error; a whole-batch error is every
 * caller's (a 429 with its retryAfterMs). A caller whose signal fires while queued leaves the queue; once
 * sent, it rejects with the abort reason and its item's answer is ignored. When `batch` answers `null`
 * (the portal has no batch route), the calls go through `single`, and so do all later ones.
 */
function coalesce<I, O>(
  single: (input: I, call?: PortalCallOptions) => Promise<O>,
  batch: (inputs: I[]) => Promise<Array<O | UploadEngineError> | null>,
): (input: I, call?: PortalCallOptions) => Promise<O> {
  interface Waiter {
    input: I;
    call?: PortalCallOptions;
    settled: boolean;
    resolve(value: O): void;
    reject(error: unknown): void;
    detach(): void;
  }
  let inFlight = false;
  let batchRoute = true;
  const queue: Waiter[] = [];

  function sendSingle(w: Waiter): Promise<void> {
    return single(w.input, w.call).then(
      (v) => settle(w, () => w.resolve(v)),
      (e) => settle(w, () => w.reject(e)),
    );
  }

  function settle(w: Waiter, fn: () => void): void {
    if (w.settled) return;
    w.settled = true;
    w.detach();
    fn();
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const group = queue.splice(0, MAX_BATCH_CALLS);
      if (group.length === 1 || !batchRoute) {
        await Promise.all(group.map(sendSingle));
        continue;
      }
      let answers: Array<O | UploadEngineError> | null;
      try {
        answers = await batch(group.map((w) => w.input));
      } catch (e) {
        for (const w of group) settle(w, () => w.reject(e));
        continue;
      }
      if (answers === null) {
        batchRoute = false;
        await Promise.all(group.map(sendSingle));
        continue;
      }
      group.forEach((w, i) => {
        const a = answers[i];
        settle(w, () => (a instanceof UploadEngineError ? w.reject(a) : w.resolve(a as O)));
      });
    }
  }

  function run(first: Waiter): void {
    inFlight = true;
    void sendSingle(first)
      .then(drain)
      .finally(() => {
        inFlight = false;
      });
  }

  return (input, call) =>
    new Promise<O>((resolve, reject) => {
      const signal = call?.signal;
      if (signal?.aborted) return reject(abortReason(signal));
      const w: Waiter = {
        input,
        call,
        settled: false,
        resolve,
        reject,
        detach: () => signal?.removeEventListener("abort", onAbort),
      };
      const onAbort = () => {
        const at = queue.indexOf(w);
        if (at >= 0) queue.splice(at, 1);
        settle(w, () => reject(abortReason(signal!)));
      };
      if (!batchRoute) return void sendSingle(w);
      if (!inFlight) return run(w);
      signal?.addEventListener("abort", onAbort, { once: true });
      queue.push(w);
    });
}
