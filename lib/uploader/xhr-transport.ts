/**
 * The browser transport: XMLHttpRequest, which (unlike fetch) reports upload
 * progress byte by byte and aborts cleanly. Works in a window and a Web Worker.
 */
import { UploadEngineError, abortReason } from "./errors";
import { startStallWatchdog } from "./stall-watchdog";
import type { Transport, TransportRequest, TransportResponse } from "./transport";

/** Options of {@link createXhrTransport}. */
export interface XhrTransportOptions {
  /** Creates the request object. Default `new XMLHttpRequest()`; inject for tests. */
  createXhr?: () => XMLHttpRequest;
}

/**
 * Headers the browser sets itself (setting them throws or is ignored), plus
 * `x-amz-acl`, which must never be sent: new buckets have ACLs disabled and
 * reject it (CASES 20).
 */
const SKIPPED_HEADERS = new Set(["host", "content-length", "connection", "x-amz-acl"]);

/** Creates the XMLHttpRequest transport. */
export function createXhrTransport(opts: XhrTransportOptions = {}): Transport {
  const createXhr = opts.createXhr ?? (() => new XMLHttpRequest());
  return { put: (req, signal) => sendWithXhr(createXhr(), req, signal) };
}

function sendWithXhr(xhr: XMLHttpRequest, req: TransportRequest, signal: AbortSignal): Promise<TransportResponse> {
  return new Promise<TransportResponse>((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    let settled = false;
    let overall: ReturnType<typeof setTimeout> | undefined;
    const finish = (settle: () => void, abortXhr: boolean) => {
      if (settled) return;
      settled = true;
      watchdog.stop();
      if (overall !== undefined) clearTimeout(overall);
      signal.removeEventListener("abort", onAbort);
      if (abortXhr) xhr.abort();
      settle();
    };
    const fail = (error: UploadEngineError) => finish(() => reject(error), true);
    const watchdog = startStallWatchdog(req.stallTimeoutMs, () =>
      fail(new UploadEngineError("timeout", `No upload progress for ${req.stallTimeoutMs} ms: the request stalled`, { retryable: true })),
    );
    if (req.timeoutMs && req.timeoutMs > 0) {
      overall = setTimeout(
        () => fail(new UploadEngineError("timeout", `The request took longer than ${req.timeoutMs} ms`, { retryable: true })),
        req.timeoutMs,
      );
    }
    const onAbort = () => fail(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });

    xhr.open("PUT", req.url, true);
    for (const [name, value] of Object.entries(req.headers)) {
      if (!SKIPPED_HEADERS.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event) => {
      watchdog.kick();
      req.onProgress(event.loaded);
    };
    xhr.onprogress = () => watchdog.kick();
    xhr.onload = () => {
      if (xhr.status === 0) {
        fail(networkError());
        return;
      }
      const response: TransportResponse = {
        status: xhr.status,
        headers: (name) => xhr.getResponseHeader(name),
        bodyText: typeof xhr.responseText === "string" ? xhr.responseText : "",
      };
      finish(() => resolve(response), false);
    };
    xhr.onerror = () => finish(() => reject(networkError()), false);
    xhr.onabort = () => finish(() => reject(abortReason(signal)), false);
    // The slice is sent as is: a disk-backed Blob is streamed by the browser.
    xhr.send(req.body);
  });
}

function networkError(): UploadEngineError {
  return new UploadEngineError(
    "network",
    "The request got no answer: the connection was lost, or the browser blocked it (check the bucket's CORS rule allows PUT from this site)",
    { retryable: true },
  );
}
