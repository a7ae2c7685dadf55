/**
 * The HTTP stack, injected. The engine sends every part through a `Transport`;
 * the browser one is `xhr-transport.ts` (XMLHttpRequest: byte-level upload
 * progress and clean abort, which `fetch` lacks). Tests use a scripted fake.
 */

/** One part PUT. */
export interface TransportRequest {
  /** Presigned URL of the UploadPart request. */
  url: string;
  /** Headers that must be sent as signed (e.g. `x-amz-checksum-crc32c`). Never `x-amz-acl`. */
  headers: Record<string, string>;
  /**
   * The part's bytes: a `Blob` from `file.slice(start, end)`, sent as is. A
   * disk-backed slice is streamed from disk by the browser; never read it into
   * an ArrayBuffer to send it (copies, memory).
   */
  body: Blob;
  /** Overall time limit in ms; 0 or absent = none (large parts on slow links may take long). */
  timeoutMs?: number;
  /**
   * Abort and reject with code `timeout` when no upload progress (and no
   * response) arrives for this many ms. The engine's default is 60,000.
   */
  stallTimeoutMs: number;
  /** Called with the bytes of `body` sent so far (monotonic within one request). */
  onProgress(loadedBytes: number): void;
}

/** The answer to a part PUT, whatever its status. */
export interface TransportResponse {
  /** HTTP status; a transport rejects instead of returning status 0. */
  status: number;
  /** A response header by case-insensitive name, or null if absent or not exposed by CORS. */
  headers(name: string): string | null;
  /** The response body as text (S3 error XML on failure). */
  bodyText: string;
}

/**
 * Sends part PUTs.
 *
 * Contract: resolves with any HTTP response (2xx or not); rejects with an
 * `UploadEngineError` of code `network` (no answer), `timeout` (stalled or over
 * `timeoutMs`), or the signal's reason when `signal` aborts.
 */
export interface Transport {
  put(req: TransportRequest, signal: AbortSignal): Promise<TransportResponse>;
}
