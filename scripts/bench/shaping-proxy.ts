/**
 * A shaping TCP proxy that makes 127.0.0.1 look like a long-distance link (issue 11, "A real link"):
 * this kernel has no netem, so `bench:upload --wan PROFILE` puts every peer's connections to the
 * store (Ceph RGW) through this proxy instead. It forwards bytes unchanged (SigV4 signatures stay
 * valid: the browser signs the Host it targets, this proxy, and RGW checks the Host it receives), so
 * CORS preflights, part PUTs and the single PUT all pay the same link.
 *
 * What it adds, per profile (`rttMs`, `upBytesPerSecond`, `windowBytes`):
 * - one round trip per new connection (the TCP handshake) before the client's bytes flow;
 * - half the round trip on every chunk each way (client → store after the chunk has crossed the
 *   uplink, store → client on every response chunk);
 * - one uplink of `upBytesPerSecond` shared by all connections (FIFO: a chunk occupies the link for
 *   bytes / rate, in arrival order); the downlink (responses) is not capped;
 * - a bounded per-connection queue: a connection may have at most `windowBytes` (default 4 MiB, about
 *   a TCP window with Linux's default buffers) sent but not yet "acknowledged" — a byte is
 *   acknowledged one round trip after it crossed the uplink — so one connection carries at most
 *   windowBytes per RTT and cannot fill a long fat pipe alone (4 MiB / 150 ms ≈ 28 MB/s).
 *
 * Accounting (`stats()`, reset by `resetStats()`): bytes up, uplink busy time, and the uplink's idle
 * time split by cause — idle while some request waited on a round trip (a handshake, a full window,
 * or a request fully sent whose answer has not arrived yet) versus idle while no request was
 * outstanding (the client itself was not sending: CPU, hashing, scheduling). Requests are framed by
 * their HTTP/1.1 headers (Content-Length bodies; a chunked request is counted but not framed), which
 * also counts the CORS preflights (OPTIONS).
 *
 * Time is injected (`Scheduler`) so the pure parts (uplink, delay line, accounting) are unit-tested
 * without real time: tests/unit/shaping-proxy.test.ts.
 */
import net from "node:net";

const MiB = 1024 * 1024;

/** A link profile: round-trip time (ms), uplink capacity (bytes/s), per-connection window (bytes). */
export interface LinkProfile {
  rttMs: number;
  upBytesPerSecond: number;
  /** Bytes a connection may have unacknowledged. Default 4 MiB. */
  windowBytes?: number;
}

/** The two profiles of issue 11. Mbit/s = 10^6 bits/s. */
export const WAN_PROFILES = {
  /** 40 ms RTT, 250 Mbit/s up: every peer nearly fills the link, so it measures overhead. */
  continental: { rttMs: 40, upBytesPerSecond: 250e6 / 8 },
  /** 150 ms RTT, 1 Gbit/s up: round trips and lanes decide (4 MiB / 150 ms ≈ 28 MB/s per connection). */
  intercontinental: { rttMs: 150, upBytesPerSecond: 1e9 / 8 },
} as const satisfies Record<string, LinkProfile>;
export type WanProfileName = keyof typeof WAN_PROFILES;

/** Time source and timers, in ms (any epoch). */
export interface Scheduler {
  now(): number;
  /** Runs `fn` at time `at` (at once, asynchronously, if `at` has passed). */
  at(at: number, fn: () => void): void;
}

/** Real time: `performance.now()` and `setTimeout`. */
export const realScheduler: Scheduler = {
  now: () => performance.now(),
  at: (at, fn) => void setTimeout(fn, Math.max(0, at - performance.now())),
};

/**
 * The shared uplink: `reserve(bytes)` books the next free slot of bytes / rate ms (FIFO across
 * connections) and returns when that chunk has fully crossed, in ms. It also integrates idle time by
 * cause: call `setWaiting(n)` whenever the number of connections waiting on a round trip changes.
 */
export class Uplink {
  private freeAt = -Infinity;
  private lastT: number;
  private waiting = 0;
  /** Bytes booked, uplink busy ms, idle ms while a request waited on a round trip, idle ms otherwise. */
  readonly totals = { bytes: 0, busyMs: 0, idleRttMs: 0, idleClientMs: 0 };

  constructor(
    private readonly bytesPerMs: number,
    private readonly scheduler: Scheduler,
  ) {
    this.lastT = scheduler.now();
  }

  /** Integrates the interval since the last event: busy until `freeAt`, then idle by the current cause. */
  private advance(): void {
    const t = this.scheduler.now();
    const idle = Math.max(0, t - Math.max(this.lastT, this.freeAt));
    if (this.waiting > 0) this.totals.idleRttMs += idle;
    else this.totals.idleClientMs += idle;
    this.lastT = t;
  }

  /** Books `bytes` on the link; returns the time (ms) the last byte has crossed. */
  reserve(bytes: number): number {
    this.advance();
    const start = Math.max(this.scheduler.now(), this.freeAt);
    const ms = bytes / this.bytesPerMs;
    this.freeAt = start + ms;
    this.totals.bytes += bytes;
    this.totals.busyMs += ms;
    return this.freeAt;
  }

  /** Changes the count of connections waiting on a round trip by `delta`. */
  addWaiting(delta: number): void {
    this.advance();
    this.waiting = Math.max(0, this.waiting + delta);
  }

  /** Brings the idle integrals up to now (before reading `totals`). */
  settle(): void {
    this.advance();
  }

  /** Zeroes the totals (the booking of chunks still crossing is kept). */
  reset(): void {
    this.advance();
    Object.assign(this.totals, { bytes: 0, busyMs: 0, idleRttMs: 0, idleClientMs: 0 });
  }
}

/** Runs callbacks in push order, each no earlier than its time: per-connection delivery keeps byte order. */
export class DelayLine {
  private readonly queue: Array<{ at: number; fn: () => void }> = [];
  private armed = false;

  constructor(private readonly scheduler: Scheduler) {}

  push(at: number, fn: () => void): void {
    this.queue.push({ at, fn });
    this.arm();
  }

  get pending(): number {
    return this.queue.length;
  }

  private arm(): void {
    if (this.armed || this.queue.length === 0) return;
    this.armed = true;
    this.scheduler.at(this.queue[0].at, () => {
      this.armed = false;
      const now = this.scheduler.now();
      while (this.queue.length > 0 && this.queue[0].at <= now) (this.queue.shift() as { fn: () => void }).fn();
      this.arm();
    });
  }
}

/**
 * Frames HTTP/1.1 requests in a client's byte stream: `feed(chunk)` returns the methods of requests
 * whose last byte is in the chunk (`complete`) and of those that started (`started`). Bodies are
 * framed by Content-Length; after a chunked request the stream is no longer framed (`lost`).
 */
export class RequestFramer {
  private header = "";
  private bodyLeft = 0;
  private method = "";
  lost = false;

  feed(chunk: Buffer): { started: string[]; complete: string[] } {
    const started: string[] = [];
    const complete: string[] = [];
    let i = 0;
    while (i < chunk.length && !this.lost) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= n;
        i += n;
        if (this.bodyLeft === 0) complete.push(this.method);
        continue;
      }
      const end = Math.min(chunk.length, i + 65536);
      const piece = chunk.subarray(i, end).toString("latin1");
      const before = this.header.length;
      this.header += piece;
      const headEnd = this.header.indexOf("\r\n\r\n");
      if (headEnd < 0) {
        if (this.header.length > 1 << 20) this.lost = true; // not HTTP as expected
        i = end;
        continue;
      }
      const head = this.header.slice(0, headEnd);
      i += headEnd + 4 - before;
      this.header = "";
      this.method = head.slice(0, head.indexOf(" "));
      started.push(this.method);
      if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
        this.lost = true;
        break;
      }
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      this.bodyLeft = length;
      if (length === 0) complete.push(this.method);
    }
    return { started, complete };
  }
}

/** What the proxy measured since the last `resetStats()`. Bytes, ms. */
export interface ShapingStats {
  /** Bytes sent up (client → store). */
  bytesUp: number;
  /** Connections opened. */
  connections: number;
  /** Requests by method (OPTIONS = CORS preflights). */
  requests: Record<string, number>;
  /** Uplink busy ms (bytesUp / rate). */
  busyMs: number;
  /** Uplink idle ms while at least one request waited on a round trip (handshake, full window, answer). */
  idleRttMs: number;
  /** Uplink idle ms while no request was outstanding (the client was not sending). */
  idleClientMs: number;
}

/** A running proxy. */
export interface ShapingProxy {
  /** `http://127.0.0.1:PORT`: use as the S3 endpoint. */
  url: string;
  port: number;
  profile: Required<LinkProfile>;
  stats(): ShapingStats;
  resetStats(): void;
  /** Closes every open connection (before a run, so no peer inherits another's warm connections). */
  dropConnections(): void;
  close(): Promise<void>;
}

/** Options of {@link startShapingProxy}. */
export interface ShapingProxyOptions extends LinkProfile {
  /** Where to forward, e.g. `http://127.0.0.1:7501` (host and port are used). */
  target: string;
  /** Port to listen on (127.0.0.1). Default 0: any free port. */
  port?: number;
  scheduler?: Scheduler;
}

/** Starts the proxy on 127.0.0.1. */
export async function startShapingProxy(opts: ShapingProxyOptions): Promise<ShapingProxy> {
  const scheduler = opts.scheduler ?? realScheduler;
  const profile: Required<LinkProfile> = { rttMs: opts.rttMs, upBytesPerSecond: opts.upBytesPerSecond, windowBytes: opts.windowBytes ?? 4 * MiB };
  const half = profile.rttMs / 2;
  const uplink = new Uplink(profile.upBytesPerSecond / 1000, scheduler);
  const target = new URL(opts.target);
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let requests: Record<string, number> = {};

  const server = net.createServer((client) => {
    connections++;
    sockets.add(client);
    client.pause();
    client.setNoDelay(true);
    const up = new DelayLine(scheduler);
    const down = new DelayLine(scheduler);
    const framer = new RequestFramer();
    let unacked = 0; // bytes sent up and not yet acknowledged
    let windowFull = false;
    let awaiting = 0; // requests fully sent, answer not yet back at the client
    let closed = false;
    const upstream = new net.Socket();
    sockets.add(upstream);
    upstream.setNoDelay(true);
    const destroy = () => {
      if (closed) return;
      closed = true;
      if (awaiting > 0) uplink.addWaiting(-awaiting);
      awaiting = 0;
      if (windowFull) uplink.addWaiting(-1);
      windowFull = false;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", destroy);
    upstream.on("error", destroy);
    // A closed side closes the other once what it sent has been delivered (through its delay line).
    client.on("close", () => {
      const closeWhenSent = () => (held.length > 0 ? scheduler.at(scheduler.now() + profile.rttMs, closeWhenSent) : up.push(scheduler.now() + half, destroy));
      closeWhenSent();
    });
    upstream.on("close", () => down.push(scheduler.now() + half, destroy));

    // The handshake: one round trip before the client's first byte leaves.
    uplink.addWaiting(1);
    scheduler.at(scheduler.now() + profile.rttMs, () => {
      uplink.addWaiting(-1);
      if (closed) return;
      upstream.connect(Number(target.port || 80), target.hostname, () => client.resume());
    });

    // Bytes read from the client but held back because the window is full; the client is paused meanwhile.
    const held: Buffer[] = [];
    const setWindowFull = (full: boolean) => {
      if (full === windowFull || closed) return;
      windowFull = full;
      uplink.addWaiting(full ? 1 : -1);
      if (full) client.pause();
      else client.resume();
    };
    /** Sends one slice: across the uplink, to the store half a round trip later, acknowledged a round trip later. */
    const send = (slice: Buffer) => {
      const { started, complete } = framer.feed(slice);
      for (const m of started) requests[m] = (requests[m] ?? 0) + 1;
      const crossed = uplink.reserve(slice.length);
      unacked += slice.length;
      const done = complete.length;
      up.push(crossed + half, () => {
        if (closed) return;
        upstream.write(slice);
        if (done > 0) {
          awaiting += done;
          uplink.addWaiting(done);
        }
      });
      scheduler.at(crossed + profile.rttMs, () => {
        unacked -= slice.length;
        pump();
      });
    };
    /** Sends held bytes while the window has room; pauses the client while anything is held. */
    const pump = () => {
      while (held.length > 0 && unacked < profile.windowBytes) {
        const head = held[0];
        const n = Math.min(head.length, profile.windowBytes - unacked);
        if (n === head.length) held.shift();
        else held[0] = head.subarray(n);
        send(head.subarray(0, n));
      }
      setWindowFull(held.length > 0);
    };
    client.on("data", (chunk: Buffer) => {
      held.push(chunk);
      pump();
    });
    client.on("end", () => {
      const endWhenSent = () => (held.length > 0 ? scheduler.at(scheduler.now() + profile.rttMs, endWhenSent) : up.push(scheduler.now() + half, () => !closed && upstream.end()));
      endWhenSent();
    });

    upstream.on("data", (chunk: Buffer) => {
      down.push(scheduler.now() + half, () => {
        if (closed) return;
        if (awaiting > 0) {
          uplink.addWaiting(-awaiting); // the answer (its first byte) is back
          awaiting = 0;
        }
        client.write(chunk);
      });
    });
    upstream.on("end", () => down.push(scheduler.now() + half, () => !closed && client.end()));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    profile,
    stats() {
      uplink.settle();
      const t = uplink.totals;
      return { bytesUp: t.bytes, connections, requests: { ...requests }, busyMs: t.busyMs, idleRttMs: t.idleRttMs, idleClientMs: t.idleClientMs };
    },
    resetStats() {
      uplink.reset();
      connections = 0;
      requests = {};
    },
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
