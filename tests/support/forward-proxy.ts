/**
 * A small counting forward proxy for tests, as a corporate proxy behaves: plain HTTP requests in
 * absolute form (`GET http://host:port/path`, RFC 9112 §3.2.2) are forwarded and recorded one by one;
 * `CONNECT host:port` (RFC 9110 §9.3.6) opens a tunnel — for HTTPS targets — recorded once per tunnel
 * (what travels inside is encrypted). Anything else (a request in origin form) is answered 400, so a
 * client that mistakes the proxy for the server is caught.
 */
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { endToEndHeaders, PROXY_KEEP_ALIVE_MS } from "./hop-by-hop";

export interface ProxiedRequest {
  method: string;
  /** `host:port` of the target. */
  host: string;
  /** Path and query (plain HTTP); "" for a CONNECT tunnel. */
  path: string;
}

export interface ForwardProxy {
  url: string;
  port: number;
  /** Every plain request and every CONNECT, in arrival order. */
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

/** Starts the proxy on 127.0.0.1 (`port` 0 = any free port). */
export async function startForwardProxy(port = 0): Promise<ForwardProxy> {
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? "");
      if (target.protocol !== "http:") throw new Error("not http");
    } catch {
      res.writeHead(400, { "content-type": "text/plain" }).end("forward proxy: absolute http:// URL expected");
      return;
    }
    requests.push({ method: req.method ?? "GET", host: target.host, path: `${target.pathname}${target.search}` });
    const headers: http.OutgoingHttpHeaders = { ...endToEndHeaders(req.headers), host: target.host };
    delete headers["proxy-connection"];
    delete headers["proxy-authorization"];
    const upstream = http.request(
      { host: target.hostname, port: Number(target.port || 80), agent: false, method: req.method, path: `${target.pathname}${target.search}`, headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, endToEndHeaders(up.headers));
        up.pipe(res);
      },
    );
    upstream.on("error", (err) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`forward proxy: ${err.message}`);
    });
    req.pipe(upstream);
  });
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const [host, portText] = (req.url ?? "").split(":");
    requests.push({ method: "CONNECT", host: req.url ?? "", path: "" });
    const upstream = net.connect(Number(portText || 443), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    const fail = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on("error", fail);
    client.on("error", fail);
  });
  server.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.keepAliveTimeout = PROXY_KEEP_ALIVE_MS;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
