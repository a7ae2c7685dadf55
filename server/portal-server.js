// @ts-check
/**
 * The portal's production entry server: `node server.js` in the standalone build (scripts/standalone.mjs
 * copies this file over Next.js's generated server.js), or `node server/portal-server.js` in a built
 * checkout. It serves the Next.js app through Next's request handler and adds what the app cannot do
 * from a route handler:
 *   - x-portal-peer: the TCP peer's address, written over anything a client sent (the app uses it and
 *     TRUSTED_PROXIES to decide whether X-Forwarded-For may be believed; lib/ops/client-address.ts);
 *   - x-request-id: a new id per request, on the request (audit events store it) and on the answer;
 *   - one JSON log line per request (pino; LOG_LEVEL);
 *   - graceful shutdown: on SIGTERM/SIGINT stop accepting connections, let in-flight requests finish
 *     (at most SHUTDOWN_TIMEOUT_SECONDS, default 30), then exit.
 * Environment: PORT (3000), HOSTNAME (0.0.0.0), KEEP_ALIVE_TIMEOUT (ms), plus the portal's own settings.
 */
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { randomUUID } = require("node:crypto");

const dir = fs.existsSync(path.join(__dirname, ".next")) ? __dirname : path.join(__dirname, "..");
process.chdir(dir);
process.env.NODE_ENV = "production";
// The app believes x-portal-peer only when this server put it there (lib/ops/client-address.ts).
process.env.PORTAL_ENTRY_SERVER = "1";

const port = process.env.PORT ? parseInt(process.env.PORT, 10) : 3000; // 0: any free port
const hostname = process.env.HOSTNAME || "0.0.0.0";
const shutdownMs = (Number(process.env.SHUTDOWN_TIMEOUT_SECONDS) || 30) * 1000;
const keepAliveTimeout = parseInt(process.env.KEEP_ALIVE_TIMEOUT || "", 10);

const nextConfig = JSON.parse(fs.readFileSync(path.join(dir, ".next", "required-server-files.json"), "utf8")).config;
process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(nextConfig);

const pino = require("pino");
const os = require("node:os");
const log = pino({
  level: process.env.LOG_LEVEL || "info",
  base: { instance: process.env.INSTANCE_ID || `${os.hostname()}:${process.pid}` },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

async function main() {
  const next = require("next");
  const app = next({ dev: false, dir, hostname, port, conf: nextConfig });
  await app.prepare();
  const handle = app.getRequestHandler();
  let inFlight = 0;
  let draining = false;

  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    // Headers a client must not be able to set: replaced, never merged.
    req.headers["x-portal-peer"] = req.socket.remoteAddress || "";
    req.headers["x-request-id"] = requestId;
    res.setHeader("x-request-id", requestId);
    if (draining) res.setHeader("connection", "close");
    inFlight++;
    res.on("close", () => {
      inFlight--;
      const url = (req.url || "").split("?")[0];
      log.info({ msg: "request", requestId, method: req.method, path: url, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 });
      if (draining && inFlight === 0) finish(0);
    });
    handle(req, res).catch((err) => {
      log.error({ msg: "unhandled request error", requestId, err: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      }
    });
  });
  if (!Number.isNaN(keepAliveTimeout)) server.keepAliveTimeout = keepAliveTimeout;

  let finished = false;
  function finish(code) {
    if (finished) return;
    finished = true;
    log.info({ msg: "stopped", inFlight });
    process.exit(code);
  }
  function shutdown(signal) {
    if (draining) return;
    draining = true;
    log.info({ msg: "shutting down", signal, inFlight });
    server.close(() => finish(0));
    server.closeIdleConnections();
    if (inFlight === 0) setImmediate(() => finish(0));
    setTimeout(() => {
      log.warn({ msg: "shutdown timeout: requests still running", inFlight });
      finish(1);
    }, shutdownMs).unref();
  }
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

  server.listen(port, hostname, () => log.info({ msg: "listening", url: `http://${hostname}:${port}` }));
}

main().catch((err) => {
  log.fatal({ msg: "failed to start", err: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
