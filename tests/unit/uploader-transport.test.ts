import { afterEach, describe, expect, it, vi } from "vitest";
import { UploadEngineError, pausedReason } from "@/lib/uploader/errors";
import type { TransportRequest } from "@/lib/uploader/transport";
import { createXhrTransport } from "@/lib/uploader/xhr-transport";

/** A scripted XMLHttpRequest: the test drives its events. */
class FakeXhr {
  method = "";
  url = "";
  headers: Record<string, string> = {};
  sent: unknown;
  aborted = false;
  status = 0;
  responseText = "";
  responseHeaders: Record<string, string> = {};
  upload: { onprogress: ((e: { loaded: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  onprogress: (() => void) | null = null;
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: unknown) {
    this.sent = body;
  }
  abort() {
    this.aborted = true;
  }
  getResponseHeader(name: string) {
    return this.responseHeaders[name.toLowerCase()] ?? null;
  }
  respond(status: number, headers: Record<string, string> = {}, body = "") {
    this.status = status;
    this.responseHeaders = headers;
    this.responseText = body;
    this.onload?.();
  }
}

afterEach(() => {
  vi.useRealTimers();
});

function setup(overrides: Partial<TransportRequest> = {}) {
  const xhr = new FakeXhr();
  const transport = createXhrTransport({ createXhr: () => xhr as unknown as XMLHttpRequest });
  const progress: number[] = [];
  const body = new Blob([new Uint8Array(100)]).slice(10, 60);
  const controller = new AbortController();
  const req: TransportRequest = {
    url: "https://s3.example/b/k?partNumber=1&uploadId=2~x",
    headers: { "x-amz-checksum-crc32c": "AAAAAA==", "x-amz-acl": "private", "Content-Length": "50" },
    body,
    stallTimeoutMs: 60_000,
    onProgress: (n) => progress.push(n),
    ...overrides,
  };
  const result = transport.put(req, controller.signal);
  return { xhr, result, progress, body, controller };
}

describe("xhr transport", () => {
  it("PUTs the slice itself (no ArrayBuffer copy), with the signed headers but never x-amz-acl", async () => {
    const t = setup();
    expect(t.xhr.method).toBe("PUT");
    expect(t.xhr.sent).toBe(t.body);
    expect(t.xhr.headers).toEqual({ "x-amz-checksum-crc32c": "AAAAAA==" });
    t.xhr.upload.onprogress?.({ loaded: 20 });
    t.xhr.upload.onprogress?.({ loaded: 50 });
    t.xhr.respond(200, { etag: '"abc"' });
    const res = await t.result;
    expect(res.status).toBe(200);
    expect(res.headers("ETag")).toBe('"abc"');
    expect(t.progress).toEqual([20, 50]);
  });

  it("resolves non-2xx responses with their XML body", async () => {
    const t = setup();
    t.xhr.respond(503, {}, "<Error><Code>SlowDown</Code></Error>");
    await expect(t.result).resolves.toMatchObject({ status: 503, bodyText: "<Error><Code>SlowDown</Code></Error>" });
  });

  it("rejects with network when the request gets no answer", async () => {
    const t = setup();
    t.xhr.onerror?.();
    await expect(t.result).rejects.toMatchObject({ code: "network" });
  });

  it("aborts and rejects with timeout when no progress arrives for stallTimeoutMs", async () => {
    const t = setup({ stallTimeoutMs: 30 });
    t.xhr.upload.onprogress?.({ loaded: 5 });
    const error = await t.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadEngineError);
    expect((error as UploadEngineError).code).toBe("timeout");
    expect(t.xhr.aborted).toBe(true);
  });

  it("keeps a request alive while progress continues", async () => {
    // Fake timers: with real ones, a loaded machine could delay a 15 ms step past the 40 ms watchdog.
    vi.useFakeTimers();
    const t = setup({ stallTimeoutMs: 40 });
    for (let i = 1; i <= 5; i++) {
      await vi.advanceTimersByTimeAsync(15);
      t.xhr.upload.onprogress?.({ loaded: i * 10 });
    }
    expect(t.xhr.aborted).toBe(false); // 75 ms in all, never 40 ms without progress
    t.xhr.respond(200, { etag: '"e"' });
    await expect(t.result).resolves.toMatchObject({ status: 200 });
  });

  it("aborts on the signal with its reason (pause is not an error)", async () => {
    const t = setup();
    t.controller.abort(pausedReason());
    await expect(t.result).rejects.toMatchObject({ code: "paused" });
    expect(t.xhr.aborted).toBe(true);
  });
});
