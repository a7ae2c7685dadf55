/**
 * A small round-robin HTTP load balancer for the multi-instance test (issue 14): each request goes to
 * the next target in turn, with `X-Forwarded-For` extended by the client's address (as nginx's
 * `$proxy_add_x_forwarded_for` does) and `X-Forwarded-Proto`/`Host` passed on. No sticky sessions:
 * the requests of one upload land on different instances on purpose.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { endToEndHeaders, PROXY_KEEP_ALIVE_MS } from "./hop-by-hop";

/** A running proxy: its URL, requests sent to each target, and `close()`. */
export interface RoundRobinProxy {
  url: string;
  /** Requests forwarded, per target (same order as the targets). */
  counts: number[];
  close(): Promise<void>;
}

/**
 * Starts the proxy on 127.0.0.1:`port` (0 = any free port) in front of `targets` (`http://host:port`).
 * `localAddress` is the address it connects to the targets from (e.g. 127.0.0.2, so that the portal
 * can tell the balancer from a client on the same machine: any 127.x address is loopback on Linux).
 */
export async function startRoundRobinProxy(targets: string[], port = 0, localAddress?: string): Promise<RoundRobinProxy> {
  const counts = targets.map(() => 0);
  let next = 0;
  const server = http.createServer((req, res) => {
    const i = next++ % targets.length;
    counts[i]!++;
    const target = new URL(targets[i]!);
    const prior = req.headers["x-forwarded-for"];
    const headers = { ...endToEndHeaders(req.headers), "x-forwarded-for": [prior, req.socket.remoteAddress].filter(Boolean).join(", "), "x-forwarded-proto": "http" };
    // agent: false — a new connection per request to the instance (as nginx does by default), so an
    // idle upstream connection can never be closed by the instance just as a request is written on it.
    const upstream = http.request({ host: target.hostname, port: target.port, localAddress, agent: false, method: req.method, path: req.url, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, endToEndHeaders(up.headers));
      up.pipe(res);
    });
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end("bad gateway");
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = PROXY_KEEP_ALIVE_MS;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
