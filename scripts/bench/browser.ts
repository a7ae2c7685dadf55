/**
 * Headless Debian Chromium driven through the Chrome DevTools Protocol directly
 * (chrome-remote-interface), not through Playwright: Playwright enables network monitoring, which
 * makes Chromium copy every in-memory request body to the driver and slows SDK uploads several
 * times (shared/PERF-ANCHORS.md). Only the Page, Runtime, DOM and Performance domains are enabled.
 *
 * Measurements: JS heap (CDP `Performance.getMetrics` JSHeapUsedSize, bytes) and main-thread busy
 * time (TaskDuration, seconds) of the page; renderer resident memory (VmRSS of `--type=renderer`
 * processes, bytes) and CPU time of the whole Chromium process tree (utime + stime from
 * /proc/PID/stat, seconds) from Linux /proc.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import CDP from "chrome-remote-interface";
import { CHROMIUM_ARGS } from "../lib/chromium-args";


const CLK_TCK = 100; // Linux USER_HZ (`getconf CLK_TCK`), the unit of utime/stime in /proc/PID/stat

interface ProcInfo {
  pid: number;
  ppid: number;
  /** utime + stime, seconds. */
  cpuSeconds: number;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command name (field 2) may contain spaces; the fields after its closing ")" are fixed
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pid, ppid: Number(rest[1]), cpuSeconds: (Number(rest[11]) + Number(rest[12])) / CLK_TCK };
  } catch {
    return undefined; // exited meanwhile
  }
}

/** The pids of `root` and all its descendants. */
function processTree(root: number): ProcInfo[] {
  const all = fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map((d) => readProc(Number(d))).filter((p): p is ProcInfo => !!p);
  const children = new Map<number, ProcInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: ProcInfo[] = [];
  const stack = all.filter((p) => p.pid === root);
  while (stack.length) {
    const p = stack.pop() as ProcInfo;
    out.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

function isRenderer(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--type=renderer");
  } catch {
    return false;
  }
}

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** What one measured evaluation used. Bytes and seconds. */
export interface RunMetrics {
  /** Highest sampled JSHeapUsedSize, bytes. */
  peakJsHeapBytes: number;
  /** JSHeapUsedSize right after a forced GC before the run, bytes. */
  baselineJsHeapBytes: number;
  /** Highest sampled sum of renderer VmRSS, bytes. */
  peakRendererRssBytes: number;
  /** Sum of renderer VmRSS before the run, bytes. */
  baselineRendererRssBytes: number;
  /** CPU time of all Chromium processes during the run, seconds. */
  browserCpuSeconds: number;
  /**
   * The same CPU time split by Chromium process type, seconds: `renderer` (the page and its Workers),
   * `browser` (the root process, which serves Blob/File reads), `other` (network service, GPU, utilities).
   */
  cpuByType: { renderer: number; browser: number; other: number };
  /** Page main-thread busy time during the run (TaskDuration delta), seconds. */
  mainThreadSeconds: number;
}

/** A launched Chromium with one page. */
export interface BenchBrowser {
  version: string;
  /** Navigates the page and waits for its load event. */
  open(url: string): Promise<void>;
  /** Sets the files of the `<input type=file>` matching `selector` (disk-backed Files). */
  setInputFiles(selector: string, files: string[]): Promise<void>;
  /** Evaluates `expression` (awaiting its promise) while sampling memory every `sampleMs`; returns its JSON value and the metrics. */
  measure<T>(expression: string, sampleMs?: number): Promise<{ value: T; metrics: RunMetrics }>;
  /** Like {@link measure}, with the V8 sampling profiler on; also returns the `.cpuprofile` JSON and the top self-time functions. */
  profile<T>(expression: string): Promise<{ value: T; metrics: RunMetrics; cpuProfile: unknown; top: Array<{ fn: string; selfMs: number }> }>;
  close(): Promise<void>;
}

/** Starts `/usr/bin/chromium` headless with a DevTools port and a throwaway profile. */
export async function launchBrowser(opts: { port: number; executablePath?: string }): Promise<BenchBrowser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-chromium-"));
  const proc: ChildProcess = spawn(
    opts.executablePath ?? "/usr/bin/chromium",
    ["--headless", `--remote-debugging-port=${opts.port}`, "--remote-debugging-address=127.0.0.1", `--user-data-dir=${userDataDir}`, ...CHROMIUM_ARGS, "about:blank"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    let err = "";
    const onData = (d: Buffer) => {
      err += d.toString();
      if (err.includes("DevTools listening on")) {
        proc.stderr?.off("data", onData);
        proc.stderr?.resume();
        resolve();
      }
    };
    proc.stderr?.on("data", onData);
    proc.once("exit", (code) => reject(new Error(`chromium exited (${code}) before DevTools was up:\n${err}`)));
  });
  const rootPid = proc.pid as number;
  const version = (await CDP.Version({ host: "127.0.0.1", port: opts.port })).Browser;
  const targets = await CDP.List({ host: "127.0.0.1", port: opts.port });
  const page = targets.find((t) => t.type === "page");
  if (!page) throw new Error("chromium has no page target");
  const client = await CDP({ host: "127.0.0.1", port: opts.port, target: page.id });
  await Promise.all([client.Page.enable(), client.Runtime.enable(), client.DOM.enable(), client.Performance.enable({ timeDomain: "threadTicks" })]);

  const metric = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await client.Performance.getMetrics()).metrics.map((m) => [m.name, m.value]));
  const rendererRss = () => processTree(rootPid).filter((p) => isRenderer(p.pid)).reduce((n, p) => n + rssBytes(p.pid), 0);
  const treeCpu = () => processTree(rootPid).reduce((n, p) => n + p.cpuSeconds, 0);
  /** CPU seconds so far of the tree, by process type (a process that exited meanwhile is lost: Chromium keeps its processes for the page's life). */
  const cpuByType = () => {
    const out = { renderer: 0, browser: 0, other: 0 };
    for (const p of processTree(rootPid)) out[p.pid === rootPid ? "browser" : isRenderer(p.pid) ? "renderer" : "other"] += p.cpuSeconds;
    return out;
  };

  async function measure<T>(expression: string, sampleMs = 200): Promise<{ value: T; metrics: RunMetrics }> {
    await client.HeapProfiler.collectGarbage();
    const before = await metric();
    const cpu0 = treeCpu();
    const types0 = cpuByType();
    let peakHeap = before.JSHeapUsedSize ?? 0;
    const rss0 = rendererRss();
    let peakRss = rss0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await new Promise((r) => setTimeout(r, sampleMs));
        const m = await metric().catch(() => ({}) as Record<string, number>);
        peakHeap = Math.max(peakHeap, m.JSHeapUsedSize ?? 0);
        peakRss = Math.max(peakRss, rendererRss());
      }
    })();
    try {
      const res = await client.Runtime.evaluate({ expression, awaitPromise: true, returnByValue: true });
      if (res.exceptionDetails) {
        throw new Error(`page: ${res.exceptionDetails.exception?.description ?? res.exceptionDetails.text}`);
      }
      const after = await metric();
      peakHeap = Math.max(peakHeap, after.JSHeapUsedSize ?? 0);
      return {
        value: res.result.value as T,
        metrics: {
          peakJsHeapBytes: peakHeap,
          baselineJsHeapBytes: before.JSHeapUsedSize ?? 0,
          peakRendererRssBytes: peakRss,
          baselineRendererRssBytes: rss0,
          browserCpuSeconds: treeCpu() - cpu0,
          cpuByType: ((t) => ({ renderer: t.renderer - types0.renderer, browser: t.browser - types0.browser, other: t.other - types0.other }))(cpuByType()),
          mainThreadSeconds: (after.TaskDuration ?? 0) - (before.TaskDuration ?? 0),
        },
      };
    } finally {
      sampling = false;
      await sampler;
    }
  }

  return {
    version,
    async open(url) {
      const loaded = client.Page.loadEventFired();
      await client.Page.navigate({ url });
      await loaded;
    },
    async setInputFiles(selector, files) {
      const { root } = await client.DOM.getDocument({});
      const { nodeId } = await client.DOM.querySelector({ nodeId: root.nodeId, selector });
      if (!nodeId) throw new Error(`no element ${selector}`);
      await client.DOM.setFileInputFiles({ nodeId, files });
    },
    measure,
    async profile<T>(expression: string) {
      await client.Profiler.enable();
      await client.Profiler.setSamplingInterval({ interval: 200 });
      await client.Profiler.start();
      const { value, metrics } = await measure<T>(expression);
      const { profile } = await client.Profiler.stop();
      await client.Profiler.disable();
      return { value, metrics, cpuProfile: profile, top: topSelfTime(profile) };
    },
    async close() {
      await client.close().catch(() => undefined);
      proc.kill("SIGTERM");
      await new Promise((r) => (proc.exitCode !== null ? r(undefined) : proc.once("exit", r)));
      // helper processes may still write for a moment after the browser exits
      fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

/** Self time per function (ms) from a V8 CPU profile's samples and time deltas, the 15 largest. */
export function topSelfTime(profile: { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] }): Array<{ fn: string; selfMs: number }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const f = byId.get(samples[i])?.callFrame;
    if (!f) continue;
    const name = `${f.functionName || "(anonymous)"} ${f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1}` : ""}`.trim();
    self.set(name, (self.get(name) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
  return [...self.entries()].map(([fn, selfMs]) => ({ fn, selfMs: Number(selfMs.toFixed(1)) })).sort((a, b) => b.selfMs - a.selfMs).slice(0, 15);
}
