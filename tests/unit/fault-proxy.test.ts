/** The e2e fault proxy itself (tests/support/fault-proxy.ts), against a tiny local store double. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy";

let store: http.Server;
let proxy: FaultProxy;
const hosts: string[] = [];

beforeAll(async () => {
  store = http.createServer((req, res) => {
    hosts.push(req.headers.host ?? "");
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { etag: '"abc"', "access-control-expose-headers": "ETag,x-amz-request-id" });
      res.end();
    });
  });
  await new Promise<void>((r) => store.listen(0, "127.0.0.1", () => r()));
  proxy = await startFaultProxy({ target: `http://127.0.0.1:${(store.address() as AddressInfo).port}`, port: 0 });
});
afterAll(async () => {
  await proxy.close();
  await new Promise((r) => store.close(r));
});
beforeEach(() => proxy.reset());

const putPart = (n: number, body = new Uint8Array(200 * 1024)) =>
  fetch(`${proxy.url}/bucket/key?partNumber=${n}&uploadId=2~x`, { method: "PUT", body, headers: { origin: "http://portal" } });

describe("fault proxy", () => {
  it("forwards with the original Host header and counts stored parts", async () => {
    const res = await putPart(1);
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe('"abc"');
    expect(hosts.at(-1)).toBe(new URL(proxy.url).host);
    expect(proxy.stats()).toMatchObject({ partPutsSeen: 1, storedParts: { 1: 1 } });
  });

  it("fails the n-th request with a readable S3 error", async () => {
    proxy.failNth(2);
    expect((await putPart(1)).status).toBe(200);
    const res = await putPart(2);
    expect(res.status).toBe(500);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://portal");
    expect(await res.text()).toContain("<Code>InternalError</Code>");
    expect((await putPart(3)).status).toBe(200);
  });

  it("fails exactly a fraction of part PUTs with 503 SlowDown and 500", async () => {
    proxy.failParts({ fraction: 0.1 });
    const statuses = [];
    for (let n = 1; n <= 20; n++) statuses.push((await putPart(n)).status);
    expect(statuses.filter((s) => s !== 200).sort()).toEqual([500, 503]);
    expect(proxy.stats().injected.failed).toBe(2);
  });

  it("resets a connection mid-body, strips the ETag, and refuses everything during an outage", async () => {
    proxy.resetParts(1);
    await expect(putPart(1, new Uint8Array(1024 * 1024))).rejects.toThrow();
    expect(proxy.stats().injected.reset).toBe(1);
    proxy.stripEtag(true);
    const stripped = await putPart(2);
    expect(stripped.headers.get("etag")).toBeNull();
    expect(stripped.headers.get("access-control-expose-headers")).toBe("x-amz-request-id");
    proxy.stripEtag(false);
    proxy.outage(60_000);
    await expect(putPart(3)).rejects.toThrow();
    expect(proxy.inOutage()).toBe(true);
    proxy.outage(0);
    expect((await putPart(4)).status).toBe(200);
  });
});
