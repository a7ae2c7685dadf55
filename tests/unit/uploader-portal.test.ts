import { describe, expect, it } from "vitest";
import type { Clock } from "@/lib/uploader/clock";
import { createPortalApi } from "@/lib/uploader/fetch-portal-api";
import type { PortalApi, SignPartsResult } from "@/lib/uploader/portal-api";
import { createPortalSigner } from "@/lib/uploader/portal-signer";

type Call = { url: string; body: unknown };

function fakeFetch(answer: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    const call = { url: String(url), body: init?.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    return answer(call);
  }) as typeof globalThis.fetch;
  return { calls, fetch };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

const session = {
  sessionId: "0f0e0d0c-0000-4000-8000-000000000001", bucket: "b", region: "us-east-1", endpoint: null, forcePathStyle: true,
  key: "k", uploadId: null, partSize: 5_242_880, partCount: 0, mode: "presigned",
};

describe("portal API over fetch", () => {
  it("posts JSON to /api/uploads and reads the portal's clock from the Date header", async () => {
    const f = fakeFetch(() => json(201, session, { date: "Tue, 01 Jan 2030 00:00:00 GMT" }));
    const api = createPortalApi({ baseUrl: "https://portal.test", fetch: f.fetch });
    const input = { datasetId: "d", fileName: "a.csv", size: 0, contentType: "text/csv", lastModified: 1 };
    const s = await api.createSession(input);
    expect(f.calls[0]).toEqual({ url: "https://portal.test/api/uploads", body: input });
    expect(s).toMatchObject({ sessionId: session.sessionId, uploadId: null, serverTime: "2030-01-01T00:00:00.000Z" });
  });

  it("turns {error: {code, message}} into an api error with status and code", async () => {
    const f = fakeFetch(() => json(403, { error: { code: "forbidden", message: "You may not edit this dataset." } }));
    const api = createPortalApi({ fetch: f.fetch });
    await expect(api.abort("s")).rejects.toMatchObject({ code: "api", status: 403, apiCode: "forbidden", message: "You may not edit this dataset.", retryable: false });
  });

  it("reports a proxy's HTML 502 as a retryable api error, and a failed fetch as network", async () => {
    const api502 = createPortalApi({ fetch: fakeFetch(() => new Response("<html>bad gateway</html>", { status: 502 })).fetch });
    await expect(api502.complete("s", {})).rejects.toMatchObject({ code: "api", status: 502, retryable: true });
    const down = createPortalApi({ fetch: (async () => { throw new TypeError("Failed to fetch"); }) as typeof fetch });
    await expect(down.complete("s", {})).rejects.toMatchObject({ code: "network" });
  });

  it("refuses an answer of the wrong shape with a clear message", async () => {
    const api = createPortalApi({ fetch: fakeFetch(() => json(200, { parts: [{ partNumber: 1 }] })).fetch });
    await expect(api.signParts("s", [1])).rejects.toMatchObject({ code: "api", message: expect.stringContaining("unexpected shape") });
  });

  it("sends part checksums to /parts as their base64 value, and routes by encoded session id", async () => {
    const f = fakeFetch(() => json(200, { bytesConfirmed: 10 }));
    const api = createPortalApi({ fetch: f.fetch });
    await api.recordParts("a/b", [{ partNumber: 1, size: 10, etag: '"e"', checksum: { algorithm: "CRC32C", value: "AAAAAA==" } }]);
    expect(f.calls[0]).toEqual({ url: "/api/uploads/a%2Fb/parts", body: { parts: [{ partNumber: 1, size: 10, etag: '"e"', checksum: "AAAAAA==" }] } });
  });
});

describe("portal signer", () => {
  function signerSetup(opts: { clockOffsetMs?: number; lifetimeMs?: number } = {}) {
    const calls: number[][] = [];
    const serverNow = () => Date.now();
    let now = Date.now() + (opts.clockOffsetMs ?? 0);
    const clock: Clock = { now: () => now, sleep: async () => undefined };
    const api = {
      signParts: async (_id: string, partNumbers: number[]): Promise<SignPartsResult> => {
        calls.push(partNumbers);
        const expiresAt = new Date(serverNow() + (opts.lifetimeMs ?? 900_000)).toISOString();
        return {
          serverTime: new Date(serverNow()).toISOString(),
          parts: partNumbers.map((n) => ({ partNumber: n, url: `https://s3/x?partNumber=${n}&v=${calls.length}`, headers: {}, expiresAt })),
        };
      },
    } as unknown as PortalApi;
    const signer = createPortalSigner({ api, sessionId: "s", batchSize: 4, clock });
    return { signer, calls, advance: (ms: number) => (now += ms) };
  }

  it("signs ahead in batches and coalesces concurrent requests", async () => {
    const t = signerSetup();
    t.signer.queue?.([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const urls = await Promise.all([1, 2, 3].map((n) => t.signer.sign(n, { contentLength: 1 })));
    expect(urls.map((u) => new URL(u.url).searchParams.get("partNumber"))).toEqual(["1", "2", "3"]);
    expect(t.calls).toEqual([[1, 2, 3, 4]]);
    await t.signer.sign(4, { contentLength: 1 });
    await t.signer.sign(5, { contentLength: 1 });
    expect(t.calls).toEqual([[1, 2, 3, 4], [5, 6, 7, 8]]);
  });

  it("re-signs a cached URL that is close to expiry, and after refresh()", async () => {
    const t = signerSetup();
    t.signer.queue?.([1, 2, 3]);
    await t.signer.sign(1, { contentLength: 1 });
    t.advance(850_000); // part 2's URL now has < 60 s left
    await t.signer.sign(2, { contentLength: 1 });
    expect(t.calls).toEqual([[1, 2, 3], [2, 3]]);
    await t.signer.refresh({ kind: "url_expired" });
    await t.signer.sign(3, { contentLength: 1 });
    expect(t.calls).toHaveLength(3);
  });

  it("judges expiry by the portal's clock when the client clock is 20 minutes ahead", async () => {
    const t = signerSetup({ clockOffsetMs: 20 * 60_000 });
    t.signer.queue?.([1, 2]);
    await t.signer.sign(1, { contentLength: 1 });
    await t.signer.sign(2, { contentLength: 1 }); // cached URL still fresh despite the clock
    expect(t.calls).toEqual([[1, 2]]);
  });

  it("signs a part with a checksum alone, with the checksum", async () => {
    const seen: unknown[] = [];
    const api = {
      signParts: async (_id: string, partNumbers: number[], checksums?: unknown) => {
        seen.push([partNumbers, checksums]);
        return { parts: partNumbers.map((n) => ({ partNumber: n, url: `https://s3/${n}`, headers: { "x-amz-checksum-crc32c": "AAAAAA==" }, expiresAt: new Date(Date.now() + 900_000).toISOString() })) };
      },
    } as unknown as PortalApi;
    const signer = createPortalSigner({ api, sessionId: "s" });
    signer.queue?.([1, 2, 3]);
    const signed = await signer.sign(1, { contentLength: 1, checksum: { algorithm: "CRC32C", value: "AAAAAA==" } });
    expect(seen).toEqual([[[1], [{ partNumber: 1, algorithm: "CRC32C", value: "AAAAAA==" }]]]);
    expect(signed.headers).toEqual({ "x-amz-checksum-crc32c": "AAAAAA==" });
  });
});
