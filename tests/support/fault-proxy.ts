/**
 * A fault-injecting HTTP proxy between the browser and the S3 peer (Ceph RGW), for end-to-end tests of
 * the upload engine (issue 3). The portal tells browsers to use it through `S3_BROWSER_ENDPOINT`.
 *
 * Requests are forwarded with their original `Host` header: in sts mode the browser signs SigV4 with
 * the Host of the URL it targets (this proxy), and RGW verifies the signature with the Host it receives.
 *
 * Faults (each set at run time by the test that owns the proxy):
 * - `failNth(n)`: answer the n-th request from now (any method) with 500 InternalError;
 * - `failParts({fraction})`: answer exactly that fraction of part PUTs (every 1/fraction-th, so a run
 *   is reproducible) with 503 SlowDown or 500 InternalError, alternating;
 * - `resetParts(count)`: for the next `count` part PUTs, read part of the body, then destroy the connection;
 * - `stallParts(count)`: never answer the next `count` part PUTs (until the client gives up);
 * - `stallPartsAfter(n)`: let `n` more part PUTs through, then never answer any (null: stop);
 * - `outageAtPart(n, ms)`: start an outage of `ms` when the n-th part PUT from now arrives;
 * - `stripEtag(on)`: remove `ETag` from part responses and from `Access-Control-Expose-Headers`;
 * - `outage(ms)`: refuse every connection and request for `ms` milliseconds;
 * - `holdPartsAfter(n)`: let `n` more part PUTs through, then hold the rest unanswered (body unread)
 *   until `releaseHeld()` forwards them (keep holds shorter than the engine's 60 s stall timeout).
 * Counters: part PUTs attempted and answered 2xx by the store, per part number (`stats()`).
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { endToEndHeaders } from "./hop-by-hop";

/** What the proxy saw. */
export interface ProxyStats {
  /** Part PUTs that reached the proxy (any outcome). */
  partPutsSeen: number;
  /** Part PUTs the store answered 2xx, by part number: how many times each part was stored. */
  storedParts: Record<number, number>;
  /** Faults injected, by kind. */
  injected: Record<"failed" | "reset" | "stalled" | "refused" | "stripped", number>;
  /** Requests of any kind forwarded to the store. */
  forwarded: number;
  /** Part PUTs that carried an `x-amz-checksum-*` header. */
  withChecksum: number;
}

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Where to forward, e.g. `http://127.0.0.1:7480` (the S3 peer). */
  target: string;
  /** Port to listen on (127.0.0.1). 0 = any free port. */
  port: number;
}

/** A running proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:{port}`. */
  url: string;
  failNth(n: number): void;
  failParts(opts: { fraction: number }): void;
  resetParts(count: number): void;
  stallParts(count: number): void;
  stallPartsAfter(n: number | null): void;
  outageAtPart(n: number, ms: number): void;
  stripEtag(on: boolean): void;
  outage(ms: number): void;
  holdPartsAfter(n: number | null): void;
  /** Forwards every held part PUT and stops holding. */
  releaseHeld(): void;
  /** True while an outage window lasts. */
  inOutage(): boolean;
  stats(): ProxyStats;
  /** Clears every fault and counter. */
  reset(): void;
  close(): Promise<void>;
}

function partNumberOf(req: http.IncomingMessage): number | undefined {
  if (req.method !== "PUT" || !req.url) return undefined;
  const q = new URL(req.url, "http://x").searchParams;
  const n = Number(q.get("partNumber"));
  return q.has("uploadId") && Number.isInteger(n) && n > 0 ? n : undefined;
}

const s3Error = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;

/** Starts the proxy on 127.0.0.1. */
export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(opts.target);
  let nthCountdown = 0;
  let partFraction = 0;
  let failCredit = 0;
  let failToggle = false;
  let resets = 0;
  let stalls = 0;
  let passBeforeStall: number | null = null;
  let outageAt: { n: number; ms: number } | null = null;
  let strip = false;
  let outageUntil = 0;
  let holdAfter: number | null = null;
  let held: Array<() => void> = [];
  let stats: ProxyStats;
  const sockets = new Set<Socket>();
  const clear = () => {
    nthCountdown = 0;
    partFraction = 0;
    failCredit = 0;
    resets = 0;
    stalls = 0;
    passBeforeStall = null;
    outageAt = null;
    strip = false;
    outageUntil = 0;
    holdAfter = null;
    held.splice(0).forEach((forward) => forward());
    stats = { partPutsSeen: 0, storedParts: {}, injected: { failed: 0, reset: 0, stalled: 0, refused: 0, stripped: 0 }, forwarded: 0, withChecksum: 0 };
  };
  clear();
  const inOutage = () => Date.now() < outageUntil;

  /** An error answer the browser can read (CORS headers included), after draining the body. */
  const answer = (req: http.IncomingMessage, res: http.ServerResponse, status: number, code: string, message: string) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(status, {
        "content-type": "application/xml",
        "access-control-allow-origin": req.headers.origin ?? "*",
        "access-control-expose-headers": "ETag, x-amz-request-id",
        connection: "close",
      });
      res.end(s3Error(code, message));
    });
  };

  const server = http.createServer((req, res) => {
    if (inOutage()) {
      stats.injected.refused++;
      req.socket.destroy();
      return;
    }
    const part = partNumberOf(req);
    if (part !== undefined) stats.partPutsSeen++;
    if (part !== undefined && Object.keys(req.headers).some((h) => h.startsWith("x-amz-checksum-"))) stats.withChecksum++;
    if (nthCountdown > 0 && --nthCountdown === 0) {
      stats.injected.failed++;
      return answer(req, res, 500, "InternalError", "Injected failure of the n-th request.");
    }
    if (part !== undefined && outageAt && --outageAt.n <= 0) {
      outageUntil = Date.now() + outageAt.ms;
      outageAt = null;
      for (const sock of sockets) sock.destroy();
      stats.injected.refused++;
      return;
    }
    if (part !== undefined) {
      const stallNow = passBeforeStall !== null && passBeforeStall-- <= 0;
      if (stallNow) passBeforeStall = 0;
      if (stalls > 0 || stallNow) {
        if (!stallNow) stalls--;
        stats.injected.stalled++;
        req.resume(); // read the body, never answer
        return;
      }
      if (resets > 0) {
        resets--;
        stats.injected.reset++;
        let seen = 0;
        req.on("data", (chunk: Buffer) => {
          seen += chunk.length;
          if (seen >= 64 * 1024) req.socket.destroy(); // mid-body
        });
        req.on("end", () => req.socket.destroy());
        return;
      }
      failCredit += partFraction;
      if (partFraction > 0 && failCredit >= 1 - 1e-9) {
        failCredit -= 1;
        stats.injected.failed++;
        failToggle = !failToggle;
        return failToggle
          ? answer(req, res, 503, "SlowDown", "Please reduce your request rate.")
          : answer(req, res, 500, "InternalError", "We encountered an internal error. Please try again.");
      }
    }
    if (part !== undefined && holdAfter !== null && holdAfter-- <= 0) {
      holdAfter = 0;
      req.pause(); // the body stays in the socket until released
      held.push(() => forward(req, res, part));
      return;
    }
    forward(req, res, part);
  });

  function forward(req: http.IncomingMessage, res: http.ServerResponse, part: number | undefined): void {
    if (req.socket.destroyed) return; // a held request whose client went away (a closed tab)
    stats.forwarded++;
    const upstream = http.request(
      { host: target.hostname, port: target.port, agent: false, method: req.method, path: req.url, headers: endToEndHeaders(req.headers) }, // Host kept as received
      (up) => {
        const headers = endToEndHeaders(up.headers);
        if (strip) {
          if (headers.etag) stats.injected.stripped++;
          delete headers.etag;
          const expose = headers["access-control-expose-headers"];
          if (typeof expose === "string") headers["access-control-expose-headers"] = expose.split(",").map((h) => h.trim()).filter((h) => h.toLowerCase() !== "etag").join(",");
        }
        if (part !== undefined && up.statusCode && up.statusCode < 300) stats.storedParts[part] = (stats.storedParts[part] ?? 0) + 1;
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => req.socket.destroy());
    req.pipe(upstream);
    req.resume();
  }
  server.on("connection", (socket) => {
    if (inOutage()) {
      stats.injected.refused++;
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    failNth: (n) => void (nthCountdown = n),
    failParts: ({ fraction }) => {
      partFraction = fraction;
      failCredit = 0;
    },
    resetParts: (count) => void (resets = count),
    stallParts: (count) => void (stalls = count),
    stallPartsAfter: (n) => void (passBeforeStall = n),
    outageAtPart: (n, ms) => void (outageAt = { n, ms }),
    stripEtag: (on) => void (strip = on),
    outage: (ms) => {
      outageUntil = Date.now() + ms;
      for (const s of sockets) s.destroy(); // open keep-alive connections die too
    },
    holdPartsAfter: (n) => void (holdAfter = n),
    releaseHeld: () => {
      holdAfter = null;
      const list = held;
      held = [];
      list.forEach((f) => f());
    },
    inOutage,
    stats: () => structuredClone(stats),
    reset: clear,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
