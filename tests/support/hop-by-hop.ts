/**
 * Hop-by-hop header handling for the test proxies (round-robin balancer, forward proxy, fault proxy).
 *
 * A proxy must not pass on the headers that describe one connection (RFC 9110 §7.6.1: `Connection`,
 * the fields it names, `Keep-Alive`, `Proxy-Connection`, `TE`, `Trailer`, `Transfer-Encoding`,
 * `Upgrade`). Passing the upstream's `Keep-Alive: timeout=5` to the client made the client keep an idle
 * connection longer than the proxy itself did, so a request could be written just as the proxy closed
 * it ("other side closed"): a race that only shows on a loaded machine.
 */
import type http from "node:http";

const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"];

/**
 * A copy of `headers` without the hop-by-hop fields (and those the `Connection` header names).
 * Node's HTTP stack then frames the message itself (Content-Length or chunked) and announces the
 * proxy's own keep-alive policy.
 */
export function endToEndHeaders<T extends http.IncomingHttpHeaders | http.OutgoingHttpHeaders>(headers: T): T {
  const out = { ...headers } as Record<string, unknown>;
  const named = String(headers.connection ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  for (const h of [...HOP_BY_HOP, ...named]) delete out[h];
  return out as T;
}

/**
 * Idle keep-alive time of the test proxies' servers (ms): longer than any client here keeps an idle
 * connection (undici 4 s, Chromium's idle sockets), so the client, not the proxy, closes idle
 * connections — as with a real load balancer (nginx 75 s, AWS ALB 60 s).
 */
export const PROXY_KEEP_ALIVE_MS = 65_000;
