/**
 * `npm run bench:api` — the control plane (issue 11): N concurrent simulated uploads against a production
 * build of the portal (the standalone server, `node .next/standalone/server.js`, as `npm start` runs it)
 * whose CKAN, S3 and STS are stubs answering after a fixed latency (scripts/bench/api-stubs.ts), so that
 * what is measured is the portal's own time.
 *
 * Each virtual upload does what the browser engine does (lib/uploader): `POST /api/uploads` (create), then
 * per batch of 8 parts (the engine's sign batch and part-report batch at 4 parts in flight) —
 * presigned mode: `POST …/sign` for the next 8 parts; the parts "travel" for 8 × partSize / --upload-mbps;
 * `POST …/parts` reports them — and finally `POST …/complete`. In sts mode there is no sign call; each
 * upload refreshes its credentials once (`POST …/credentials`, in its middle batch: a browser does so
 * every STS_DURATION_SECONDS − STS_REFRESH_MARGIN_SECONDS = 600 s, so a long upload or a resume does).
 * Each virtual upload is one signed-in user (its own CKAN token and session cookie) with at most one
 * portal request in flight; uploads start evenly spread over the first upload's duration and are
 * repeated back to back until --duration seconds have passed, so about N run at any moment.
 *
 * Reported per route: p50/p99 of the response time, and of the portal's overhead = response time minus
 * the time the request spent waiting on the stubs (the union of the stub calls made for that upload
 * while the request was open); req/s; and per upload and per GiB uploaded: CKAN calls (by action), STS
 * calls, S3 calls (all counted by the stubs) and database statements (the portal's
 * `ckan_portal_db_queries_total` counter on /metrics, Prisma query events); the portal process's CPU.
 *
 *   npm run bench:api                                             # sqlite, 50 and 500 uploads, sts and presigned
 *   npm run bench:api -- --db sqlite,postgresql --uploads 500     # PostgreSQL needs scripts/pg.sh (TEST_PG_URL)
 *   npm run bench:api -- --modes presigned --authz-max-age 0      # every decision asks CKAN (issue 9's bound off)
 *
 * Options: --uploads 50,500; --modes sts,presigned; --db sqlite[,postgresql]; --latency-ms 20 (each stub
 * answer); --size-mib 256 (each upload); --upload-mbps 8 (each upload's simulated rate, MB/s); --duration S
 * (default: twice one upload's time); --authz-max-age S (CKAN_AUTHZ_MAX_AGE_SECONDS, default the portal's);
 * --port P (default BENCH_API_PORT or 4810); --cpu-prof DIR (a V8 CPU profile of the portal over the measured
 * window only, DIR/<db>-<mode>-<n>-<time>.cpuprofile; scripts/bench/cpuprofile-top.ts summarises it). Needs a production build (`npx next build`). Prints Markdown
 * tables and writes JSON to bench-results/.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { benchUser, BENCH_BUCKET, BENCH_DATASET, coveredMs, startStubs, type StubCall, type Stubs } from "./api-stubs";
import { machine, markdownTable, writeResults } from "./report";

const root = path.resolve(__dirname, "../..");
const { values: args } = parseArgs({
  options: {
    uploads: { type: "string", default: "50,500" },
    modes: { type: "string", default: "sts,presigned" },
    db: { type: "string", default: "sqlite" },
    "latency-ms": { type: "string", default: "20" },
    "size-mib": { type: "string", default: "256" },
    "upload-mbps": { type: "string", default: "8" },
    duration: { type: "string" },
    "authz-max-age": { type: "string" },
    port: { type: "string", default: process.env.BENCH_API_PORT ?? "4810" },
    "cpu-prof": { type: "string" },
  },
});
const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);
const uploadCounts = list(args.uploads!).map(Number);
const modes = list(args.modes!) as Array<"sts" | "presigned">;
const dbs = list(args.db!) as Array<"sqlite" | "postgresql">;
const latencyMs = Number(args["latency-ms"]);
const size = Number(args["size-mib"]) * 2 ** 20;
const uploadBytesPerSecond = Number(args["upload-mbps"]) * 1e6;
const BATCH = 8;
const METRICS_TOKEN = `bench-metrics-${randomBytes(8).toString("hex")}`;
let port = Number(args.port);

type Route = "create" | "credentials" | "sign" | "parts" | "complete";
interface Sample { route: Route; slot: number; start: number; end: number; status: number }

// ---- the portal -----------------------------------------------------------------------------------

/** A fresh database for one run: a new SQLite file, or a new PostgreSQL database on TEST_PG_URL; migrated. */
async function freshDatabase(db: "sqlite" | "postgresql", name: string): Promise<string> {
  let url: string;
  if (db === "sqlite") {
    const file = path.join(root, ".tmp", "bench-api", `${name}.db`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) fs.rmSync(f, { force: true });
    url = `file:${file}`;
  } else {
    const server = process.env.TEST_PG_URL;
    if (!server) throw new Error("--db postgresql needs TEST_PG_URL: bash scripts/pg.sh start && source $PG_DIR/env");
    const admin = new pg.Client({ connectionString: `${server.replace(/\/+$/, "")}/postgres` });
    await admin.connect();
    const dbName = `bench_api_${name.replace(/[^a-z0-9]/g, "_")}`;
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    url = `${server.replace(/\/+$/, "")}/${dbName}`;
  }
  const r = spawnSync(path.join(root, "node_modules/.bin/prisma"), ["migrate", "deploy"], { cwd: root, env: { ...process.env, DATABASE_URL: url }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`prisma migrate deploy failed: ${r.stderr || r.stdout}`);
  return url;
}

/** Starts the standalone server with the stubs as CKAN, S3 and STS; resolves once /login answers. */
async function startPortal(stubs: Stubs, mode: "sts" | "presigned", databaseUrl: string, profileFile?: string): Promise<{ child: ChildProcess; base: string }> {
  const server = path.join(root, ".next", "standalone", "server.js");
  if (!fs.existsSync(path.join(root, ".next", "BUILD_ID"))) throw new Error("no production build: run `npx next build` first");
  spawnSync(process.execPath, [path.join(root, "scripts", "standalone.mjs")], { cwd: root, stdio: "ignore" });
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", NODE_NO_WARNINGS: "1",
    HOSTNAME: "127.0.0.1", PORT: String(port), NEXTAUTH_URL: base, NEXTAUTH_SECRET: randomBytes(32).toString("base64"),
    DATABASE_URL: databaseUrl, CKAN_URL: stubs.ckanUrl, CREDENTIALS_MODE: mode,
    S3_BUCKET: BENCH_BUCKET, S3_ENDPOINT: stubs.s3Url, STS_ENDPOINT: stubs.s3Url, S3_FORCE_PATH_STYLE: "true", S3_REGION: "us-east-1",
    S3_ROLE_ARN: "arn:aws:iam::000000000000:role/bench-upload", AWS_ACCESS_KEY_ID: "BENCHKEY", AWS_SECRET_ACCESS_KEY: "benchsecret",
    // One user per upload: the per-user limits stay out of the way (each upload makes a few calls per second at most).
    RATE_LIMIT_UPLOADS_PER_MINUTE: "100000", RATE_LIMIT_SIGN_PER_MINUTE: "1000000",
    METRICS_TOKEN, ...(args["authz-max-age"] !== undefined ? { CKAN_AUTHZ_MAX_AGE_SECONDS: args["authz-max-age"] } : {}),
    ...(profileFile ? { BENCH_CPU_PROF_FILE: profileFile } : {}),
  };
  const preload = profileFile ? ["-r", path.join(root, "scripts", "bench", "cpu-profile-hook.cjs")] : [];
  // stdout (one JSON log line per request and audit event) is read and dropped, as a log shipper would.
  const child = spawn(process.execPath, [...preload, server], { cwd: root, env, stdio: ["ignore", "pipe", "inherit"], detached: true });
  child.stdout!.resume();
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the portal exited (${child.exitCode})`);
    if (await fetch(`${base}/login`).then((r) => r.ok, () => false)) return { child, base };
    if (Date.now() > deadline) throw new Error("the portal did not answer within 60 s");
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function stopPortal(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(-child.pid, "SIGTERM");
  await exited;
}

/** CPU seconds (user + system) the process `pid` has used (Linux /proc). */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Waits (at most 30 s) until `file` exists. */
async function waitForFile(file: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear within 30 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The value of counter `name` on /metrics (summed over labels). */
async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  return text.split("\n").filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`)).reduce((s, l) => s + Number(l.split(" ").at(-1)), 0);
}

// ---- the virtual uploads ----------------------------------------------------------------------------

/** next-auth credentials sign-in (provider `ckan-token`) for slot `i`; returns the Cookie header. */
async function signIn(base: string, i: number): Promise<string> {
  const csrfRes = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const cookies = csrfRes.headers.getSetCookie().map((c) => c.split(";")[0]);
  const res = await fetch(`${base}/api/auth/callback/ckan-token`, {
    method: "POST", redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ csrfToken, token: benchUser(i).token, json: "true" }),
  });
  const session = res.headers.getSetCookie().map((c) => c.split(";")[0]).filter((c) => c.includes("session-token"));
  if (session.length === 0) throw new Error(`sign-in of slot ${i} failed: HTTP ${res.status}`);
  return session.join("; ");
}

/** Runs `fn` over 0..n-1 with at most `limit` at once. */
async function pool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, limit) }, async () => {
    while (next < n) await fn(next++);
  }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hex = (n: number) => randomBytes(n).toString("hex");

class Client {
  samples: Sample[] = [];
  failures: string[] = [];
  constructor(readonly base: string) {}

  /**
   * One portal call as the engine makes it: a 503 or 429 with `Retry-After` (e.g. 503 `database_busy`) is
   * waited out and sent again, as lib/uploader/rate-limit-wait.ts does; each answer is its own sample.
   */
  async call(route: Route, slot: number, cookie: string, pathName: string, body: unknown): Promise<any> {
    for (;;) {
      const start = performance.now();
      let status = 0;
      let text = "";
      let retryAfter: string | null = null;
      try {
        const res = await fetch(`${this.base}${pathName}`, {
          method: "POST",
          headers: { "content-type": "application/json", cookie, origin: this.base, "sec-fetch-site": "same-origin" },
          body: JSON.stringify(body),
        });
        status = res.status;
        retryAfter = res.headers.get("retry-after");
        text = await res.text();
      } catch (err) {
        text = (err as Error).message;
      }
      const end = performance.now();
      this.samples.push({ route, slot, start, end, status });
      if ((status === 503 || status === 429) && retryAfter !== null && /^\d+$/.test(retryAfter)) {
        await sleep(Number(retryAfter) * 1000 + Math.random() * 1000);
        continue;
      }
      if (status < 200 || status >= 300) {
        if (this.failures.length < 5) this.failures.push(`${route} HTTP ${status}: ${text.slice(0, 300)}`);
        throw new Error(`${route}: HTTP ${status}`);
      }
      return JSON.parse(text);
    }
  }

  /** One upload as the browser engine does it (see the file's docstring). `pace`: simulate the part transfer time. */
  async upload(slot: number, cookie: string, mode: "sts" | "presigned", pace: boolean): Promise<void> {
    const u = benchUser(slot);
    const created = await this.call("create", slot, cookie, "/api/uploads", {
      datasetId: BENCH_DATASET.name, fileName: u.fileName, size, contentType: "application/octet-stream", lastModified: Date.now(),
    });
    const { sessionId, partSize, partCount } = created as { sessionId: string; partSize: number; partCount: number };
    const batches = Math.ceil(partCount / BATCH);
    for (let b = 0; b < batches; b++) {
      const numbers = Array.from({ length: Math.min(BATCH, partCount - b * BATCH) }, (_, k) => b * BATCH + k + 1);
      if (mode === "presigned") await this.call("sign", slot, cookie, `/api/uploads/${sessionId}/sign`, { partNumbers: numbers });
      else if (b === Math.floor(batches / 2)) await this.call("credentials", slot, cookie, `/api/uploads/${sessionId}/credentials`, {});
      const parts = numbers.map((n) => ({ partNumber: n, size: n < partCount ? partSize : size - partSize * (partCount - 1), etag: `"${hex(16)}"` }));
      if (pace) await sleep((parts.reduce((s, p) => s + p.size, 0) / uploadBytesPerSecond) * 1000);
      await this.call("parts", slot, cookie, `/api/uploads/${sessionId}/parts`, { parts });
    }
    await this.call("complete", slot, cookie, `/api/uploads/${sessionId}/complete`, { sha256: hex(32) });
  }
}

// ---- statistics ------------------------------------------------------------------------------------

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);

/** Per sample: ms spent waiting on stub calls of its slot while it was open. */
function stubWaits(samples: Sample[], calls: StubCall[]): number[] {
  const bySlot = new Map<number, StubCall[]>();
  for (const c of calls) {
    if (!bySlot.has(c.tag)) bySlot.set(c.tag, []);
    bySlot.get(c.tag)!.push(c);
  }
  return samples.map((s) => coveredMs(bySlot.get(s.slot) ?? [], s.start, s.end));
}

interface RouteRow { route: Route; requests: number; busy: number; reqPerSecond: number; p50: number; p99: number; max: number; overheadP50: number; overheadP99: number; overheadMax: number; stubP50: number }

function routeRows(samples: Sample[], waits: number[], seconds: number): RouteRow[] {
  const routes: Route[] = ["create", "credentials", "sign", "parts", "complete"];
  return routes.flatMap((route) => {
    const idx = samples.map((s, i) => (s.route === route ? i : -1)).filter((i) => i >= 0);
    if (idx.length === 0) return [];
    const total = idx.map((i) => samples[i].end - samples[i].start).sort((a, b) => a - b);
    const overhead = idx.map((i) => samples[i].end - samples[i].start - waits[i]).sort((a, b) => a - b);
    const stub = idx.map((i) => waits[i]).sort((a, b) => a - b);
    const busy = idx.filter((i) => samples[i].status === 503 || samples[i].status === 429).length;
    return [{ route, requests: idx.length, busy, reqPerSecond: idx.length / seconds, p50: pct(total, 50), p99: pct(total, 99), max: total.at(-1)!, overheadP50: pct(overhead, 50), overheadP99: pct(overhead, 99), overheadMax: overhead.at(-1)!, stubP50: pct(stub, 50) }];
  });
}

// ---- one run -----------------------------------------------------------------------------------------

interface RunResult {
  db: string; mode: string; uploads: number; seconds: number; completed: number; gib: number; requests: number; reqPerSecond: number;
  routes: RouteRow[]; overall: { overheadP50: number; overheadP99: number };
  perUpload: { ckan: number; sts: number; s3: number; db: number; requests: number };
  perGiB: { ckan: number; sts: number; s3: number; db: number; requests: number };
  ckanByAction: Record<string, number>; portalCpuSeconds: number; failures: string[];
}

async function run(db: "sqlite" | "postgresql", mode: "sts" | "presigned", n: number): Promise<RunResult> {
  const stubs = await startStubs({ latencyMs, objectSize: size });
  const dbUrl = await freshDatabase(db, `${db}-${mode}-${n}-${process.pid}`);
  const profileFile = args["cpu-prof"] ? path.resolve(args["cpu-prof"], `${db}-${mode}-${n}-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`) : undefined;
  if (profileFile) fs.mkdirSync(path.dirname(profileFile), { recursive: true });
  const { child, base } = await startPortal(stubs, mode, dbUrl, profileFile);
  try {
    const client = new Client(base);
    const warm = 10;
    const cookies: string[] = new Array(n + warm);
    await pool(n + warm, 16, async (i) => void (cookies[i] = await signIn(base, i)));
    // Warm-up (not counted): loads every route's code and opens the pools; slots n..n+9 (their own users).
    await pool(warm, warm, (k) => client.upload(n + k, cookies[n + k], mode, false));
    if (client.failures.length) throw new Error(`warm-up failed:\n${client.failures.join("\n")}`);
    client.samples = [];
    stubs.calls.length = 0;
    const dbBefore = await metric(base, "ckan_portal_db_queries_total");
    if (profileFile) {
      process.kill(child.pid!, "SIGUSR2"); // the hook starts the profiler (scripts/bench/cpu-profile-hook.cjs)
      await waitForFile(`${profileFile}.started`);
    }
    const cpuBefore = cpuSeconds(child.pid!);

    const uploadMs = (size / uploadBytesPerSecond) * 1000;
    const durationMs = args.duration ? Number(args.duration) * 1000 : 2 * uploadMs;
    const t0 = performance.now();
    let completed = 0;
    let failed = 0;
    await Promise.all(Array.from({ length: n }, async (_, slot) => {
      await sleep((slot / n) * uploadMs);
      while (performance.now() - t0 < durationMs) {
        try {
          await client.upload(slot, cookies[slot], mode, true);
          completed++;
        } catch {
          failed++;
          return;
        }
      }
    }));
    const seconds = (performance.now() - t0) / 1000;
    const portalCpuSeconds = cpuSeconds(child.pid!) - cpuBefore;
    if (profileFile) {
      process.kill(child.pid!, "SIGUSR2");
      await waitForFile(profileFile);
      fs.rmSync(`${profileFile}.started`, { force: true });
      console.log(`  CPU profile of the measured window: ${path.relative(root, profileFile)} (npx tsx scripts/bench/cpuprofile-top.ts FILE)`);
    }
    const dbStatements = (await metric(base, "ckan_portal_db_queries_total")) - dbBefore;
    if (failed > 0) throw new Error(`${failed} uploads failed:\n${client.failures.join("\n")}`);

    const waits = stubWaits(client.samples, stubs.calls);
    const routes = routeRows(client.samples, waits, seconds);
    const overheads = client.samples.map((s, i) => s.end - s.start - waits[i]).sort((a, b) => a - b);
    const counts = stubs.counts();
    const sum = (prefix: string) => Object.entries(counts).filter(([k]) => k.startsWith(prefix)).reduce((s, [, v]) => s + v, 0);
    const ckanByAction = Object.fromEntries(Object.entries(counts).filter(([k]) => k.startsWith("ckan ")).map(([k, v]) => [k.slice(5), v]));
    // Every started upload ran to completion (a failure aborts the bench), so the counts belong to `completed` uploads.
    const totals = { ckan: sum("ckan "), sts: sum("sts "), s3: sum("s3 "), db: dbStatements, requests: client.samples.length };
    const gib = (completed * size) / 2 ** 30;
    const per = (d: number) => Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, v / d])) as RunResult["perUpload"];
    const result: RunResult = {
      db, mode, uploads: n, seconds, completed, gib, requests: client.samples.length, reqPerSecond: client.samples.length / seconds,
      routes, overall: { overheadP50: pct(overheads, 50), overheadP99: pct(overheads, 99) },
      perUpload: per(completed), perGiB: per(gib), ckanByAction, portalCpuSeconds, failures: client.failures,
    };
    console.log(`  ${db} ${mode} ${n} uploads: ${completed} completed in ${seconds.toFixed(1)} s, ${result.reqPerSecond.toFixed(1)} req/s, overhead p50 ${result.overall.overheadP50.toFixed(1)} ms p99 ${result.overall.overheadP99.toFixed(1)} ms, portal CPU ${portalCpuSeconds.toFixed(1)} s = ${((1000 * portalCpuSeconds) / result.requests).toFixed(2)} ms per request (load ${machine().loadavg})`);
    return result;
  } finally {
    await stopPortal(child);
    await stubs.close();
    if (db === "sqlite") fs.rmSync(path.join(root, ".tmp", "bench-api"), { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const before = machine();
  const results: RunResult[] = [];
  for (const db of dbs) for (const mode of modes) for (const n of uploadCounts) {
    results.push(await run(db, mode, n));
    port += 1; // a server still closing its sockets cannot answer for the next run
  }
  const after = machine();
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "—");
  const routeTable = markdownTable([
    ["db", "mode", "uploads", "route", "requests", "of them 503/429", "req/s", "p50 ms", "p99 ms", "stub wait p50 ms", "overhead p50 ms", "overhead p99 ms", "overhead max ms"],
    ...results.flatMap((r) => r.routes.map((x) => [r.db, r.mode, String(r.uploads), `POST ${x.route}`, String(x.requests), String(x.busy), f(x.reqPerSecond), f(x.p50), f(x.p99), f(x.stubP50), f(x.overheadP50), f(x.overheadP99), f(x.overheadMax)])),
  ]);
  const costTable = markdownTable([
    ["db", "mode", "uploads", "completed", "req/s", "overhead p99 ms (all)", "portal CPU ms / request", "CKAN / upload", "CKAN / GiB", "STS / GiB", "S3 / GiB", "DB statements / GiB", "DB / request", "CKAN calls by action"],
    ...results.map((r) => [r.db, r.mode, String(r.uploads), String(r.completed), f(r.reqPerSecond), f(r.overall.overheadP99), ((1000 * r.portalCpuSeconds) / r.requests).toFixed(2),
      r.perUpload.ckan.toFixed(2), r.perGiB.ckan.toFixed(2), r.perGiB.sts.toFixed(2), r.perGiB.s3.toFixed(2), r.perGiB.db.toFixed(0), (r.perUpload.db / r.perUpload.requests).toFixed(2),
      Object.entries(r.ckanByAction).map(([k, v]) => `${k} ${v}`).join(", ")]),
  ]);
  const settings = `${size / 2 ** 20} MiB per upload at ${uploadBytesPerSecond / 1e6} MB/s each, stub latency ${latencyMs} ms${args["authz-max-age"] !== undefined ? `, CKAN_AUTHZ_MAX_AGE_SECONDS=${args["authz-max-age"]}` : ""}; load before ${before.loadavg}, after ${after.loadavg}`;
  console.log(`\nportal control plane, ${settings}\n\n${routeTable}\n\n${costTable}`);
  console.log(`results: ${path.relative(root, writeResults("api", { settings, machineBefore: before, machineAfter: after, results, routeTable, costTable }))}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
