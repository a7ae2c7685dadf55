/**
 * The engine's failure table (lib/uploader/README.md, issue 10 item 3): one test per cause — how it
 * is detected, what the user reads, what is kept, and whether the engine retries — against the
 * scripted fake store and portal in lib/uploader/testing.
 */
import { describe, expect, it, vi } from "vitest";
import type { Clock } from "@/lib/uploader/clock";
import { UploadEngineError, throwIfAborted } from "@/lib/uploader/errors";
import type { FileUploadEvent } from "@/lib/uploader/events";
import { createFileUpload } from "@/lib/uploader/file-upload";
import type { FileUploadOptions, UploadFile } from "@/lib/uploader/file-upload-options";
import { KiB } from "@/lib/uploader/limits";
import type { PortalApi } from "@/lib/uploader/portal-api";
import { SIGNED_OUT_MESSAGE, createPortalApi } from "@/lib/uploader/fetch-portal-api";
import { MISSING_ETAG_MESSAGE } from "@/lib/uploader/s3-response";
import type { SignInWaiter } from "@/lib/uploader/sign-in";
import { type StoreProbeResult, createFetchStoreProbe, sharedProbe } from "@/lib/uploader/store-probe";
import { FakePortal } from "@/lib/uploader/testing/fake-portal";
import { type Fault, MemoryS3, type PutInfo } from "@/lib/uploader/testing/memory-s3";
import { bytesOf, sha256 } from "@/lib/uploader/testing/bytes";

/** Real time, but sleeps return at once and advance the clock: `elapsed()` is the time the engine waited. */
function fastClock() {
  let skipped = 0;
  const clock: Clock = {
    now: () => Date.now() + skipped,
    sleep: async (ms, signal) => {
      skipped += ms;
      await new Promise((resolve) => setTimeout(resolve, 0));
      throwIfAborted(signal);
    },
  };
  return { clock, waited: () => skipped };
}

interface Setup extends Partial<Omit<FileUploadOptions, "file" | "api">> {
  size?: number;
  mode?: "sts" | "presigned";
  faults?: (put: PutInfo) => Fault | undefined;
  wrapApi?: (api: PortalApi) => PortalApi;
  file?: UploadFile;
}

function setup(o: Setup = {}) {
  const size = o.size ?? 1 * 1024 * KiB + 5; // 5 parts of 256 KiB
  const bytes = bytesOf(size);
  const file = o.file ?? (new File([bytes], "data.csv", { lastModified: 1_700_000_000_000 }) as UploadFile);
  const s3 = new MemoryS3({ faults: o.faults });
  const portal = new FakePortal({ s3, mode: o.mode ?? "presigned", partSize: 256 * KiB });
  const events: FileUploadEvent[] = [];
  const time = fastClock();
  const { size: _s, mode: _m, faults: _f, wrapApi, file: _file, ...engine } = o;
  const upload = createFileUpload({
    clock: time.clock,
    hashFile: null,
    probeStore: null,
    ...engine,
    file,
    datasetId: "ds-1",
    api: wrapApi ? wrapApi(portal) : portal,
    transport: engine.transport ?? s3,
    onEvent: (e) => events.push(e),
  });
  const errors = () => events.flatMap((e) => (e.type === "error" ? [e.error] : []));
  const intact = () => {
    expect(upload.state).toBe("completed");
    expect(sha256(portal.object as Uint8Array)).toBe(sha256(bytes));
  };
  return { s3, portal, upload, events, errors, intact, waited: time.waited };
}

/** Makes `method` of the portal throw `error` for its first `times` calls. */
function failing(method: keyof PortalApi, times: number | (() => boolean), error: () => unknown) {
  let calls = 0;
  const fails = () => (typeof times === "number" ? calls++ < times : times());
  return (api: PortalApi): PortalApi =>
    new Proxy(api, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop !== method || typeof value !== "function") return typeof value === "function" ? value.bind(target) : value;
        return async (...args: unknown[]) => {
          if (fails()) throw error();
          return value.apply(target, args);
        };
      },
    });
}

const signedOut = () => new UploadEngineError("signed_out", SIGNED_OUT_MESSAGE, { status: 401, apiCode: "unauthenticated" });

describe("failure table: the store", () => {
  it("an ETag missing from one response only (a proxy's glitch) is retried, not blamed on CORS", async () => {
    const t = setup({ faults: (p) => (p.partNumber === 2 && p.attempt === 1 ? { kind: "strip-etag" } : undefined) });
    await t.upload.start();
    t.intact();
    expect(t.errors()).toEqual([]);
    expect(t.s3.puts.filter((p) => p.partNumber === 2)).toHaveLength(2);
  });

  it("ETag missing from every response (CORS ExposeHeaders): fails at once with the named fix, parts kept", async () => {
    const t = setup({ faults: () => ({ kind: "strip-etag" }) });
    await t.upload.start();
    expect(t.upload.state).toBe("failed");
    expect(t.errors()).toEqual([expect.objectContaining({ code: "missing_etag", message: expect.stringContaining("ExposeHeaders") })]);
    expect(t.s3.puts.length).toBeLessThanOrEqual(5); // two misses in a row decide it; no back-off rounds
    expect(t.portal.callsOf("abort")).toHaveLength(0);
  });

  it("bucket CORS rule missing (no answer; the probe finds the store answering, but not under CORS): named within seconds, not after the outage tolerance", async () => {
    const probes: string[] = [];
    const t = setup({ faults: () => ({ kind: "reset" }), probeStore: async (url) => (probes.push(url), "cors") });
    await t.upload.start();
    expect(t.upload.state).toBe("failed");
    expect(t.errors()).toEqual([expect.objectContaining({ code: "cors", message: expect.stringContaining("CORS rule does not let this page") })]);
    expect(t.waited()).toBeLessThan(5_000); // the confirming probe's 1 s, not 300 s of outage
    expect(probes.length).toBeGreaterThanOrEqual(2); // a CORS verdict is confirmed by a second probe
    expect(t.portal.callsOf("abort")).toHaveLength(0);
  });

  it("store or network down (the probe gets no answer either): waited out as an outage, then completes", async () => {
    const t = setup({ faults: (p) => (p.index <= 12 ? { kind: "reset" } : undefined), probeStore: async () => "unreachable", maxAttempts: 2 });
    await t.upload.start();
    t.intact();
  });

  it("a connection reset while the store answers probes: retried as usual, completes", async () => {
    let probed = 0;
    const t = setup({ faults: (p) => (p.partNumber === 3 && p.attempt <= 2 ? { kind: "reset" } : undefined), probeStore: async () => (probed++, "ok") });
    await t.upload.start();
    t.intact();
    expect(probed).toBeGreaterThanOrEqual(1);
  });

  it.each([
    [403, "QuotaExceeded"],
    [400, "EntityTooLarge"],
    [507, "InsufficientStorage"],
  ])("store full or refusing the size (%i %s): fails at once as storage_refused, no retries, parts kept", async (status, code) => {
    const t = setup({ faults: (p) => (p.partNumber === 2 ? { kind: "status", status, code } : undefined), concurrency: 1 });
    await t.upload.start();
    expect(t.upload.state).toBe("failed");
    expect(t.errors()).toEqual([expect.objectContaining({ code: "storage_refused", message: expect.stringContaining("full, over its quota") })]);
    expect(t.s3.puts.filter((p) => p.partNumber === 2)).toHaveLength(1);
    expect(t.portal.callsOf("abort")).toHaveLength(0);
    expect([...t.portal.recorded.keys()]).toEqual([1]); // the stored part is recorded for resume
  });

  it.each(["AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"])("credentials refused (%s): new credentials first, then access_denied", async (code) => {
    const t = setup({ mode: "sts", faults: () => ({ kind: "status", status: 403, code }), concurrency: 1 });
    await t.upload.start();
    expect(t.upload.state).toBe("failed");
    expect(t.errors()).toEqual([expect.objectContaining({ code: "access_denied", message: expect.stringContaining("even after fresh ones") })]);
    expect(t.portal.callsOf("refreshCredentials")).toHaveLength(1);
    expect(t.s3.puts).toHaveLength(2);
  });

  it.each([
    [404, "NoSuchUpload", "http"],
    [400, "BadDigest", "checksum_mismatch"],
  ])("%i %s: fails at once (%s), not retried", async (status, code, engineCode) => {
    const t = setup({ faults: (p) => (p.partNumber === 1 ? { kind: "status", status, code } : undefined), concurrency: 1 });
    await t.upload.start();
    expect(t.errors()).toEqual([expect.objectContaining({ code: engineCode, message: expect.stringContaining(code) })]);
    expect(t.s3.puts).toHaveLength(1);
  });

  it("credentials refused once (a key the store had not seen yet): the refresh cures it, completes", async () => {
    const t = setup({ mode: "sts", faults: (p) => (p.index === 1 ? { kind: "status", status: 403, code: "InvalidAccessKeyId" } : undefined), concurrency: 1 });
    await t.upload.start();
    t.intact();
    expect(t.portal.callsOf("refreshCredentials")).toHaveLength(1);
  });
});

describe("failure table: the browser and the local file", () => {
  it("the file became unreadable mid-upload (NotReadableError): named as such, not as a network fault", async () => {
    // A file deleted or changed on disk: every read fails, and the browser's PUT of its slice gets no answer.
    const unreadable = { size: 1, arrayBuffer: () => Promise.reject(new DOMException("The file could not be read.", "NotReadableError")) };
    const broken = { size: 600 * KiB, name: "gone.csv", lastModified: 1, type: "", slice: () => unreadable } as unknown as UploadFile;
    const noAnswer = { put: async () => Promise.reject(new UploadEngineError("network", "Network error", { retryable: true })) };
    const t = setup({ file: broken, transport: noAnswer });
    await t.upload.start();
    expect(t.upload.state).toBe("failed");
    expect(t.errors()).toEqual([expect.objectContaining({ code: "file_unreadable", message: expect.stringContaining('"gone.csv" can no longer be read') })]);
  });
});

describe("failure table: the portal and CKAN", () => {
  function waiter() {
    let release!: () => void;
    let released = false;
    const signedIn = new Promise<void>((r) => (release = r));
    let waits = 0;
    const w: SignInWaiter = { waitUntilSignedIn: () => (waits++, signedIn) };
    return { w, release: () => ((released = true), release()), waits: () => waits, signedOut: () => !released };
  }

  it("sign-in ended (401) while recording parts: says so, keeps every part, spends no attempts, continues by itself after a new sign-in", async () => {
    const auth = waiter();
    const t = setup({ signIn: auth.w, maxAttempts: 1, recordBatchSize: 1, wrapApi: failing("recordParts", auth.signedOut, signedOut) });
    const run = t.upload.start();
    await expect.poll(() => t.events.some((e) => e.type === "signed-out")).toBe(true);
    expect(t.events.find((e) => e.type === "signed-out")).toEqual({ type: "signed-out", message: SIGNED_OUT_MESSAGE });
    await expect.poll(() => t.s3.puts.length).toBe(5); // parts go on meanwhile
    expect(t.upload.state).not.toBe("failed");
    auth.release();
    await run;
    t.intact();
    expect(t.errors()).toEqual([]);
    expect(t.events.filter((e) => e.type === "signed-out")).toHaveLength(1);
    expect(t.events.filter((e) => e.type === "signed-in")).toHaveLength(1);
    expect(t.s3.puts).toHaveLength(5); // nothing sent twice
  });

  it("sign-in ended while signing parts (presigned mode): the part waits for a new sign-in, not an attempt", async () => {
    const auth = waiter();
    const t = setup({ signIn: auth.w, maxAttempts: 1, wrapApi: failing("signParts", auth.signedOut, signedOut) });
    const run = t.upload.start();
    await expect.poll(() => auth.waits()).toBeGreaterThanOrEqual(1);
    auth.release();
    await run;
    t.intact();
  });

  it("sign-in ended without a way to wait for a new one (Node, a CLI): fails with signed_out", async () => {
    const t = setup({ wrapApi: failing("complete", 1, signedOut) });
    await t.upload.start();
    expect(t.upload.state).toBe("failed");
    expect(t.errors()).toEqual([expect.objectContaining({ code: "signed_out", message: SIGNED_OUT_MESSAGE })]);
  });

  it("portal down for a while (no answer to complete): waited out like a store outage, completes", async () => {
    const network = () => new UploadEngineError("network", "The portal could not be reached", { retryable: true });
    const t = setup({ maxAttempts: 2, wrapApi: failing("complete", 10, network) });
    await t.upload.start();
    t.intact();
  });

  it("portal down for longer than the outage tolerance: fails with what the user should know", async () => {
    const network = () => new UploadEngineError("network", "The portal could not be reached (/api/uploads/x/complete: no answer — it is down, restarting, or the network is interrupted)", { retryable: true });
    const t = setup({ maxAttempts: 2, outageToleranceMs: 10_000, wrapApi: failing("complete", 1_000, network) });
    await t.upload.start();
    expect(t.upload.state).toBe("failed");
    expect(t.errors()[0].message).toContain("The portal could not be reached");
  });

  it("portal rate limit (429): retried, completes", async () => {
    const limited = () => new UploadEngineError("api", "Too many requests", { status: 429, apiCode: "rate_limited", retryable: true });
    const t = setup({ wrapApi: failing("complete", 2, limited) });
    await t.upload.start();
    t.intact();
  });

  it.each([
    [404, "not_found"],
    [409, "conflict"],
    [403, "forbidden"],
  ])("portal %i %s: fails at once with the portal's message, nothing aborted", async (status, apiCode) => {
    const refused = () => new UploadEngineError("api", `The portal says ${apiCode}`, { status, apiCode });
    const t = setup({ wrapApi: failing("complete", 100, refused) });
    await t.upload.start();
    expect(t.errors()).toEqual([expect.objectContaining({ code: "api", apiCode, message: `The portal says ${apiCode}` })]);
    expect(t.events.filter((e) => e.type === "retry" && e.what === "complete")).toHaveLength(0);
    expect(t.portal.callsOf("abort")).toHaveLength(0);
  });

  it("CKAN down (portal 502 ckan_failed): retried, then reported with the portal's words; the object stays stored", async () => {
    const ckan = () => new UploadEngineError("api", "CKAN failed or is unreachable (http): 503", { status: 502, apiCode: "ckan_failed", retryable: true });
    const t = setup({ wrapApi: failing("complete", 100, ckan) });
    await t.upload.start();
    expect(t.upload.state).toBe("failed");
    expect(t.errors()).toEqual([expect.objectContaining({ code: "api", apiCode: "ckan_failed", message: expect.stringContaining("CKAN") })]);
    expect(t.events.filter((e) => e.type === "retry" && e.what === "complete")).toHaveLength(5); // 6 attempts
    expect(t.portal.callsOf("abort")).toHaveLength(0);
  });
});

describe("failure table: the page's resume store", () => {
  it("a store that cannot be written (no IndexedDB, quota) is reported once and never throws", async () => {
    const { createResumeWriter } = await import("@/components/uploader/resume-store");
    vi.stubGlobal("indexedDB", { open: () => { throw new DOMException("The quota has been exceeded.", "QuotaExceededError"); } });
    const seen: unknown[] = [];
    const writer = createResumeWriter("ds-1", new File(["x"], "a.csv"), 0, (e) => seen.push(e));
    writer.start({ sessionId: "s1", key: "k", uploadId: "u", partSize: 5, partCount: 1 });
    await writer.flush();
    await writer.flush();
    expect(seen).toHaveLength(1);
    expect((seen[0] as DOMException).name).toBe("QuotaExceededError");
    vi.unstubAllGlobals();
  });
});

describe("fetch portal API: what each answer becomes", () => {
  const api = (status: number, body: string, type = "application/json") =>
    createPortalApi({ fetch: async () => new Response(body, { status, headers: { "content-type": type } }) });

  it("401 (signed out, expired, token revoked) → signed_out with the row's message", async () => {
    await expect(api(401, JSON.stringify({ error: { code: "session_expired", message: "x" } })).complete("s1", {})).rejects.toMatchObject({ code: "signed_out", status: 401, apiCode: "session_expired", message: SIGNED_OUT_MESSAGE });
  });

  it("a proxy's HTML 502 (the portal itself down) is told apart from the portal's JSON 502 ckan_failed", async () => {
    await expect(api(502, "<html>Bad Gateway</html>", "text/html").complete("s1", {})).rejects.toMatchObject({ code: "api", status: 502, message: expect.stringContaining("The portal is not answering") });
    await expect(api(502, JSON.stringify({ error: { code: "ckan_failed", message: "CKAN failed or is unreachable (http): boom" } })).complete("s1", {})).rejects.toMatchObject({ apiCode: "ckan_failed", message: expect.stringContaining("CKAN failed") });
  });

  it("no answer → network, naming the portal", async () => {
    const down = createPortalApi({ fetch: async () => Promise.reject(new TypeError("Failed to fetch")) });
    await expect(down.complete("s1", {})).rejects.toMatchObject({ code: "network", message: expect.stringContaining("The portal could not be reached") });
  });
});

describe("store probe", () => {
  const fetchOf = (cors: boolean, reachable: boolean): typeof fetch => async (_url, init) => {
    if (init?.mode === "cors" && !cors) throw new TypeError("Failed to fetch");
    if (!reachable) throw new TypeError("Failed to fetch");
    return new Response(null, { status: 403 });
  };
  it.each<[boolean, boolean, StoreProbeResult]>([
    [true, true, "ok"],
    [false, true, "cors"],
    [false, false, "unreachable"],
  ])("CORS answer %s, reachable %s → %s", async (cors, reachable, expected) => {
    expect(await createFetchStoreProbe(fetchOf(cors, reachable))("http://s3.example/b/k?partNumber=1&uploadId=u", ["x-amz-checksum-crc32c"])).toBe(expected);
  });

  it("probes with a made-up UploadId and the part's header names, never the real upload", async () => {
    const seen: Array<{ url: string; init?: RequestInit }> = [];
    await createFetchStoreProbe(async (url, init) => (seen.push({ url: String(url), init }), new Response(null, { status: 404 })))("http://s3.example/b/key.csv?partNumber=3&uploadId=real&X-Amz-Signature=abc", ["x-amz-checksum-crc32c"]);
    expect(seen[0].url).toBe("http://s3.example/b/key.csv?partNumber=1&uploadId=cors-probe");
    expect(seen[0].init).toMatchObject({ method: "PUT", mode: "cors", credentials: "omit", headers: { "x-amz-checksum-crc32c": "probe" } });
  });

  it("a CORS verdict that does not hold a second later is not believed", async () => {
    const answers: StoreProbeResult[] = ["cors", "ok"];
    const probe = sharedProbe(async () => answers.shift() ?? "ok", async () => undefined, () => Date.now());
    expect(await probe("http://s3.example/b/k", [])).toBe("ok");
  });
});
