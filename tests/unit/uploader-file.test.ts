import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { checksumBytes } from "@/lib/uploader/checksum";
import { type Clock, systemClock } from "@/lib/uploader/clock";
import { UploadEngineError, throwIfAborted } from "@/lib/uploader/errors";
import { createInlineFileHasher } from "@/lib/uploader/file-hasher";
import type { FileUploadEvent, FileUploadState } from "@/lib/uploader/events";
import { createFileUpload } from "@/lib/uploader/file-upload";
import type { FileUploadOptions, UploadFile } from "@/lib/uploader/file-upload-options";
import { KiB, MAX_OBJECT_SIZE, MiB } from "@/lib/uploader/limits";
import type { OnlineMonitor } from "@/lib/uploader/online";
import type { PortalApi, RecordedPart } from "@/lib/uploader/portal-api";
import { MISSING_ETAG_MESSAGE } from "@/lib/uploader/s3-response";
import { FakePortal, type FakePortalOptions } from "@/lib/uploader/testing/fake-portal";
import { type Fault, MemoryS3, type PutInfo } from "@/lib/uploader/testing/memory-s3";
import { bytesOf, sha256 } from "@/lib/uploader/testing/bytes";
import type { PartTuner } from "@/lib/uploader/tuning";



/** Real time, but back-off sleeps return at once (they advance the clock instead). */
function fastClock(offsetMs = 0): Clock {
  let skipped = 0;
  return {
    now: () => Date.now() + offsetMs + skipped,
    sleep: async (ms, signal) => {
      skipped += ms;
      await new Promise((resolve) => setTimeout(resolve, 0));
      throwIfAborted(signal);
    },
  };
}

async function until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

interface SetupOptions extends Partial<Omit<FileUploadOptions, "file" | "api" | "transport">> {
  size: number;
  partSize?: number;
  mode?: "sts" | "presigned";
  faults?: (put: PutInfo) => Fault | undefined;
  s3Now?: () => number;
  portal?: Partial<FakePortalOptions>;
  wrapApi?: (api: PortalApi) => PortalApi;
}

function setup(o: SetupOptions) {
  const bytes = bytesOf(o.size);
  const file = new File([bytes], "data.csv", { lastModified: 1_700_000_000_000 }) as UploadFile;
  const s3 = new MemoryS3({ faults: o.faults, now: o.s3Now });
  const portal = new FakePortal({ s3, mode: o.mode ?? "presigned", partSize: o.partSize, ...o.portal });
  const events: FileUploadEvent[] = [];
  const { size: _s, partSize: _p, mode: _m, faults: _f, s3Now: _n, portal: _po, wrapApi, ...engineOpts } = o;
  const upload = createFileUpload({
    clock: fastClock(),
    ...engineOpts,
    file,
    datasetId: "ds-1",
    api: wrapApi ? wrapApi(portal) : portal,
    transport: s3,
    onEvent: (e) => events.push(e),
  });
  const states = () => events.flatMap((e) => (e.type === "state" ? [e.state] : []));
  const errors = () => events.flatMap((e) => (e.type === "error" ? [e.error] : []));
  const retries = () => events.flatMap((e) => (e.type === "retry" ? [e] : []));
  const progress = () => events.flatMap((e) => (e.type === "progress" ? [e.progress] : []));
  /** Displayed progress never goes down and never passes 100 %. */
  const expectSaneProgress = () => {
    const seen = progress();
    for (let i = 0; i < seen.length; i++) {
      expect(seen[i].bytesSent).toBeLessThanOrEqual(o.size);
      expect(seen[i].percent).toBeLessThanOrEqual(100);
      if (i > 0) expect(seen[i].bytesSent).toBeGreaterThanOrEqual(seen[i - 1].bytesSent);
    }
  };
  /** The stored object has exactly the file's bytes, and the recorded parts are S3's. */
  const expectStoredIntact = () => {
    expect(upload.state).toBe("completed");
    expect(portal.object).toBeDefined();
    expect(sha256(portal.object as Uint8Array)).toBe(sha256(bytes));
    const recorded = [...portal.recorded.values()].sort((a, b) => a.partNumber - b.partNumber);
    expect(recorded.map((p) => p.partNumber)).toEqual(recorded.map((_, i) => i + 1));
    expect(recorded.reduce((n, p) => n + p.size, 0)).toBe(o.size);
    expect(recorded.every((p) => /^"[0-9a-f]{32}"$/.test(p.etag))).toBe(true);
  };
  return { bytes, file, s3, portal, upload, events, states, errors, retries, progress, expectSaneProgress, expectStoredIntact };
}

describe("file upload: sizes (CASES 1)", () => {
  it("uploads a 0-byte file straight to complete, with no part requests", async () => {
    const t = setup({ size: 0 });
    await t.upload.start();
    t.expectStoredIntact();
    expect(t.s3.puts).toHaveLength(0);
    expect(t.portal.callsOf("signParts")).toHaveLength(0);
    expect(t.portal.callsOf("complete")).toHaveLength(1);
    expect(t.states()).toEqual(["preparing", "completing", "completed"]);
    expect(t.progress().at(-1)?.percent).toBe(100);
  });

  it.each([1, 5 * MiB - 1, 5 * MiB, 5 * MiB + 1, 10 * MiB, 3 * 5 * MiB + 1])(
    "uploads %i bytes with identical bytes (5 MiB parts)",
    async (size) => {
      const t = setup({ size });
      await t.upload.start();
      t.expectStoredIntact();
      expect(t.s3.puts.length).toBe(Math.ceil(size / (5 * MiB)));
      expect(t.states()).toEqual(["preparing", "uploading", "completing", "completed"]);
      expect(t.progress().at(-1)).toMatchObject({ bytesSent: size, percent: 100 });
      t.expectSaneProgress();
      expect(t.portal.callsOf("complete")[0].args[1]).toEqual({ sha256: sha256(t.bytes) }); // the whole-file hash (CASES 22)
    },
    30_000,
  );
});

/** The SigV4 Authorization header of a PUT, parsed (access key, scope, signed headers, signature). */
function authOf(put: PutInfo): { accessKey: string; scope: string; signedHeaders: string[]; signature: string } {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/,]+)\/([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(put.headers.authorization ?? "");
  if (!m) throw new Error(`not a SigV4 Authorization header: ${put.headers.authorization}`);
  return { accessKey: m[1], scope: m[2], signedHeaders: m[3].split(";"), signature: m[4] };
}

describe("file upload: STS mode with header-signed SigV4", () => {
  it("signs RGW-style UploadIds with ~ unescaped, in headers only, never sends x-amz-acl, completes", async () => {
    const t = setup({ size: 1 * MiB + 5, partSize: 256 * KiB, mode: "sts" });
    await t.upload.start();
    t.expectStoredIntact();
    expect(t.s3.puts.length).toBe(5);
    for (const put of t.s3.puts) {
      expect(put.url.search).toMatch(/^\?partNumber=\d+&uploadId=2~[0-9a-z]+$/);
      for (const name of ["X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-SignedHeaders"]) {
        expect(put.url.searchParams.has(name)).toBe(false);
      }
      const auth = authOf(put);
      expect(auth.accessKey).toBe("ASIAFAKE1");
      expect(auth.scope).toMatch(/^\d{8}\/us-east-1\/s3\/aws4_request$/);
      expect(auth.signedHeaders).toEqual(["host", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"]);
      expect(put.headers["x-amz-date"]).toMatch(/^\d{8}T\d{6}Z$/);
      expect(auth.scope.slice(0, 8)).toBe(put.headers["x-amz-date"].slice(0, 8));
      expect(put.headers["x-amz-security-token"]).toBe("token-1");
      expect(put.headers["x-amz-content-sha256"]).toBe("UNSIGNED-PAYLOAD");
      const names = Object.keys(put.headers).map((h) => h.toLowerCase());
      expect(names).not.toContain("host"); // the browser sets Host itself
      expect(names).not.toContain("x-amz-acl");
      expect(auth.signedHeaders).not.toContain("x-amz-acl");
      expect(put.url.search.toLowerCase()).not.toContain("x-amz-acl");
    }
  });

  it("refreshes expired credentials once and continues without spending attempts (CASES 10)", async () => {
    const t = setup({
      size: 1 * MiB, partSize: 128 * KiB, mode: "sts", maxAttempts: 1,
      faults: (p) => (p.index === 3 ? { kind: "expire-credentials" } : undefined),
    });
    await t.upload.start();
    t.expectStoredIntact();
    expect(t.portal.callsOf("refreshCredentials").length).toBeGreaterThanOrEqual(1);
    expect(t.retries().some((r) => r.decision === "refresh" && r.error.message.includes("ExpiredToken"))).toBe(true);
    expect(t.s3.puts.filter((p) => p.status === 400).every((p) => authOf(p).accessKey === "ASIAFAKE1")).toBe(true);
    const last = t.s3.puts.at(-1) as PutInfo;
    expect(authOf(last).accessKey).not.toBe("ASIAFAKE1");
    expect(authOf(last).accessKey).toMatch(/^ASIAFAKE\d+$/);
    expect(last.headers["x-amz-security-token"]).toBe(`token-${authOf(last).accessKey.slice("ASIAFAKE".length)}`);
  });

  it("corrects a client clock 20 minutes slow after RequestTimeTooSkewed (CASES 11)", async () => {
    const t = setup({ size: 1 * MiB, partSize: 128 * KiB, mode: "sts", maxAttempts: 1, concurrency: 2, clock: fastClock(-20 * 60_000) });
    await t.upload.start();
    t.expectStoredIntact();
    const skewed = t.s3.puts.filter((p) => p.status === 403);
    expect(skewed.length).toBeGreaterThanOrEqual(1);
    expect(skewed.length).toBeLessThanOrEqual(2); // only the requests in flight before the first correction
    expect(t.retries().every((r) => r.decision === "refresh")).toBe(true);
    expect(t.retries().some((r) => r.error.message.includes("RequestTimeTooSkewed"))).toBe(true);
    // The rejected requests carried the slow clock's x-amz-date; the accepted ones the corrected one.
    const signedAt = (p: PutInfo) => Date.parse(p.headers["x-amz-date"].replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
    for (const p of skewed) expect(Date.now() - signedAt(p)).toBeGreaterThan(15 * 60_000);
    for (const p of t.s3.puts.filter((q) => q.status === 200)) expect(Math.abs(Date.now() - signedAt(p))).toBeLessThanOrEqual(15 * 60_000);
  });

  it("uses the portal's clock from the start when the session carries serverTime", async () => {
    const t = setup({
      size: 512 * KiB, partSize: 128 * KiB, mode: "sts", maxAttempts: 1, clock: fastClock(-20 * 60_000),
      wrapApi: (api) => ({ ...bind(api), createSession: async (i) => ({ ...(await api.createSession(i)), serverTime: new Date().toISOString() }) }),
    });
    await t.upload.start();
    t.expectStoredIntact();
    expect(t.s3.puts.filter((p) => p.status === 403)).toHaveLength(0);
  });

  it("signs and sends a CRC32C per part, verified by the store and recorded", async () => {
    const t = setup({ size: 700 * KiB, partSize: 256 * KiB, mode: "sts", checksum: "CRC32C" });
    await t.upload.start();
    t.expectStoredIntact();
    for (const put of t.s3.puts) {
      expect(put.url.searchParams.has("X-Amz-SignedHeaders")).toBe(false);
      expect(authOf(put).signedHeaders).toEqual(expect.arrayContaining(["x-amz-checksum-crc32c", "x-amz-sdk-checksum-algorithm"]));
      expect(put.headers["x-amz-checksum-crc32c"]).toMatch(/^[A-Za-z0-9+/]{6}==$/);
      expect(put.headers["x-amz-sdk-checksum-algorithm"]).toBe("CRC32C");
    }
    expect([...t.portal.recorded.values()].every((p) => p.checksum?.algorithm === "CRC32C")).toBe(true);
  });

  it("fails with checksum_mismatch when the store computes another checksum", async () => {
    const t = setup({ size: 300 * KiB, partSize: 256 * KiB, mode: "sts", checksum: "SHA256", computeChecksum: async () => "AAAA" });
    expect(await (t.upload.start(), t.upload.settled())).toBe("failed");
    expect(t.errors()[0].code).toBe("checksum_mismatch");
  });
});

describe("memory S3: SigV4 auth, presigned query and header styles", () => {
  const NOW = Date.UTC(2026, 10, 29, 13, 40, 9);
  const amz = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, "");
  const base = "http://127.0.0.1:9000/bucket/k?partNumber=1&uploadId=2~u";
  const sig = "0".repeat(64);
  const headerAuth = (signedAtMs: number, signed: string[], extra: Record<string, string> = {}, accessKey = "AKID") => ({
    authorization: `AWS4-HMAC-SHA256 Credential=${accessKey}/${amz(signedAtMs).slice(0, 8)}/us-east-1/s3/aws4_request, SignedHeaders=${signed.join(";")}, Signature=${sig}`,
    "x-amz-date": amz(signedAtMs),
    "x-amz-security-token": "tok",
    "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    ...extra,
  });
  const queryUrl = (signedAtMs: number, expires: number, signed = "host") =>
    `${base}&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(`AKID/${amz(signedAtMs).slice(0, 8)}/us-east-1/s3/aws4_request`)}` +
    `&X-Amz-Date=${amz(signedAtMs)}&X-Amz-Expires=${expires}&X-Amz-SignedHeaders=${encodeURIComponent(signed)}&X-Amz-Signature=${sig}`;
  const basic = ["host", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"];
  const body = new Uint8Array([1, 2, 3]);
  let CRC = ""; // CRC32C of `body`, base64
  beforeAll(async () => {
    CRC = await checksumBytes(body, "CRC32C");
  });

  async function put(url: string, headers: Record<string, string>, fault?: Fault) {
    const s3 = new MemoryS3({ now: () => NOW, faults: (p) => (p.index === 1 ? fault : undefined) });
    s3.createUpload("2~u");
    const res = await s3.put({ url, headers, body: new Blob([body]), stallTimeoutMs: 1_000, onProgress: () => {} }, new AbortController().signal);
    return { s3, res, code: /<Code>([^<]+)<\/Code>/.exec(res.bodyText)?.[1] };
  }

  it("accepts a header-signed request within 15 minutes either side of its clock", async () => {
    for (const offset of [0, -15 * 60_000, 15 * 60_000, -14 * 60_000]) {
      const { res } = await put(base, headerAuth(NOW + offset, basic));
      expect(res.status, `offset ${offset}`).toBe(200);
      expect(res.headers("ETag")).toMatch(/^"[0-9a-f]{32}"$/);
    }
  });

  it.each([-16 * 60_000, 16 * 60_000])("rejects a header-signed request off by %i ms with RequestTimeTooSkewed", async (offset) => {
    const { res, code } = await put(base, headerAuth(NOW + offset, basic));
    expect(res.status).toBe(403);
    expect(code).toBe("RequestTimeTooSkewed");
    expect(res.bodyText).toContain(`<RequestTime>${amz(NOW + offset)}</RequestTime>`);
    expect(res.bodyText).toContain(`<ServerTime>${new Date(NOW).toISOString()}</ServerTime>`);
  });

  it("rejects a header-signed request without x-amz-date, and an unknown auth scheme", async () => {
    const { "x-amz-date": _d, ...noDate } = headerAuth(NOW, basic);
    expect((await put(base, noDate)).res.status).toBe(403);
    const { res, code } = await put(base, { authorization: "AWS AKID:sig", "x-amz-date": amz(NOW) });
    expect(res.status).toBe(400);
    expect(code).toBe("AuthorizationHeaderMalformed");
  });

  it("answers ExpiredToken for expired credentials, in both styles, for every later request with that key", async () => {
    const first = await put(base, headerAuth(NOW, basic), { kind: "expire-credentials" });
    expect([first.res.status, first.code]).toEqual([400, "ExpiredToken"]);
    expect([...first.s3.expiredAccessKeys]).toEqual(["AKID"]);
    const again = await first.s3.put(
      { url: base, headers: headerAuth(NOW, basic), body: new Blob([body]), stallTimeoutMs: 1_000, onProgress: () => {} },
      new AbortController().signal,
    );
    expect(again.status).toBe(400);
    const other = await first.s3.put(
      { url: base, headers: headerAuth(NOW, basic, {}, "AKID2"), body: new Blob([body]), stallTimeoutMs: 1_000, onProgress: () => {} },
      new AbortController().signal,
    );
    expect(other.status).toBe(200);
    const query = await put(queryUrl(NOW, 900), {}, { kind: "expire-credentials" });
    expect([query.res.status, query.code]).toEqual([400, "ExpiredToken"]);
  });

  it("requires a sent checksum header to be signed, and a signed one to be sent (header style)", async () => {
    const checksum = { "x-amz-checksum-crc32c": CRC, "x-amz-sdk-checksum-algorithm": "CRC32C" };
    const signedAll = [...basic, "x-amz-checksum-crc32c", "x-amz-sdk-checksum-algorithm"].sort();
    expect((await put(base, headerAuth(NOW, signedAll, checksum))).res.status).toBe(200);
    const unsigned = await put(base, headerAuth(NOW, basic, checksum));
    expect([unsigned.res.status, unsigned.code]).toEqual([403, "SignatureDoesNotMatch"]);
    const unsent = await put(base, headerAuth(NOW, signedAll));
    expect([unsent.res.status, unsent.code]).toEqual([403, "SignatureDoesNotMatch"]);
    const wrong = await put(base, headerAuth(NOW, signedAll, { ...checksum, "x-amz-checksum-crc32c": "AAAAAA==" }));
    expect([wrong.res.status, wrong.code]).toEqual([400, "BadDigest"]);
  });

  it("still checks presigned query URLs: skew, X-Amz-Expires and signed checksums", async () => {
    expect((await put(queryUrl(NOW - 60_000, 900), {})).res.status).toBe(200);
    const expired = await put(queryUrl(NOW - 10 * 60_000, 60), {});
    expect([expired.res.status, expired.code]).toEqual([403, "AccessDenied"]);
    const skewed = await put(queryUrl(NOW - 20 * 60_000, 3600), {});
    expect([skewed.res.status, skewed.code]).toEqual([403, "RequestTimeTooSkewed"]);
    const checksum = { "x-amz-checksum-crc32c": CRC, "x-amz-sdk-checksum-algorithm": "CRC32C" };
    expect((await put(queryUrl(NOW, 900, "host;x-amz-checksum-crc32c;x-amz-sdk-checksum-algorithm"), checksum)).res.status).toBe(200);
    expect((await put(queryUrl(NOW, 900), checksum)).code).toBe("SignatureDoesNotMatch");
  });

  it("leaves unsigned URLs (the fake portal's) unchecked", async () => {
    expect((await put(base, {})).res.status).toBe(200);
  });
});

/** Binds an object's methods so it can be spread. */
function bind(api: PortalApi): PortalApi {
  return {
    createSession: api.createSession.bind(api),
    getSession: api.getSession.bind(api),
    refreshCredentials: api.refreshCredentials.bind(api),
    signParts: api.signParts.bind(api),
    recordParts: api.recordParts.bind(api),
    complete: api.complete.bind(api),
    abort: api.abort.bind(api),
  };
}

describe("file upload: network and S3 failures (CASES 8, 9, 12)", () => {
  it("keeps every attempt for real errors after an outage: a 503 right after many unanswered tries does not fail the part", async () => {
    // Seven tries with no answer (more than maxAttempts), then one 503 SlowDown, then success.
    const faults = (p: { partNumber: number; attempt: number }): Fault | undefined =>
      p.partNumber !== 2 ? undefined : p.attempt <= 7 ? { kind: "reset" } : p.attempt === 8 ? { kind: "status", status: 503, code: "SlowDown", message: "Please reduce your request rate." } : undefined;
    const t = setup({ size: 1 * MiB, partSize: 256 * KiB, faults });
    await t.upload.start();
    t.expectStoredIntact();
    expect(t.s3.putsOf(2)).toHaveLength(9);
  });

  it("retries 500, 503 SlowDown and a reset mid-body, then stores identical bytes", async () => {
    const script: Record<number, Fault> = {
      1: { kind: "status", status: 500, code: "InternalError" },
      2: { kind: "status", status: 503, code: "SlowDown", message: "Please reduce your request rate." },
      3: { kind: "reset" },
    };
    const t = setup({ size: 1 * MiB, partSize: 256 * KiB, faults: (p) => (p.partNumber === 2 ? script[p.attempt] : undefined) });
    await t.upload.start();
    t.expectStoredIntact();
    t.expectSaneProgress();
    expect(t.s3.putsOf(2)).toHaveLength(4);
    expect(t.retries().filter((r) => r.partNumber === 2).map((r) => [r.attempt, r.error.code])).toEqual([
      [1, "http"],
      [2, "http"],
      [2, "network"], // no answer within the outage tolerance: not an attempt
    ]);
    expect(t.progress().at(-1)?.percent).toBe(100);
  });

  it("detects a stalled request with the watchdog and retries it", async () => {
    const t = setup({
      size: 512 * KiB, partSize: 256 * KiB, stallTimeoutMs: 30,
      faults: (p) => (p.partNumber === 1 && p.attempt === 1 ? { kind: "stall" } : undefined),
    });
    await t.upload.start();
    t.expectStoredIntact();
    expect(t.retries().map((r) => r.error.code)).toEqual(["timeout"]);
  });

  it("makes at least 5 attempts on a permanently failing part, then fails without aborting", async () => {
    const t = setup({ size: 1 * MiB, partSize: 256 * KiB, faults: (p) => (p.partNumber === 3 ? { kind: "status", status: 500 } : undefined) });
    await t.upload.start();
    expect(t.upload.state).toBe("failed");
    expect(t.s3.putsOf(3).length).toBeGreaterThanOrEqual(5);
    expect(t.s3.putsOf(3)).toHaveLength(6); // the default maxAttempts
    expect(t.errors()).toEqual([expect.objectContaining({ code: "http", partNumber: 3 })]);
    expect(t.portal.callsOf("abort")).toHaveLength(0);
    expect(t.portal.callsOf("complete")).toHaveLength(0);
    expect(t.s3.uploads.size).toBe(1); // parts stay for resume
  });

  it("waits for the network while offline instead of spending attempts", async () => {
    let offline = false;
    let waits = 0;
    const online: OnlineMonitor = {
      isOnline: () => !offline,
      waitUntilOnline: async () => {
        if (offline) waits++;
        offline = false;
      },
    };
    const t = setup({
      size: 512 * KiB, partSize: 256 * KiB, maxAttempts: 1, online,
      faults: (p) => {
        if (p.partNumber !== 1 || p.attempt > 3) return undefined;
        offline = true;
        return { kind: "reset" };
      },
    });
    await t.upload.start();
    t.expectStoredIntact();
    expect(waits).toBe(3);
  });

  it("retries a complete that fails with 503 and keeps the parts", async () => {
    const t = setup({ size: 512 * KiB, partSize: 256 * KiB, portal: { failCompleteTimes: 1 } });
    await t.upload.start();
    t.expectStoredIntact();
    expect(t.portal.callsOf("complete")).toHaveLength(2);
    expect(t.portal.callsOf("abort")).toHaveLength(0);
    expect(t.retries().map((r) => r.what)).toEqual(["complete"]);
  });
});

describe("file upload: configuration errors (CASES 19, 4)", () => {
  it("stops at once with the CORS fix when the ETag is not exposed", async () => {
    const t = setup({ size: 2 * MiB, partSize: 256 * KiB, faults: () => ({ kind: "strip-etag" }) });
    await t.upload.start();
    expect(t.upload.state).toBe("failed");
    const [error] = t.errors();
    expect(error.code).toBe("missing_etag");
    expect(error.message).toBe(MISSING_ETAG_MESSAGE);
    expect(error.message).toContain("ExposeHeaders");
    expect(error.message).toContain("ETag");
    expect(error.message).not.toContain("undefined");
    expect(t.s3.puts.length).toBeLessThanOrEqual(4); // no new part starts, none is retried
    expect(t.portal.callsOf("complete")).toHaveLength(0);
    expect(t.portal.callsOf("abort")).toHaveLength(0);
  });

  it("refuses a file over 48.8 TiB before any request", async () => {
    const huge = { size: MAX_OBJECT_SIZE + 1, name: "huge.bin", lastModified: 0, type: "", slice: () => new Blob() } as unknown as UploadFile;
    const s3 = new MemoryS3();
    const portal = new FakePortal({ s3 });
    const events: FileUploadEvent[] = [];
    const upload = createFileUpload({ file: huge, datasetId: "d", api: portal, transport: s3, onEvent: (e) => events.push(e) });
    await upload.start();
    expect(upload.state).toBe("failed");
    const error = events.find((e) => e.type === "error");
    expect(error).toMatchObject({ error: { code: "too_large" } });
    expect(JSON.stringify(error)).toContain("48.8 TiB");
    expect(portal.calls).toHaveLength(0);
  });
});

describe("file upload: pause, resume, cancel (CASES 14, 16, 17)", () => {
  const slow = (p: PutInfo): Fault | undefined => (p.attempt === 1 ? { kind: "delay", ms: 40 } : undefined);

  it("pauses with parts in flight (no error) and resumes to completion", async () => {
    const t = setup({ size: 2 * MiB, partSize: 256 * KiB, faults: slow });
    const run = t.upload.start();
    await until(() => t.s3.inFlight >= 2);
    t.upload.pause();
    expect(t.upload.state).toBe("paused");
    await run;
    expect(t.upload.state).toBe("paused");
    expect(t.errors()).toEqual([]);
    expect(t.s3.puts.filter((p) => p.outcome === "aborted").length).toBeGreaterThanOrEqual(2);
    expect(t.s3.inFlight).toBe(0);
    await t.upload.resume();
    t.expectStoredIntact();
    t.expectSaneProgress();
    expect(t.states()).toEqual(["preparing", "uploading", "paused", "uploading", "completing", "completed"]);
  });

  it("cancels: aborts requests and the multipart upload, sends nothing more", async () => {
    const t = setup({ size: 2 * MiB, partSize: 256 * KiB, faults: slow });
    void t.upload.start();
    await until(() => t.s3.inFlight >= 2);
    await t.upload.cancel();
    expect(t.upload.state).toBe("cancelled");
    expect(await t.upload.settled()).toBe("cancelled");
    expect(t.portal.callsOf("abort")).toHaveLength(1);
    expect(t.s3.uploads.size).toBe(0);
    const count = t.s3.puts.length;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(t.s3.puts.length).toBe(count);
    expect(t.portal.callsOf("complete")).toHaveLength(0);
    expect(t.errors()).toEqual([]);
  });

  it("resumes a session whose parts the portal already recorded: only missing parts are sent", async () => {
    const partSize = 256 * KiB;
    const size = 1 * MiB + 100;
    let seeded: RecordedPart[] = [];
    const t = setup({
      size, partSize,
      portal: {
        recordedParts: (uploadId) => {
          const stored = t.s3.uploads.get(uploadId as string) as Map<number, { bytes: Uint8Array; etag: string }>;
          seeded = [1, 2].map((n) => {
            const bytes = t.bytes.slice((n - 1) * partSize, n * partSize);
            const etag = `"${createHash("md5").update(bytes).digest("hex")}"`;
            stored.set(n, { bytes, etag });
            return { partNumber: n, size: partSize, etag };
          });
          return seeded;
        },
      },
    });
    await t.upload.start();
    t.expectStoredIntact();
    expect(seeded).toHaveLength(2);
    expect(t.s3.puts.map((p) => p.partNumber).sort()).toEqual([3, 4, 5]);
    expect(t.progress()[0].bytesSent).toBeGreaterThanOrEqual(2 * partSize);
  });

  it("resumes a failed upload (parts kept) when asked", async () => {
    let broken = true;
    const t = setup({ size: 1 * MiB, partSize: 256 * KiB, maxAttempts: 2, faults: (p) => (broken && p.partNumber === 4 ? { kind: "status", status: 503 } : undefined) });
    await t.upload.start();
    expect(t.upload.state).toBe("failed");
    broken = false;
    await t.upload.resume();
    t.expectStoredIntact();
    expect(t.s3.putsOf(1)).toHaveLength(1); // finished parts are not sent again
  });
});

describe("file upload: concurrency and batching", () => {
  it("never has more parts in flight than the limit (PART_TUNING=fixed)", async () => {
    const t = setup({ size: 12 * 64 * KiB, partSize: 64 * KiB, concurrency: 3, partTuning: "fixed", faults: () => ({ kind: "delay", ms: 5 }) });
    await t.upload.start();
    t.expectStoredIntact();
    expect(t.s3.maxInFlight).toBe(3);
  });

  it("asks the tuner for a new session's part size, reports every stored part to it, and follows its limit as it changes", async () => {
    let level = 2;
    const timed: number[] = [];
    const tuner: PartTuner = {
      mode: "adaptive",
      partSizeFor: (size) => (size > 0 ? 128 * KiB : undefined),
      concurrency: () => level,
      onPartDone: (bytes, ms) => {
        timed.push(bytes);
        expect(ms).toBeGreaterThanOrEqual(0);
        if (timed.length === 2) level = 5; // more lanes from the third part on
      },
      linkEstimate: () => undefined,
    };
    const t = setup({ size: 30 * 64 * KiB + 100, partSize: 64 * KiB, concurrency: 2, tuner, faults: () => ({ kind: "delay", ms: 2 }) });
    await t.upload.start();
    t.expectStoredIntact();
    expect(t.portal.callsOf("createSession")[0].args[0]).toMatchObject({ partSize: 128 * KiB }); // the portal was asked for the tuned size
    expect(timed).toHaveLength(31); // this fake portal keeps its own 64 KiB plan: 30 parts + 100 bytes
    expect(timed.reduce((a, b) => a + b, 0)).toBe(30 * 64 * KiB + 100);
    expect(t.s3.maxInFlight).toBeLessThanOrEqual(5);
  });

  it("signs ahead in batches of concurrency × 2 and records parts in batches, all before complete", async () => {
    // The system clock: the recorder's 60 s flush timer must not fire during this run.
    const t = setup({ size: 20 * 64 * KiB, partSize: 64 * KiB, concurrency: 2, recordBatchSize: 4, recordIntervalMs: 60_000, clock: systemClock });
    await t.upload.start();
    t.expectStoredIntact();
    const signCalls = t.portal.callsOf("signParts").map((c) => c.args[1] as number[]);
    expect(Math.max(...signCalls.map((b) => b.length))).toBe(4);
    expect(signCalls.length).toBeLessThan(20);
    expect(signCalls.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const recordCalls = t.portal.callsOf("recordParts");
    expect(recordCalls).toHaveLength(5);
    const completeIndex = t.portal.calls.findIndex((c) => c.method === "complete");
    const lastRecord = t.portal.calls.map((c) => c.method).lastIndexOf("recordParts");
    expect(lastRecord).toBeLessThan(completeIndex);
  });

  it("keeps sending parts while a part report is on its way to the portal", async () => {
    let release = () => {};
    const reportsHeld = new Promise<void>((resolve) => (release = resolve));
    const t = setup({
      size: 6 * 64 * KiB, partSize: 64 * KiB, concurrency: 1, recordBatchSize: 1,
      wrapApi: (api) => ({ ...bind(api), recordParts: async (...args) => (await reportsHeld, api.recordParts(...args)) }),
    });
    const run = t.upload.start();
    // one lane, every report held: all six parts are still sent (a lane that awaited its report would stop at part 1)
    await until(() => t.s3.puts.filter((p) => p.outcome === "stored").length === 6);
    expect(t.upload.state).toBe("uploading");
    release();
    await run;
    t.expectStoredIntact();
    const reported = t.portal.callsOf("recordParts").flatMap((c) => (c.args[1] as RecordedPart[]).map((p) => p.partNumber));
    expect(reported.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    const completeIndex = t.portal.calls.findIndex((c) => c.method === "complete");
    expect(t.portal.calls.map((c) => c.method).lastIndexOf("recordParts")).toBeLessThan(completeIndex);
  });

  it("sends per-part checksums to the sign route in presigned mode", async () => {
    const t = setup({ size: 300 * KiB, partSize: 256 * KiB, checksum: "SHA256" });
    await t.upload.start();
    t.expectStoredIntact();
    const sent = t.portal.callsOf("signParts").flatMap((c) => (c.args[2] as unknown[]) ?? []);
    expect(sent).toHaveLength(2);
    expect(t.s3.puts.every((p) => typeof p.headers["x-amz-checksum-sha256"] === "string")).toBe(true);
  });
});

describe("file upload: state guards", () => {
  it("rejects a second start and ignores pause when not active", async () => {
    const t = setup({ size: 10 });
    await t.upload.start();
    await expect(t.upload.start()).rejects.toMatchObject({ code: "invalid_state" });
    t.upload.pause();
    await t.upload.cancel();
    expect(t.upload.state).toBe<FileUploadState>("completed");
    expect(t.portal.callsOf("abort")).toHaveLength(0);
  });
});

describe("file upload: quick pause/resume/pause", () => {
  it("honours a pause issued right after resume, then completes on the next resume", async () => {
    const t = setup({ size: 1 * MiB, partSize: 128 * KiB, faults: (p) => (p.attempt === 1 ? { kind: "delay", ms: 30 } : undefined) });
    const first = t.upload.start();
    await until(() => t.s3.inFlight >= 1);
    t.upload.pause();
    const second = t.upload.resume();
    t.upload.pause();
    await Promise.all([first, second]);
    expect(t.upload.state).toBe("paused");
    const puts = t.s3.puts.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.s3.puts.length).toBe(puts);
    await t.upload.resume();
    t.expectStoredIntact();
    t.expectSaneProgress();
    expect(t.errors()).toEqual([]);
  });
});

describe("file upload: a small file hashes while its session is created (issue 11, many files)", () => {
  /** A hashFile that records when it was called (relative to createSession) and whether its hasher was disposed. */
  function spyHashing(log: string[]) {
    const made: Array<{ plan: { size: number; partSize: number; partCount: number }; disposed: boolean }> = [];
    const hashFile: NonNullable<FileUploadOptions["hashFile"]> = (file, plan, onDigest) => {
      log.push(`hash ${plan.partCount}`);
      const h = createInlineFileHasher(file, plan, onDigest);
      const entry = { plan, disposed: false };
      made.push(entry);
      return { ...h, dispose: () => ((entry.disposed = true), h.dispose()) };
    };
    const wrapApi = (api: PortalApi): PortalApi => ({
      ...api,
      getSession: api.getSession.bind(api), refreshCredentials: api.refreshCredentials.bind(api), signParts: api.signParts.bind(api),
      recordParts: api.recordParts.bind(api), abort: api.abort.bind(api),
      complete: async (id, input) => {
        log.push(`complete ${input.sha256 ?? "-"}`);
        return api.complete(id, input);
      },
      createSession: async (input) => {
        log.push("session asked");
        await new Promise((r) => setTimeout(r, 20));
        const s = await api.createSession(input);
        log.push("session created");
        return s;
      },
    });
    return { made, hashFile, wrapApi };
  }

  it("a 300 KiB file: hashing starts before the session is asked for, digests follow the session event, complete gets the SHA-256", async () => {
    const log: string[] = [];
    const spy = spyHashing(log);
    const t = setup({ size: 300 * KiB, mode: "sts", checksum: "CRC32C", hashFile: spy.hashFile, wrapApi: spy.wrapApi });
    await t.upload.start();
    t.expectStoredIntact();
    expect(log).toEqual(["hash 1", "session asked", "session created", `complete ${sha256(t.bytes)}`]);
    expect(spy.made).toHaveLength(1);
    const kinds = t.events.map((e) => e.type).filter((k) => k === "session" || k === "digest");
    expect(kinds).toEqual(["session", "digest"]);
  });

  it("a file over 5 MiB is hashed by the session's plan, after the session", async () => {
    const log: string[] = [];
    const spy = spyHashing(log);
    const t = setup({ size: 5 * MiB + 1, mode: "sts", checksum: "CRC32C", hashFile: spy.hashFile, wrapApi: spy.wrapApi, partTuning: "fixed" });
    await t.upload.start();
    t.expectStoredIntact();
    expect(log.slice(0, 3)).toEqual(["session asked", "session created", "hash 2"]);
  });

  it("a session that cannot be created disposes the early hasher", async () => {
    const log: string[] = [];
    const spy = spyHashing(log);
    const failing = (api: PortalApi): PortalApi => ({
      ...spy.wrapApi(api),
      createSession: async () => {
        throw new UploadEngineError("http", "not allowed", { status: 403, retryable: false });
      },
    });
    const t = setup({ size: 1 * KiB, mode: "sts", checksum: "CRC32C", hashFile: spy.hashFile, wrapApi: failing });
    await t.upload.start();
    expect(t.upload.state).toBe("failed");
    expect(spy.made).toHaveLength(1);
    expect(spy.made[0].disposed).toBe(true);
  });
});
