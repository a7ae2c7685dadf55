/**
 * Coalescing in createPortalApi (issue 12: small files go fast): calls made while one of their kind is in
 * flight are sent together as one batch request when it returns; each caller gets exactly what its single
 * call would give it. The fake fetch answers only when the test says so, so the grouping is deterministic.
 */
import { describe, expect, it } from "vitest";
import { createPortalApi } from "@/lib/uploader/fetch-portal-api";
import { UploadEngineError } from "@/lib/uploader/errors";
import type { CreateSessionInput } from "@/lib/uploader/portal-api";

type Pending = { url: string; body: any; respond(res: Response): void; signal?: AbortSignal | null };

/** A fetch whose answers the test gives, request by request. */
function heldFetch() {
  const pending: Pending[] = [];
  const waiters: Array<() => void> = [];
  const fetch = ((url: string | URL | Request, init?: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      init?.signal?.addEventListener("abort", () => reject(init.signal!.reason));
      pending.push({ url: String(url), body: init?.body ? JSON.parse(String(init.body)) : undefined, respond: resolve, signal: init?.signal });
      waiters.splice(0).forEach((w) => w());
    })) as typeof globalThis.fetch;
  /** The next unanswered request (waits for it to be sent). */
  async function next(): Promise<Pending> {
    while (pending.length === 0) await new Promise<void>((r) => waiters.push(r));
    return pending.shift()!;
  }
  return { fetch, next, pending };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

const session = (n: number) => ({
  sessionId: `s-${n}`, bucket: "b", region: "us-east-1", endpoint: null, forcePathStyle: true,
  key: `k-${n}`, uploadId: `u-${n}`, partSize: 5_242_880, partCount: 1, mode: "presigned",
});
const input = (n: number): CreateSessionInput => ({ datasetId: "d", fileName: `f-${n}.csv`, size: 65_536, contentType: "text/csv", lastModified: 1 });
const settled = <T>(p: Promise<T>) => p.then((v) => ({ ok: true as const, v }), (e: unknown) => ({ ok: false as const, e }));

describe("createPortalApi coalesces concurrent starts and completions", () => {
  it("the first call goes at once on the single route; calls made meanwhile become one batch request, answered per item", async () => {
    const f = heldFetch();
    const api = createPortalApi({ fetch: f.fetch });
    const first = api.createSession(input(0));
    const rest = [1, 2, 3].map((n) => settled(api.createSession(input(n))));
    const single = await f.next();
    expect(single.url).toBe("/api/uploads");
    expect(f.pending).toHaveLength(0); // the others wait for it
    single.respond(json(200, session(0)));
    expect((await first).sessionId).toBe("s-0");

    const batch = await f.next();
    expect(batch.url).toBe("/api/uploads/batch");
    expect(batch.body).toEqual({ uploads: [input(1), input(2), input(3)] });
    batch.respond(json(200, {
      results: [
        { upload: session(1) },
        { error: { code: "forbidden", message: "You may not add files to the dataset." }, status: 403 },
        { error: { code: "too_many_active_uploads", message: "You have 16 uploads under way." }, status: 429, retryAfter: 2 },
      ],
    }, { date: "Tue, 01 Jan 2030 00:00:00 GMT" }));
    const [a, b, c] = await Promise.all(rest);
    expect(a).toMatchObject({ ok: true, v: { sessionId: "s-1", serverTime: "2030-01-01T00:00:00.000Z" } });
    expect(b.ok).toBe(false);
    expect((b as { e: UploadEngineError }).e).toMatchObject({ code: "api", status: 403, apiCode: "forbidden", message: "You may not add files to the dataset.", retryable: false });
    expect((c as { e: UploadEngineError }).e).toMatchObject({ code: "api", status: 429, apiCode: "too_many_active_uploads", retryable: true, retryAfterMs: 2000 });
    expect((c as { e: UploadEngineError }).e.retryAfterMs).toBe(2000);
    expect(f.pending).toHaveLength(0);
  });

  it("completions: one batch request with parts on the wire as /complete takes them; a whole-batch 429 is every caller's", async () => {
    const f = heldFetch();
    const api = createPortalApi({ fetch: f.fetch });
    const first = settled(api.complete("s-0", {}));
    const parts = [{ partNumber: 1, size: 10, etag: '"e"', checksum: { algorithm: "CRC32C" as const, value: "AAAAAA==" } }];
    const second = settled(api.complete("s-1", { sha256: "a".repeat(64), parts }));
    const third = settled(api.complete("s-2", {}));
    (await f.next()).respond(json(200, { status: "completed" }));
    expect(await first).toMatchObject({ ok: true, v: { status: "completed" } });
    const batch = await f.next();
    expect(batch.url).toBe("/api/uploads/batch/complete");
    expect(batch.body).toEqual({ uploads: [{ sessionId: "s-1", sha256: "a".repeat(64), parts: [{ partNumber: 1, size: 10, etag: '"e"', checksum: "AAAAAA==" }] }, { sessionId: "s-2" }] });
    batch.respond(json(429, { error: { code: "rate_limited", message: "Too many upload starts: try again in 7 s." } }, { "retry-after": "7" }));
    for (const r of [await second, await third]) {
      expect(r.ok).toBe(false);
      expect((r as { e: UploadEngineError }).e).toMatchObject({ code: "api", status: 429, apiCode: "rate_limited", retryAfterMs: 7000 });
    }
  });

  it("a caller aborted while queued leaves the queue; one aborted after the batch was sent rejects with the reason, its answer ignored", async () => {
    const f = heldFetch();
    const api = createPortalApi({ fetch: f.fetch });
    const early = new AbortController();
    const late = new AbortController();
    const first = api.createSession(input(0));
    const gone = settled(api.createSession(input(1), { signal: early.signal }));
    const kept = settled(api.createSession(input(2)));
    const sentThenAborted = settled(api.createSession(input(3), { signal: late.signal }));
    early.abort(new UploadEngineError("aborted", "cancelled by the user"));
    expect(await gone).toMatchObject({ ok: false, e: { code: "aborted", message: "cancelled by the user" } });
    (await f.next()).respond(json(200, session(0)));
    await first;
    const batch = await f.next();
    expect(batch.body.uploads.map((u: CreateSessionInput) => u.fileName)).toEqual(["f-2.csv", "f-3.csv"]);
    late.abort();
    expect(await sentThenAborted).toMatchObject({ ok: false, e: { code: "aborted" } });
    batch.respond(json(200, { results: [{ upload: session(2) }, { upload: session(3) }] }));
    expect(await kept).toMatchObject({ ok: true, v: { sessionId: "s-2" } });
  });

  it("an older portal without the batch route (404): the queued calls, and every later one, go on the single route", async () => {
    const f = heldFetch();
    const api = createPortalApi({ fetch: f.fetch });
    const first = api.createSession(input(0));
    const queued = [1, 2].map((n) => api.createSession(input(n)));
    (await f.next()).respond(json(200, session(0)));
    await first;
    const batch = await f.next();
    expect(batch.url).toBe("/api/uploads/batch");
    batch.respond(new Response("<html>Not found</html>", { status: 404 }));
    const singles = [await f.next(), await f.next()];
    expect(singles.map((s) => [s.url, s.body.fileName])).toEqual([["/api/uploads", "f-1.csv"], ["/api/uploads", "f-2.csv"]]);
    singles.forEach((s, i) => s.respond(json(200, session(i + 1))));
    expect((await Promise.all(queued)).map((s) => s.sessionId)).toEqual(["s-1", "s-2"]);
    // Later concurrent calls are no longer queued: both go at once, on the single route.
    const later = [4, 5].map((n) => api.createSession(input(n)));
    const [x, y] = [await f.next(), await f.next()];
    expect([x.url, y.url]).toEqual(["/api/uploads", "/api/uploads"]);
    x.respond(json(200, session(4)));
    y.respond(json(200, session(5)));
    await Promise.all(later);
  });
});
