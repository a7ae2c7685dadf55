/**
 * The test proxies (tests/support) behave like real ones at the connection level: they do not pass on
 * hop-by-hop headers, and they keep an idle client connection open longer than the client does.
 * CI once failed with "other side closed" on a POST through the round-robin balancer: it passed on
 * the instance's `Keep-Alive: timeout=5` while closing idle connections itself after 1 s, so on a
 * loaded machine a request could be written just as the balancer closed its connection.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startRoundRobinProxy, type RoundRobinProxy } from "../support/round-robin-proxy";
import { startForwardProxy } from "../support/forward-proxy";
import { endToEndHeaders, PROXY_KEEP_ALIVE_MS } from "../support/hop-by-hop";

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** An upstream that answers with hop-by-hop headers of its own (a 5 s keep-alive, a custom Connection token). */
async function upstream(): Promise<string> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain", connection: "keep-alive, x-hop", "x-hop": "secret", "keep-alive": "timeout=5" });
    res.end(`${req.method} ${req.url}`);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(() => new Promise((r) => { server.closeAllConnections(); server.close(r); }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** One request on `agent`; answers status, headers and the local port of the connection used. */
function get(url: string, agent: http.Agent, method = "GET"): Promise<{ status: number; headers: http.IncomingHttpHeaders; localPort: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent, method }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c) => (body += c)).on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, localPort: req.socket!.localPort!, body }));
    });
    req.on("error", reject).end();
  });
}

describe("test proxies", () => {
  it("endToEndHeaders drops the hop-by-hop fields and those Connection names, and keeps the rest", () => {
    expect(endToEndHeaders({ connection: "keep-alive, x-hop", "keep-alive": "timeout=5", "x-hop": "1", "transfer-encoding": "chunked", "content-type": "a/b", etag: '"e"' })).toEqual({ "content-type": "a/b", etag: '"e"' });
  });

  it("the round-robin balancer announces its own keep-alive, not the instance's, and keeps an idle connection past the old 1 s", async () => {
    const lb: RoundRobinProxy = await startRoundRobinProxy([await upstream(), await upstream()]);
    closers.push(() => lb.close());
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    closers.push(async () => agent.destroy());
    const first = await get(`${lb.url}/a`, agent);
    expect(first.body).toBe("GET /a");
    expect(first.headers["keep-alive"]).toBe(`timeout=${PROXY_KEEP_ALIVE_MS / 1000}`);
    expect(first.headers["x-hop"]).toBeUndefined();
    // Idle for longer than the balancer used to keep a connection: the same connection still answers.
    await new Promise((r) => setTimeout(r, 1_500));
    const second = await get(`${lb.url}/b`, agent, "POST");
    expect(second.body).toBe("POST /b");
    expect(second.localPort).toBe(first.localPort);
    expect(lb.counts).toEqual([1, 1]);
  });

  it("the forward proxy does not pass on the target's hop-by-hop headers either", async () => {
    const target = await upstream();
    const proxy = await startForwardProxy();
    closers.push(() => proxy.close());
    const agent = new http.Agent({ keepAlive: true });
    closers.push(async () => agent.destroy());
    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.request({ host: "127.0.0.1", port: proxy.port, path: `${target}/x`, agent }, resolve).on("error", reject).end(),
    );
    res.resume();
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-hop"]).toBeUndefined();
    expect(res.headers["keep-alive"]).toBe(`timeout=${PROXY_KEEP_ALIVE_MS / 1000}`);
  });
});
