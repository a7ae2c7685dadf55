/**
 * The Node transport: part PUTs with undici (`request`), streaming the part
 * from disk chunk by chunk (a {@link FileHandleSlice}) with an explicit
 * Content-Length (S3's UploadPart refuses chunked bodies without one), upload
 * progress as chunks are handed to the socket, the same stall watchdog as the
 * browser and a clean abort. Proxies: `createNodeDispatcher()` honours
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY (undici's EnvHttpProxyAgent); a custom CA
 * comes from NODE_EXTRA_CA_CERTS, which Node reads at start-up for every TLS
 * connection. Node-only: the engine core never imports this file.
 */
import { Readable } from "node:stream";
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from "undici";
import { UploadEngineError, abortReason, isUploadEngineError } from "../errors";
import { startStallWatchdog } from "../stall-watchdog";
import type { Transport, TransportRequest, TransportResponse } from "../transport";
import type { FileHandleSlice } from "./file-reader";

/** Headers never sent: set by undici itself, or refused by stores (`x-amz-acl`, CASES 20). */
const SKIPPED_HEADERS = new Set(["host", "content-length", "connection", "x-amz-acl", "transfer-encoding"]);

/**
 * The dispatcher for all of the command line's HTTP: EnvHttpProxyAgent when HTTPS_PROXY/HTTP_PROXY
 * (or lower-case) is set — it also honours NO_PROXY — else a plain keep-alive Agent.
 * `proxyTunnel: false`: an `http://` target goes to the proxy as a plain request in absolute form (RFC 9112
 * §3.2.2), as browsers and curl send it, not through a CONNECT tunnel (undici's default), which proxies
 * commonly refuse for ports other than 443 (Squid's default `http_access deny CONNECT !SSL_ports`).
 * `https://` targets are always tunnelled with CONNECT.
 * @param connections most sockets per origin (≥ parts in flight).
 */
export function createNodeDispatcher(connections = 16): Dispatcher {
  const env = process.env;
  const proxied = env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy;
  return proxied ? new EnvHttpProxyAgent({ connections, proxyTunnel: false } as EnvHttpProxyAgent.Options) : new Agent({ connections });
}

/**
 * OpenSSL / Node codes of a TLS certificate that does not verify (node:tls, `err.code`): an unknown or
 * private CA, a self-signed certificate, an expired one, or one for another host name.
 */
const CERTIFICATE_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT", "CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "CERT_UNTRUSTED", "CERT_REJECTED", "CERT_REVOKED",
  "CERT_SIGNATURE_FAILURE", "ERR_TLS_CERT_ALTNAME_INVALID", "HOSTNAME_MISMATCH",
]);

/**
 * The certificate problem behind a failed request (its `cause` chain), as `CODE: message`, or null when
 * the failure is not one. Such a failure is not an outage: retrying cannot fix it, the machine's trust
 * (NODE_EXTRA_CA_CERTS) or the server's certificate must change.
 */
export function certificateProblem(err: unknown): string | null {
  let e: unknown = err;
  for (let i = 0; i < 6 && e && typeof e === "object"; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CERTIFICATE_CODES.has(code)) return `${code}: ${(e as Error).message}`;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/** What to tell a user whose request to `what` (e.g. "The portal https://…") failed on certificate `problem`. */
export function certificateAdvice(what: string, problem: string): string {
  return `${what} presented a TLS certificate this machine does not trust (${problem}). If it is issued by a private CA, point NODE_EXTRA_CA_CERTS at that CA's certificate (PEM), e.g. NODE_EXTRA_CA_CERTS=/etc/ssl/my-ca.pem; never turn verification off.`;
}

/** Options of {@link createNodeTransport}. */
export interface NodeTransportOptions {
  /** undici dispatcher (proxy, connection pool). Default {@link createNodeDispatcher}. */
  dispatcher?: Dispatcher;
}

/** Creates the Node {@link Transport}. The request body must be a slice of a `NodeUploadFile`. */
export function createNodeTransport(opts: NodeTransportOptions = {}): Transport {
  const dispatcher = opts.dispatcher ?? createNodeDispatcher();
  return { put: (req, signal) => put(dispatcher, req, signal) };
}

async function put(dispatcher: Dispatcher, req: TransportRequest, signal: AbortSignal): Promise<TransportResponse> {
  if (signal.aborted) throw abortReason(signal);
  const slice = req.body as unknown as FileHandleSlice;
  const local = new AbortController();
  let failure: UploadEngineError | undefined;
  const fail = (e: UploadEngineError) => {
    failure ??= e;
    local.abort(e);
  };
  const onAbort = () => fail(abortReason(signal));
  signal.addEventListener("abort", onAbort, { once: true });
  const watchdog = startStallWatchdog(req.stallTimeoutMs, () =>
    fail(new UploadEngineError("timeout", `No upload progress for ${req.stallTimeoutMs} ms: the request stalled`, { retryable: true })),
  );
  const overall = req.timeoutMs && req.timeoutMs > 0
    ? setTimeout(() => fail(new UploadEngineError("timeout", `The request took longer than ${req.timeoutMs} ms`, { retryable: true })), req.timeoutMs)
    : undefined;
  let sent = 0;
  async function* body() {
    for await (const chunk of slice.chunks()) {
      yield chunk;
      sent += chunk.length;
      watchdog.kick();
      req.onProgress(sent);
    }
  }
  const headers: Record<string, string> = { "content-length": String(slice.size) };
  for (const [k, v] of Object.entries(req.headers)) if (!SKIPPED_HEADERS.has(k.toLowerCase())) headers[k] = v;
  try {
    const res = await request(req.url, {
      method: "PUT",
      headers,
      body: slice.size === 0 ? "" : Readable.from(body(), { objectMode: false }),
      signal: local.signal,
      dispatcher,
    });
    watchdog.kick();
    const bodyText = await res.body.text();
    return {
      status: res.statusCode,
      headers: (name) => {
        const v = res.headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
      },
      bodyText,
    };
  } catch (error) {
    if (failure) throw failure;
    if (signal.aborted) throw abortReason(signal);
    if (isUploadEngineError(error)) throw error;
    const certificate = certificateProblem(error);
    if (certificate) throw new UploadEngineError("network", certificateAdvice(`The store ${new URL(req.url).origin}`, certificate), { cause: error, retryable: false });
    const code = (error as { code?: string })?.code;
    throw new UploadEngineError("network", `The request got no answer (${code ?? String(error)})`, { cause: error, retryable: true });
  } finally {
    watchdog.stop();
    if (overall !== undefined) clearTimeout(overall);
    signal.removeEventListener("abort", onAbort);
  }
}
