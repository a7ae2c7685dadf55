/**
 * Runs the `ckan-upload` command line as users do: the one-file bundle that `npm pack` ships
 * (packages/ckan-upload/dist/ckan-upload.js, built once per run with esbuild), in a child process with
 * its own XDG config/state folders, the token in the environment (never an argument).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
export const CLI_BUNDLE = path.join(ROOT, "packages/ckan-upload/dist/ckan-upload.js");
let built = false;

/** Builds the bundle (once per test process). */
export function buildCli(): void {
  if (built) return;
  execFileSync(process.execPath, [path.join(ROOT, "packages/ckan-upload/build.mjs")], { cwd: ROOT, stdio: "pipe" });
  built = true;
}

/** A private home for one test: XDG config and state folders. */
export function cliHome(): { config: string; state: string } {
  const base = path.join(ROOT, ".tmp/e2e-cli", randomBytes(6).toString("hex"));
  const config = path.join(base, "config");
  const state = path.join(base, "state");
  fs.mkdirSync(config, { recursive: true });
  fs.mkdirSync(state, { recursive: true });
  return { config, state };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** `--json` lines, parsed (a line that is not JSON fails the test). */
  events: Array<Record<string, unknown> & { event: string }>;
}

export interface CliOptions {
  token?: string | null;
  home: { config: string; state: string };
  env?: Record<string, string>;
  /** Called with each `--json` event as it arrives (e.g. to kill the process at 40 %). */
  onEvent?(e: Record<string, unknown> & { event: string }, child: ChildProcess): void;
  /** Called with the child once spawned. */
  onSpawn?(child: ChildProcess): void;
}

/** Spawns the CLI and resolves when it exits. */
export function runCli(args: string[], o: CliOptions): Promise<CliRun> {
  buildCli();
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: path.dirname(o.home.config),
    XDG_CONFIG_HOME: o.home.config,
    XDG_STATE_HOME: o.home.state,
    NODE_NO_WARNINGS: "1",
    ...(o.token ? { CKAN_API_TOKEN: o.token } : {}),
    ...o.env,
  } as unknown as NodeJS.ProcessEnv;
  const child = spawn(process.execPath, [CLI_BUNDLE, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  o.onSpawn?.(child);
  let stdout = "";
  let stderr = "";
  let buf = "";
  const events: CliRun["events"] = [];
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    buf += d;
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!args.includes("--json") || !line.trim()) continue;
      const e = JSON.parse(line) as CliRun["events"][number];
      events.push(e);
      o.onEvent?.(e, child);
    }
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, events }));
  });
}

/** Every file under `dir` as text (state and config files), for secret scans. */
export function readTree(dir: string): string {
  if (!fs.existsSync(dir)) return "";
  let out = "";
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out += fs.readFileSync(path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name), "utf8") + "\n";
  }
  return out;
}

/** The full command lines of every process (what `ps -eo args` shows to other users). */
export function psArgs(): string {
  return execFileSync("ps", ["-eo", "args", "ww"], { encoding: "utf8" });
}
