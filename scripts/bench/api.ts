/**
 * `npm run bench:api` — latency and throughput of the portal's credential routes under 50
 * concurrent clients (autocannon), against Ceph RGW on 127.0.0.1 and the demo CKAN server:
 *
 * - `sts` mode: `POST /api/uploads/{id}/credentials` (CKAN permission check + STS AssumeRole + audit row);
 * - `presigned` mode: `POST /api/uploads/{id}/sign` with 8 part numbers, the batch the engine asks
 *   for at 4 parts in flight (CKAN permission check + 8 presigned UploadPart URLs).
 *
 * For each mode it starts the portal stack (scripts/stack.ts --storage env: demo CKAN, migrated
 * SQLite, `next start`; builds once if .next is missing), signs in through next-auth's credentials
 * callback with the demo `ckan_admin` token, creates one 1 GiB upload session, then runs
 * autocannon. Every answer must be 2xx: any other status fails the bench.
 *
 *   npm run bench:api                                   # 50 clients, 10 s per route
 *   npm run bench:api -- --connections 50 --duration 20
 *
 * The cost of short credentials (issue 9: STS_DURATION_SECONDS defaults to 900 s, AWS's minimum): the
 * credentials route is also timed with one client, one request at a time (one refresh as a browser sees
 * it), and the table below the results gives the refreshes per hour of one upload (a browser refreshes
 * STS_REFRESH_MARGIN_SECONDS before expiry: 3600 / (duration − margin)) for 900 s and 3,600 s, with
 * the portal time they cost per upload-hour and the refresh rate 1,000 concurrent uploads put on it.
 *
 * Options: --connections N (default 50), --duration S (seconds, default 10), --port P (portal;
 * demo CKAN on P+1; presigned mode on P+2 and P+3; default BENCH_API_PORT or 4810). Uses the RGW of RGW_DIR, or starts one.
 * Prints a Markdown table and writes JSON to bench-results/.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { DEMO_TOKENS } from "../ckan-demo/seed";
import { machine, markdownTable, writeResults } from "./report";
import { ensureRgw, type RgwEnv } from "./s3";

const root = path.resolve(__dirname, "../..");
const { values: args } = parseArgs({
  options: {
    connections: { type: "string", default: "50" },
    duration: { type: "string", default: "10" },
    port: { type: "string", default: process.env.BENCH_API_PORT ?? "4810" },
  },
});
const connections = Number(args.connections);
const duration = Number(args.duration);
const basePort = Number(args.port);
/** Each mode gets its own ports (portal, demo CKAN), so a stack still shutting down cannot answer for the next. */
const portOf = (mode: "sts" | "presigned") => basePort + (mode === "sts" ? 0 : 2);
let port = basePort;
let base = `http://127.0.0.1:${port}`;

/** Starts scripts/stack.ts in `mode` and waits (≤ 5 min, it may build first) until /login answers. */
async function startStack(env: RgwEnv, mode: "sts" | "presigned"): Promise<ChildProcess> {
  port = portOf(mode);
  base = `http://127.0.0.1:${port}`;
  const child = spawn(path.join(root, "node_modules/.bin/tsx"), ["scripts/stack.ts", "--storage", "env"], {
    cwd: root,
    detached: true, // its own process group, so stopStack ends next start with it
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env, ...env, NEXT_TELEMETRY_DISABLED: "1", PORT: String(port), CKAN_DEMO_PORT: String(port + 1),
      CREDENTIALS_MODE: mode, DATABASE_URL: `file:./.tmp/bench-api-${mode}.db`, DEMO_DATA_DIR: `.tmp/bench-api-${mode}`,
    },
  });
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the portal stack exited (${child.exitCode})`);
    const ok = await fetch(`${base}/login`).then((r) => r.ok, () => false);
    if (ok) return child;
    if (Date.now() > deadline) throw new Error("the portal stack did not answer within 5 minutes");
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function stopStack(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(-child.pid, "SIGTERM");
  await exited;
}

/** next-auth credentials sign-in (provider `ckan-token`): csrf token + cookie, then the callback; returns the Cookie header. */
async function signIn(token: string): Promise<string> {
  const csrfRes = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const cookies = csrfRes.headers.getSetCookie().map((c) => c.split(";")[0]);
  const res = await fetch(`${base}/api/auth/callback/ckan-token`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ csrfToken, token, json: "true" }),
  });
  const session = res.headers.getSetCookie().map((c) => c.split(";")[0]).filter((c) => c.includes("session-token"));
  if (session.length === 0) throw new Error(`sign-in failed: HTTP ${res.status}, no session cookie`);
  return [...cookies, ...session].join("; ");
}

/** `POST /api/uploads` for a 1 GiB file in test-dataset; returns the session id. */
async function createSession(cookie: string): Promise<string> {
  const res = await fetch(`${base}/api/uploads`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ datasetId: "test-dataset", fileName: "bench.bin", size: 2 ** 30, contentType: "application/octet-stream", lastModified: Date.now() }),
  });
  const body = (await res.json()) as { sessionId?: string };
  if (!res.ok || !body.sessionId) throw new Error(`POST /api/uploads: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body.sessionId;
}

interface RouteResult {
  mode: string;
  route: string;
  connections: number;
  durationSeconds: number;
  requests: number;
  reqPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
}

async function hammer(mode: string, route: string, cookie: string, body: string): Promise<RouteResult> {
  const request = { url: `${base}${route}`, method: "POST" as const, headers: { "content-type": "application/json", cookie }, body };
  // warm-up (not counted): the first requests load the route's code and open the pools
  await autocannon({ ...request, connections: 4, amount: 40 });
  const r = await autocannon({
    url: `${base}${route}`, method: "POST", connections, duration,
    headers: { "content-type": "application/json", cookie }, body,
  });
  const out: RouteResult = {
    mode, route: route.replace(/\/api\/uploads\/[^/]+/, "/api/uploads/{id}"), connections, durationSeconds: r.duration,
    requests: r.requests.total, reqPerSecond: r.requests.average, p50Ms: r.latency.p50, p99Ms: r.latency.p99, maxMs: r.latency.max,
    non2xx: r.non2xx, errors: r.errors,
  };
  console.log(`  ${mode} ${out.route}: ${out.reqPerSecond.toFixed(1)} req/s, p50 ${out.p50Ms} ms, p99 ${out.p99Ms} ms (${out.requests} requests, ${out.non2xx} non-2xx, ${out.errors} errors)`);
  if (out.non2xx > 0 || out.errors > 0 || out.requests === 0) throw new Error(`${mode} ${out.route}: ${out.non2xx} non-2xx answers, ${out.errors} errors`);
  return out;
}

/** One client, one request at a time: the latency of a single credential refresh (ms). */
async function sequential(route: string, cookie: string): Promise<{ p50Ms: number; p99Ms: number; requests: number }> {
  const r = await autocannon({ url: `${base}${route}`, method: "POST", connections: 1, amount: 60, headers: { "content-type": "application/json", cookie }, body: "" });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`sequential ${route}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { p50Ms: r.latency.p50, p99Ms: r.latency.p99, requests: r.requests.total };
}

/** Refreshes per hour of one upload whose credentials last `duration` s, refreshed `margin` s early. */
export const refreshesPerHour = (duration: number, margin: number) => 3600 / (duration - margin);

async function main(): Promise<void> {
  const rgw = ensureRgw(4 * 2 ** 30);
  const results: RouteResult[] = [];
  let single: { p50Ms: number; p99Ms: number; requests: number } | undefined;
  const before = machine();
  try {
    for (const mode of ["sts", "presigned"] as const) {
      const stack = await startStack(rgw.env, mode);
      try {
        const cookie = await signIn(DEMO_TOKENS.ckan_admin);
        const id = await createSession(cookie);
        if (mode === "sts") {
          results.push(await hammer(mode, `/api/uploads/${id}/credentials`, cookie, ""));
          single = await sequential(`/api/uploads/${id}/credentials`, cookie);
          console.log(`  sts one refresh at a time: p50 ${single.p50Ms} ms, p99 ${single.p99Ms} ms (${single.requests} requests)`);
        }
        else results.push(await hammer(mode, `/api/uploads/${id}/sign`, cookie, JSON.stringify({ partNumbers: [1, 2, 3, 4, 5, 6, 7, 8] })));
      } finally {
        await stopStack(stack);
      }
    }
  } finally {
    rgw.stop();
  }
  const table = markdownTable([
    ["mode", "route", "clients", "req/s", "p50 ms", "p99 ms", "max ms", "requests"],
    ...results.map((r) => [r.mode, `POST ${r.route}`, String(r.connections), r.reqPerSecond.toFixed(1), String(r.p50Ms), String(r.p99Ms), String(r.maxMs), String(r.requests)]),
  ]);
  const after = machine();
  console.log(`\nportal API, ${connections} concurrent clients, ${duration} s per route; load before ${before.loadavg}, after ${after.loadavg}\n\n${table}`);
  const margin = Number(process.env.STS_REFRESH_MARGIN_SECONDS ?? 300);
  const sts = results.find((r) => r.mode === "sts");
  const costTable = single && sts
    ? markdownTable([
        ["STS_DURATION_SECONDS", "refreshes / h / upload", "portal ms / upload-hour (p50)", "refreshes / s for 1,000 uploads", "share of measured capacity"],
        ...[900, 3600].map((d) => {
            const perHour = refreshesPerHour(d, margin);
            const perSecond = (1000 * perHour) / 3600;
            return [String(d), perHour.toFixed(2), (perHour * single!.p50Ms).toFixed(0), perSecond.toFixed(2), `${((100 * perSecond) / sts.reqPerSecond).toFixed(1)} %`];
          }),
      ])
    : "";
  if (costTable) console.log(`\ncost of short credentials (margin ${margin} s; one refresh p50 ${single!.p50Ms} ms, p99 ${single!.p99Ms} ms; capacity ${sts!.reqPerSecond.toFixed(1)} req/s at ${connections} clients)\n\n${costTable}`);
  console.log(`results: ${path.relative(root, writeResults("api", { connections, duration, machineBefore: before, machineAfter: after, results, table, singleRefresh: single, costTable }))}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
