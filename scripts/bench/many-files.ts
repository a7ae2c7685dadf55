/**
 * `npm run bench:files` — many small files through a running portal, end to end (issue 12): files
 * per second for N files of S KiB uploaded by the command line (`ckan-upload put`, the same engine
 * and portal routes as the page: create session, sign, part PUT, part report, complete + CKAN
 * resource_create), with several files at once vs one after another.
 *
 *   npm run demo                                   # another terminal: the demo stack (presigned mode)
 *   npm run bench:files -- --portal http://127.0.0.1:3000 --files 100 --size-kib 64 --in-flight 1,6
 *
 * Options: --portal URL (default http://127.0.0.1:$BENCH_PORT or :3000), --token (default the demo
 * editor_user's), --dataset (default test-dataset), --files N (100), --size-kib K (64),
 * --in-flight a,b,… (files in flight to compare, default 1,6), --file-dir DIR (default
 * /tmp/ckan-portal-bench). Prints a Markdown table.
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

const n = Number(args.files);
const bytes = Number(args["size-kib"]) * 1024;
const rows: string[][] = [];
for (const inFlight of (args["in-flight"] as string).split(",").map(Number)) {
  const dir = makeFiles(n, bytes);
  const r = runCli(dir, inFlight);
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`${n} × ${bytes / 1024} KiB, ${inFlight} file(s) in flight: ${r.seconds.toFixed(1)} s, ${(r.completed / r.seconds).toFixed(1)} files/s, ${r.failed} failed, ${r.waits} 429 waits`);
  rows.push([`${n} × ${bytes / 1024} KiB`, String(inFlight), r.seconds.toFixed(1), (r.completed / r.seconds).toFixed(1), String(r.failed), String(r.waits)]);
}
console.log("\n" + markdownTable([["files", "files in flight", "seconds", "files/s", "failed", "429 waits"], ...rows]));
