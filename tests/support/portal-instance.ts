/**
 * Starts the standalone build (`node .next/standalone/server.js`, prepared by `npm run build`) as a
 * child process, for the service tests (issue 14). Its JSON log lines are collected; `stop()` sends
 * SIGTERM and waits for the exit (graceful shutdown), returning the exit code.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
export const STANDALONE_SERVER = path.join(ROOT, ".next", "standalone", "server.js");

/** A running portal instance. */
export interface PortalInstance {
  url: string;
  child: ChildProcess;
  /** Every stdout/stderr line so far (JSON from pino, or anything else a library printed). */
  lines: string[];
  /** The lines that parse as JSON objects. */
  logs(): Array<Record<string, unknown>>;
  stop(): Promise<number | null>;
}

/** Fails with a clear message when the standalone build is missing (never skips). */
export function requireStandaloneBuild(): void {
  if (!fs.existsSync(STANDALONE_SERVER)) {
    throw new Error(`${STANDALONE_SERVER} is missing: run \`npm run build\` (next build + scripts/standalone.mjs) first (npm test does)`);
  }
}

/** Starts an instance on 127.0.0.1:`port` with `env` (over process.env) and waits until /api/health answers. */
export async function startPortalInstance(port: number, env: Record<string, string>): Promise<PortalInstance> {
  requireStandaloneBuild();
  const child = spawn(process.execPath, [STANDALONE_SERVER], {
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", LOG_LEVEL: "info", HOSTNAME: "127.0.0.1", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // Wait for the condition (the health route answers), with a last-resort guard of 120 s.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`portal instance on ${port} exited (${child.exitCode}):\n${lines.join("\n")}`);
    const ok = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`portal instance on ${port} did not answer /api/health:\n${lines.join("\n")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    lines,
    logs: () =>
      lines.flatMap((l) => {
        try {
          const v = JSON.parse(l) as unknown;
          return v && typeof v === "object" ? [v as Record<string, unknown>] : [];
        } catch {
          return [];
        }
      }),
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      return exited;
    },
  };
}
