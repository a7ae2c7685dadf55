/**
 * `npm run bench:files` — many small files through a running portal, end to end (issue 12): files
 * per second for N files of S KiB uploaded by the command line (`ckan-upload put`, the same engine
 * and portal routes as the page: create session, sign, part PUT, part report, complete + CKAN
 * resource_create), with several files at once vs one after another.
 *
 *   npm run demo                                   # another terminal: the demo stack (presigned mode)
 *   npm run bench:files -- --portal http://127.0.0.1:3000 --files 100 --size-kib 64 --in-flight 1,6
 *
 *   npm run bench:files -- --portal http://127.0.0.1:3000 --files 100 --size-kib 64 --browser
 *
 * Options: --portal URL (default http://127.0.0.1:$BENCH_PORT or :3000), --token (default the demo
 * editor_user's), --dataset (default test-dataset), --files N (100), --size-kib K (64),
 * --in-flight a,b,… (files in flight to compare, default 1,6), --file-dir DIR (default
 * /tmp/ckan-portal-bench). Prints a Markdown table.
 *
 * --browser: the page instead of the command line, as a publisher does it — Debian's Chromium
 * (playwright-core, `/usr/bin/chromium`, the e2e flags) signs in, opens
 * `/datasets/{dataset}/upload` and chooses all N files at once in "Choose files"; the time runs from
 * the choice until every row says completed (the page's own files-in-flight default; --in-flight is
 * ignored). Also prints the browser's requests to the portal per file, by route. With --cpu-prof FILE,
 * writes a V8 CPU profile of the page's main thread over the measured window (read it with
 * `npx tsx scripts/bench/cpuprofile-top.ts FILE`). Also prints the CPU (utime + stime, `/proc/PID/stat`) of
 * all of Chromium's processes over that window, per file, and the load averages around it.
 */
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEMO_TOKENS } from "../ckan-demo/seed";
import { markdownTable } from "./report";

const root = path.resolve(__dirname, "../..");
const { values: args } = parseArgs({
  options: {
    portal: { type: "string", default: `http://127.0.0.1:${process.env.BENCH_PORT ?? "3000"}` },
    token: { type: "string", default: DEMO_TOKENS.editor_user },
    dataset: { type: "string", default: "test-dataset" },
    files: { type: "string", default: "100" },
    "size-kib": { type: "string", default: "64" },
    "in-flight": { type: "string", default: "1,6" },
    "file-dir": { type: "string", default: "/tmp/ckan-portal-bench" },
    browser: { type: "boolean", default: false },
    "cpu-prof": { type: "string" },
  },
});

/** Writes `n` files of `bytes` random bytes into a fresh folder (names unique per run, so nothing is resumed). */
function makeFiles(n: number, bytes: number): string {
  const dir = path.join(args["file-dir"] as string, `many-${n}x${bytes}-${crypto.randomUUID().slice(0, 8)}`);
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) fs.writeFileSync(path.join(dir, `f-${String(i).padStart(5, "0")}.bin`), crypto.randomBytes(bytes));
  return dir;
}

function runCli(dir: string, inFlight: number): { seconds: number; completed: number; failed: number; waits: number } {
  const started = process.hrtime.bigint();
  const r = spawnSync(
    path.join(root, "node_modules/.bin/tsx"),
    [path.join(root, "packages/ckan-upload/src/main.ts"), "--portal", args.portal as string, "--json", "put", args.dataset as string, dir, "--recursive", "--files-in-flight", String(inFlight)],
    { cwd: root, env: { ...process.env, CKAN_API_TOKEN: args.token as string, HOME: path.join(args["file-dir"] as string, "home"), NODE_NO_WARNINGS: "1" }, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const events = r.stdout.split("\n").filter(Boolean).map((l) => { try { return JSON.parse(l); } catch { return {}; } });
  const summary = events.find((e) => e.event === "summary");
  if (!summary) throw new Error(`no summary (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return { seconds: summary.seconds ?? seconds, completed: summary.completed, failed: summary.failed, waits: events.filter((e) => e.event === "waiting").length };
}

/** CPU ms (utime + stime from `/proc/PID/stat`) of every process descending from this one (Chromium's, in --browser); 0 without /proc. */
function descendantsCpuMs(): number {
  let stats: Array<{ pid: number; ppid: number; ticks: number }>;
  try {
    stats = fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d)).flatMap((d) => {
      try {
        const text = fs.readFileSync(`/proc/${d}/stat`, "utf8");
        const f = text.slice(text.lastIndexOf(")") + 2).split(" "); // fields from 3 (state) on
        return [{ pid: Number(d), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) }];
      } catch {
        return []; // ended meanwhile
      }
    });
  } catch {
    return 0;
  }
  const children = new Map<number, typeof stats>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  let ticks = 0;
  const walk = (pid: number) => (children.get(pid) ?? []).forEach((c) => { ticks += c.ticks; walk(c.pid); });
  walk(process.pid);
  return ticks * 10; // USER_HZ = 100 on Linux
}

const loadAverage = () => fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

/**
 * The page: signs in with the token, chooses the `n` files of `dir` at once on the upload page and
 * waits until every row is completed (or failed). Returns the seconds from the choice to the last
 * row, the counts, and the browser's requests to the portal's /api routes (method + route pattern).
 */
async function runBrowser(dir: string, n: number): Promise<{ seconds: number; completed: number; failed: number; waits: number; calls: Map<string, number>; chromiumCpuMs: number; load: [string, string] }> {
  const { chromium } = await import("playwright-core");
  const { CHROMIUM_ARGS } = await import("../lib/chromium-args");
  const portal = args.portal as string;
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    const page = await (await browser.newContext({ baseURL: portal })).newPage();
    await page.goto("/login");
    await page.getByLabel("CKAN API token").fill(args.token as string);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.pathname === "/");
    await page.goto(`/datasets/${encodeURIComponent(args.dataset as string)}/upload`);
    const input = page.getByLabel("Choose files");
    await input.waitFor({ state: "attached" });
    await page.waitForFunction(() => !(document.querySelector("input[type=file]") as HTMLInputElement | null)?.disabled);
    const calls = new Map<string, number>();
    let waits = 0;
    page.on("request", (req) => {
      const u = new URL(req.url());
      if (u.origin !== new URL(portal).origin || !u.pathname.startsWith("/api/")) return;
      const route = `${req.method()} ${u.pathname.replace(/\/api\/uploads\/(?!batch(?:\/|$))[^/]+/, "/api/uploads/{id}")}`;
      calls.set(route, (calls.get(route) ?? 0) + 1);
    });
    page.on("response", (res) => void (res.status() === 429 && waits++));
    const files = fs.readdirSync(dir).sort().map((f) => path.join(dir, f));
    // --cpu-prof FILE: a V8 profile of the page's main thread over the measured window (scripts/bench/cpuprofile-top.ts reads it).
    const cdp = args["cpu-prof"] ? await page.context().newCDPSession(page) : null;
    if (cdp) await cdp.send("Profiler.enable").then(() => cdp.send("Profiler.setSamplingInterval", { interval: 500 })).then(() => cdp.send("Profiler.start"));
    const loadBefore = loadAverage();
    const cpuBefore = descendantsCpuMs();
    const started = Date.now();
    await input.setInputFiles(files);
    const done = "[data-testid='upload-row'][data-state='completed'], [data-testid='upload-row'][data-state='failed']";
    await page.waitForFunction(([sel, count]) => document.querySelectorAll(sel as string).length >= (count as number), [done, n] as const, { timeout: 0, polling: 50 });
    const seconds = (Date.now() - started) / 1000;
    const chromiumCpuMs = descendantsCpuMs() - cpuBefore;
    const load: [string, string] = [loadBefore, loadAverage()];
    if (cdp) fs.writeFileSync(args["cpu-prof"] as string, JSON.stringify((await cdp.send("Profiler.stop")).profile));
    const completed = await page.locator("[data-testid='upload-row'][data-state='completed']").count();
    // What a failed row says (its status, alert and notice), to tell a real failure from the machine's load.
    for (const text of await page.locator("[data-testid='upload-row'][data-state='failed']").evaluateAll((rows) => rows.map((r) => r.textContent ?? "")))
      console.log(`failed row: ${text.replace(/\s+/g, " ").slice(0, 400)}`);
    return { seconds, completed, failed: n - completed, waits, calls, chromiumCpuMs, load };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const n = Number(args.files);
  const bytes = Number(args["size-kib"]) * 1024;
  const rows: string[][] = [];
  if (args.browser) {
    const dir = makeFiles(n, bytes);
    const r = await runBrowser(dir, n);
    fs.rmSync(dir, { recursive: true, force: true });
    console.log(`page: ${n} × ${bytes / 1024} KiB chosen at once: ${r.seconds.toFixed(1)} s, ${(r.completed / r.seconds).toFixed(1)} files/s, ${r.failed} failed, ${r.waits} answers 429`);
    console.log(`Chromium CPU (all its processes, utime + stime): ${(r.chromiumCpuMs / 1000).toFixed(1)} s, ${(r.chromiumCpuMs / n).toFixed(0)} ms per file; load average before ${r.load[0]}, after ${r.load[1]}`);
    console.log(`portal requests per file: ${[...r.calls].sort().map(([route, c]) => `${route} ${(c / n).toFixed(2)}`).join(", ")}`);
    console.log("\n" + markdownTable([["files", "files in flight", "seconds", "files/s", "failed", "429 answers"], [`${n} × ${bytes / 1024} KiB (page)`, "page default", r.seconds.toFixed(1), (r.completed / r.seconds).toFixed(1), String(r.failed), String(r.waits)]]));
    return;
  }
  for (const inFlight of (args["in-flight"] as string).split(",").map(Number)) {
    const dir = makeFiles(n, bytes);
    const r = runCli(dir, inFlight);
    fs.rmSync(dir, { recursive: true, force: true });
    console.log(`${n} × ${bytes / 1024} KiB, ${inFlight} file(s) in flight: ${r.seconds.toFixed(1)} s, ${(r.completed / r.seconds).toFixed(1)} files/s, ${r.failed} failed, ${r.waits} 429 waits`);
    rows.push([`${n} × ${bytes / 1024} KiB`, String(inFlight), r.seconds.toFixed(1), (r.completed / r.seconds).toFixed(1), String(r.failed), String(r.waits)]);
  }
  console.log("\n" + markdownTable([["files", "files in flight", "seconds", "files/s", "failed", "429 waits"], ...rows]));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
