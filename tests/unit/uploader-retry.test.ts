import { describe, expect, it, vi } from "vitest";
import { callWithRetry } from "@/lib/uploader/call-with-retry";
import type { Clock } from "@/lib/uploader/clock";
import { UploadEngineError } from "@/lib/uploader/errors";
import type { OnlineMonitor } from "@/lib/uploader/online";
import { DEFAULT_MAX_ATTEMPTS, backoffDelay, classify } from "@/lib/uploader/retry";
import { partHttpError } from "@/lib/uploader/s3-response";

/** An S3 error as the engine builds it from a real response (status + XML body). */
function s3Error(status: number, code?: string, message = "x"): UploadEngineError {
  const bodyText = code ? `<?xml version="1.0"?><Error><Code>${code}</Code><Message>${message}</Message></Error>` : "";
  return partHttpError({ status, bodyText, headers: () => null }, 1);
}

describe("classify", () => {
  it.each([
    ["network error", new UploadEngineError("network", "reset"), "retry"],
    ["stall timeout", new UploadEngineError("timeout", "stalled"), "retry"],
    ["500", s3Error(500), "retry"],
    ["502", s3Error(502), "retry"],
    ["503", s3Error(503), "retry"],
    ["504", s3Error(504), "retry"],
    ["429", s3Error(429), "retry"],
    ["503 SlowDown", s3Error(503, "SlowDown"), "retry"],
    ["400 RequestTimeout", s3Error(400, "RequestTimeout"), "retry"],
    ["500 InternalError", s3Error(500, "InternalError"), "retry"],
    ["503 ServiceUnavailable", s3Error(503, "ServiceUnavailable"), "retry"],
    ["400 ExpiredToken", s3Error(400, "ExpiredToken"), "refresh"],
    ["403 ExpiredToken", s3Error(403, "ExpiredToken"), "refresh"],
    ["400 TokenRefreshRequired", s3Error(400, "TokenRefreshRequired"), "refresh"],
    ["403 RequestTimeTooSkewed", s3Error(403, "RequestTimeTooSkewed"), "refresh"],
    ["403 AccessDenied Request has expired", s3Error(403, "AccessDenied", "Request has expired"), "refresh"],
    ["403 AccessDenied", s3Error(403, "AccessDenied", "Access Denied"), "fatal"],
    ["403 SignatureDoesNotMatch", s3Error(403, "SignatureDoesNotMatch"), "fatal"],
    ["400 InvalidArgument", s3Error(400, "InvalidArgument"), "fatal"],
    ["400 BadDigest", s3Error(400, "BadDigest"), "fatal"],
    ["404 NoSuchUpload", s3Error(404, "NoSuchUpload"), "fatal"],
    ["404 without body", s3Error(404), "fatal"],
    ["portal 503", new UploadEngineError("api", "down", { status: 503 }), "retry"],
    ["portal 409", new UploadEngineError("api", "conflict", { status: 409 }), "fatal"],
    ["missing ETag", new UploadEngineError("missing_etag", "cors"), "fatal"],
    ["paused", new UploadEngineError("paused", "p"), "fatal"],
    ["cancelled", new UploadEngineError("aborted", "a"), "fatal"],
    ["too large", new UploadEngineError("too_large", "t"), "fatal"],
    ["fetch TypeError", new TypeError("Failed to fetch"), "retry"],
    ["unknown error", new Error("bug"), "fatal"],
  ])("%s → %s", (_name, error, expected) => {
    expect(classify(error)).toBe(expected);
  });

  it("treats any 403 after the URL's expiry time as an expired URL", () => {
    const e = s3Error(403, "AccessDenied", "Access Denied");
    expect(classify(e, { now: 2_000, urlExpiresAt: 1_000 })).toBe("refresh");
    expect(classify(e, { now: 500, urlExpiresAt: 1_000 })).toBe("fatal");
  });

  it("sets retryable on parsed S3 errors from the same classifier", () => {
    expect(s3Error(503, "SlowDown").retryable).toBe(true);
    expect(s3Error(403, "AccessDenied").retryable).toBe(false);
    expect(s3Error(503, "SlowDown").s3Code).toBe("SlowDown");
  });

  it("reads ServerTime from RequestTimeTooSkewed, else the Date header", () => {
    const xml = "<Error><Code>RequestTimeTooSkewed</Code><Message>m</Message><ServerTime>2030-01-01T00:00:00Z</ServerTime></Error>";
    expect(partHttpError({ status: 403, bodyText: xml, headers: () => null }, 1).serverTime).toBe(Date.UTC(2030, 0, 1));
    const date = "Tue, 01 Jan 2030 00:20:00 GMT";
    const e = partHttpError({ status: 403, bodyText: "<Error><Code>RequestTimeTooSkewed</Code></Error>", headers: (n) => (n === "date" ? date : null) }, 1);
    expect(e.serverTime).toBe(Date.UTC(2030, 0, 1, 0, 20));
  });
});

describe("backoffDelay", () => {
  it("is 0 with random() = 0 (full jitter)", () => {
    for (let attempt = 1; attempt <= 10; attempt++) expect(backoffDelay(attempt, { random: () => 0 })).toBe(0);
  });

  it("doubles from baseMs up to capMs with random() ≈ 1", () => {
    const almostOne = () => 0.999_999;
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffDelay(a, { random: almostOne }));
    expect(delays).toEqual([499, 999, 1999, 3999, 7999, 15999, 29999, 29999]);
  });

  it("respects custom base and cap", () => {
    expect(backoffDelay(1, { baseMs: 100, capMs: 250, random: () => 0.999 })).toBe(99);
    expect(backoffDelay(5, { baseMs: 100, capMs: 250, random: () => 0.999 })).toBe(249);
  });

  it("stays within [0, min(cap, base·2^(n-1))) with real randomness", () => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      const d = backoffDelay(attempt);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(Math.min(30_000, 500 * 2 ** (attempt - 1)));
    }
  });
});

describe("callWithRetry", () => {
  const clock: Clock = { now: () => 0, sleep: vi.fn(async () => undefined) };
  const online: OnlineMonitor = { isOnline: () => true, waitUntilOnline: async () => undefined };

  it("makes at least 5 attempts by default before giving up", async () => {
    expect(DEFAULT_MAX_ATTEMPTS).toBeGreaterThanOrEqual(5);
    const fn = vi.fn(async () => {
      throw new UploadEngineError("api", "down", { status: 503 });
    });
    await expect(callWithRetry(fn, { clock, online })).rejects.toMatchObject({ code: "api", status: 503 });
    expect(fn).toHaveBeenCalledTimes(DEFAULT_MAX_ATTEMPTS);
  });

  it("does not retry fatal errors", async () => {
    const fn = vi.fn(async () => {
      throw new UploadEngineError("api", "forbidden", { status: 403 });
    });
    await expect(callWithRetry(fn, { clock, online })).rejects.toMatchObject({ status: 403 });
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("waits for the network while offline without spending attempts", async () => {
    let up = false;
    const waits = vi.fn(async () => {
      up = true;
    });
    const flaky: OnlineMonitor = { isOnline: () => up, waitUntilOnline: waits };
    let calls = 0;
    const fn = async () => {
      calls++;
      if (calls <= 3) {
        up = false;
        throw new UploadEngineError("network", "offline");
      }
      return "ok";
    };
    await expect(callWithRetry(fn, { clock, online: flaky, maxAttempts: 1 })).resolves.toBe("ok");
    expect(waits).toHaveBeenCalledTimes(3);
  });
});
