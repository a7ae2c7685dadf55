import { describe, expect, it } from "vitest";
import type { Clock } from "@/lib/uploader/clock";
import { UploadEngineError, throwIfAborted } from "@/lib/uploader/errors";
import type { FileUploadEvent } from "@/lib/uploader/events";
import { createPortalApi } from "@/lib/uploader/fetch-portal-api";
import { createFileUpload } from "@/lib/uploader/file-upload";
import type { UploadFile } from "@/lib/uploader/file-upload-options";
import { KiB } from "@/lib/uploader/limits";
import type { PortalApi } from "@/lib/uploader/portal-api";
import { parseRetryAfter } from "@/lib/uploader/rate-limit-wait";
import { bytesOf, sha256 } from "@/lib/uploader/testing/bytes";
import { FakePortal } from "@/lib/uploader/testing/fake-portal";
import { MemoryS3 } from "@/lib/uploader/testing/memory-s3";

/** An injected clock: sleeps advance virtual time (recorded) and return at once. */
function virtualClock() {
  let t = 1_700_000_000_000;
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => t,
    sleep: async (ms, signal) => {
      sleeps.push(ms);
      t += ms;
      await new Promise((resolve) => setTimeout(resolve, 0));
      throwIfAborted(signal);
    },
  };
  return { clock, sleeps };
}

/** The portal's 429 as `createPortalApi` turns it into an error. */
const limited = (seconds: number, code = "rate_limited") =>
  new UploadEngineError("api", `Too many upload starts: try again in ${seconds} s.`, { status: 429, apiCode: code, retryable: true, retryAfterMs: seconds * 1000 });

/** Fails the first `n` calls of `method` with a 429 (Retry-After `seconds`). */
function throttle(api: PortalApi, limits: Partial<Record<keyof PortalApi, { n: number; seconds: number }>>): PortalApi {
  const left = new Map(Object.entries(limits).map(([k, v]) => [k, v.n]));
  return new Proxy(api, {
    get(target, prop: string) {
      const fn = (target as unknown as Record<string, unknown>)[prop];
      if (typeof fn !== "function") return fn;
      return (...args: unknown[]) => {
        const rule = limits[prop as keyof PortalApi];
        if (rule && (left.get(prop) ?? 0) > 0) {
          left.set(prop, (left.get(prop) ?? 0) - 1);
          return Promise.reject(limited(rule.seconds));
        }
        return (fn as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe("429 Retry-After", () => {
  it("parses delay-seconds and HTTP-date", () => {
    expect(parseRetryAfter("7", 0)).toBe(7_000);
    expect(parseRetryAfter("Thu, 01 Jan 1970 00:00:30 GMT", 10_000)).toBe(20_000);
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });

  it("the fetch portal client carries Retry-After on a 429 error", async () => {
    const api = createPortalApi({
      fetch: async () => new Response(JSON.stringify({ error: { code: "too_many_active_uploads", message: "Too many uploads at once" } }), { status: 429, headers: { "retry-after": "12", "content-type": "application/json" } }),
    });
    const e = await api.createSession({ datasetId: "d", fileName: "a", size: 1, contentType: "text/plain", lastModified: 0 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UploadEngineError);
    expect(e).toMatchObject({ code: "api", status: 429, apiCode: "too_many_active_uploads", retryAfterMs: 12_000 });
  });

  it("waits Retry-After on session create, sign and part reports, then succeeds with no attempt spent and no part lost", async () => {
    const { clock, sleeps } = virtualClock();
    const s3 = new MemoryS3();
    const size = 10 * 16 * KiB;
    const bytes = bytesOf(size);
    const portal = new FakePortal({ s3, partSize: 16 * KiB, now: clock.now });
    const events: FileUploadEvent[] = [];
    const upload = createFileUpload({
      file: new File([bytes], "data.csv", { lastModified: 1 }) as UploadFile,
      datasetId: "ds-1",
      api: throttle(portal, { createSession: { n: 3, seconds: 30 }, signParts: { n: 2, seconds: 5 }, recordParts: { n: 2, seconds: 4 }, complete: { n: 1, seconds: 2 } }),
      transport: s3, clock, hashFile: null, probeStore: null, concurrency: 2, recordBatchSize: 3,
      maxAttempts: 1, // a 429 wait is not an attempt: with one attempt it must still complete
      random: () => 0,
      onEvent: (e) => events.push(e),
    });
    await upload.start();
    expect(upload.state).toBe("completed");
    expect(sha256(portal.object as Uint8Array)).toBe(sha256(bytes)); // every part recorded and assembled
    expect([...portal.recorded.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const waits = events.flatMap((e) => (e.type === "retry" && e.rateLimited ? [e] : []));
    expect(waits.filter((w) => w.what === "session").map((w) => w.delayMs)).toEqual([30_000, 30_000, 30_000]);
    // Two lanes may wait on one throttled sign batch: each says so.
    const signWaits = waits.filter((w) => w.what === "part");
    expect(signWaits.length).toBeGreaterThanOrEqual(2);
    expect(signWaits.every((w) => w.delayMs === 5_000 && w.attempt === 0)).toBe(true);
    expect(waits.filter((w) => w.what === "record").length).toBe(2);
    expect(waits.filter((w) => w.what === "complete").map((w) => w.delayMs)).toEqual([2_000]);
    expect(sleeps.filter((ms) => ms === 30_000)).toHaveLength(3); // it really waited, on the injected clock
    expect(events.some((e) => e.type === "error")).toBe(false);
  });

  it("a 429 without Retry-After is an ordinary retry that spends attempts", async () => {
    const { clock } = virtualClock();
    const s3 = new MemoryS3();
    const portal = new FakePortal({ s3, partSize: 16 * KiB, now: clock.now });
    const api = new Proxy(portal, {
      get(target, prop: string) {
        if (prop === "createSession") return () => Promise.reject(new UploadEngineError("api", "slow down", { status: 429, retryable: true }));
        return (target as unknown as Record<string, unknown>)[prop];
      },
    }) as PortalApi;
    const upload = createFileUpload({ file: new File([bytesOf(10)], "a.csv") as UploadFile, datasetId: "d", api, transport: s3, clock, hashFile: null, probeStore: null, maxAttempts: 2 });
    await upload.start();
    expect(upload.state).toBe("failed");
  });
});
