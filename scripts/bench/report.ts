/**
 * Figures for the benchmark tables: MB/s is 10^6 bytes per second; MiB is 2^20 bytes. Tables are
 * Markdown (markdown-table), so they paste into the README as printed. Results JSON goes to
 * bench-results/ (gitignored), with the machine's load beside the figures.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { markdownTable } from "markdown-table";
import { max, median, min } from "simple-statistics";

/** Throughput in MB/s (10^6 B/s) of `bytes` sent in `ms` milliseconds. */
export const mbPerSecond = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

/** Bytes as MiB with one decimal. */
export const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

/** `median` (min–max) of a sample, one decimal. */
export function spread(values: number[], digits = 1): string {
  if (values.length === 0) return "—";
  return `${median(values).toFixed(digits)} (${min(values).toFixed(digits)}–${max(values).toFixed(digits)})`;
}

export { markdownTable, median, max, min };

/** The machine's state beside the figures: load averages (1, 5, 15 min), cores, memory, versions. */
export function machine(): Record<string, unknown> {
  return {
    loadavg: os.loadavg().map((l) => Number(l.toFixed(2))),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    totalMemGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    at: new Date().toISOString(),
  };
}

/** Writes `data` as JSON to bench-results/{name}-{timestamp}{ext} (default `.json`) and returns the path. */
export function writeResults(name: string, data: unknown, ext = ".json"): string {
  const dir = path.resolve(__dirname, "../../bench-results");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, "-")}${ext}`);
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}
