/**
 * What the user sees. Humans: one progress line per file (bytes, %, MB/s, ETA) and a total line,
 * drawn with cli-progress on the terminal (stderr), only when it is a TTY or `--progress` asks;
 * results and errors as plain lines. Scripts (`--json`): one JSON object per line on stdout,
 * `{"event": …}` (see docs/command-line.md for every event and field). Never prints a token.
 */
import cliProgress from "cli-progress";

/** A finished file. Sizes in bytes, durations in seconds. */
export interface FileResult {
  file: string;
  name: string;
  status: "completed" | "failed" | "paused" | "skipped";
  size: number;
  seconds: number;
  sessionId?: string;
  resourceId?: string | null;
  ckanResourceUrl?: string | null;
  sha256?: string;
  error?: { code: string; message: string; apiCode?: string };
  exitCode?: number;
}

export interface Reporter {
  /** Any event, as one JSON line (`--json`) or a human line. */
  event(e: Record<string, unknown> & { event: string }): void;
  /** A human-readable note (stderr; not in `--json` mode). */
  note(text: string): void;
  fileStart(file: string, name: string, size: number): void;
  progress(file: string, p: { bytesSent: number; total: number; percent: number; speedBps: number; etaSeconds: number | null }): void;
  fileEnd(r: FileResult): void;
  summary(s: { files: number; completed: number; failed: number; paused: number; bytes: number; seconds: number; exitCode: number; failures: FileResult[] }): void;
  stop(): void;
}

export interface ReporterOptions {
  json: boolean;
  /** Draw progress bars (default: stderr is a TTY). */
  progress: boolean;
  /** Only errors and the summary. */
  quiet: boolean;
  /** Seconds between `progress` JSON events per file. Default 1. */
  jsonProgressIntervalMs?: number;
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const fmtEta = (s: number | null) => (s === null || !Number.isFinite(s) ? "--:--" : `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, "0")}`);

/** Human-readable size (binary units). */
export function formatSize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) ((v /= 1024), i++);
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function createReporter(o: ReporterOptions): Reporter {
  if (o.json) return jsonReporter(o.jsonProgressIntervalMs ?? 1000);
  return humanReporter(o);
}

function jsonReporter(intervalMs: number): Reporter {
  const last = new Map<string, { at: number; bytes: number }>();
  const out = (e: Record<string, unknown>) => process.stdout.write(JSON.stringify({ ...e, time: new Date().toISOString() }) + "\n");
  return {
    event: out,
    note: () => undefined,
    fileStart: (file, name, size) => out({ event: "file", file, name, size }),
    progress(file, p) {
      const now = Date.now();
      const prev = last.get(file);
      if (prev && (prev.bytes === p.bytesSent || (p.bytesSent < p.total && now - prev.at < intervalMs))) return;
      last.set(file, { at: now, bytes: p.bytesSent });
      out({ event: "progress", file, bytes: p.bytesSent, total: p.total, percent: Math.round(p.percent * 10) / 10, bytesPerSecond: Math.round(p.speedBps), etaSeconds: p.etaSeconds === null ? null : Math.round(p.etaSeconds) });
    },
    fileEnd(r) {
      out({ event: r.status, ...r });
      // Failures are also named on stderr, for whoever reads the job's log rather than its JSON.
      if (r.status === "failed") process.stderr.write(`✘ ${r.name} (${r.file}): ${r.error?.message ?? "failed"}\n`);
    },
    summary: (s) => out({ event: "summary", files: s.files, completed: s.completed, failed: s.failed, paused: s.paused, bytes: s.bytes, seconds: s.seconds, exitCode: s.exitCode }),
    stop: () => undefined,
  };
}

function humanReporter(o: ReporterOptions): Reporter {
  const err = (line: string) => process.stderr.write(line + "\n");
  const bars = o.progress && !o.quiet
    ? new cliProgress.MultiBar(
        {
          stream: process.stderr,
          format: " {name} |{bar}| {percentage}% {done}/{all} {speed} MB/s ETA {etaText}",
          hideCursor: true,
          clearOnComplete: false,
          barsize: 24,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const fileBars = new Map<string, cliProgress.SingleBar>();
  let total: cliProgress.SingleBar | undefined;
  let totalBytes = 0;
  const sent = new Map<string, number>();
  const started = Date.now();
  const log = (line: string) => (bars ? bars.log(line + "\n") : err(line));
  const updateTotal = () => {
    if (!bars) return;
    const done = [...sent.values()].reduce((a, b) => a + b, 0);
    const secs = (Date.now() - started) / 1000;
    const speed = secs > 0 ? done / secs : 0;
    const payload = { name: "total".padEnd(24), done: formatSize(done), all: formatSize(totalBytes), speed: mb(speed), etaText: fmtEta(speed > 0 ? (totalBytes - done) / speed : null) };
    if (!total) total = bars.create(Math.max(1, totalBytes), done, payload);
    else {
      total.setTotal(Math.max(1, totalBytes));
      total.update(done, payload);
    }
  };
  return {
    event(e) {
      if (o.quiet) return;
      if (e.event === "waiting") log(`${String(e.message)}`);
      else if (e.event === "resuming") log(`${String(e.name)}: resuming upload ${String(e.sessionId)} (${String(e.skippedParts)} of ${String(e.partCount)} parts already stored, checked against the local file)`);
      else if (e.event === "retry" && e.what !== "part") log(`retrying ${String(e.what)}: ${String((e.error as { message?: string })?.message ?? "")}`);
    },
    note: (text) => (o.quiet ? undefined : log(text)),
    fileStart(file, name, size) {
      totalBytes += size;
      sent.set(file, 0);
      if (bars) {
        const label = name.length > 24 ? "…" + name.slice(-23) : name.padEnd(24);
        fileBars.set(file, bars.create(Math.max(1, size), 0, { name: label, done: formatSize(0), all: formatSize(size), speed: "0.0", etaText: "--:--" }));
      }
      updateTotal();
    },
    progress(file, p) {
      sent.set(file, p.bytesSent);
      fileBars.get(file)?.update(p.bytesSent, { done: formatSize(p.bytesSent), all: formatSize(p.total), speed: mb(p.speedBps), etaText: fmtEta(p.etaSeconds) });
      updateTotal();
    },
    fileEnd(r) {
      if (r.status === "completed") {
        sent.set(r.file, r.size);
        if (!o.quiet) log(`✔ ${r.name}: ${formatSize(r.size)} in ${r.seconds.toFixed(1)} s${r.ckanResourceUrl ? ` → ${r.ckanResourceUrl}` : ""}`);
      } else if (r.status === "failed") {
        log(`✘ ${r.name} (${r.file}): ${r.error?.message ?? "failed"}`);
      }
      updateTotal();
    },
    summary(s) {
      bars?.stop();
      const rate = s.seconds > 0 ? mb(s.bytes / s.seconds) : "0.0";
      const parts = [`${s.completed} of ${s.files} file(s) uploaded`, `${formatSize(s.bytes)} in ${s.seconds.toFixed(1)} s (${rate} MB/s)`];
      if (s.failed) parts.push(`${s.failed} failed`);
      if (s.paused) parts.push(`${s.paused} paused`);
      err(`Total: ${parts.join(", ")}.`);
      for (const f of s.failures) err(`  failed: ${f.file}: ${f.error?.message ?? ""}`);
    },
    stop: () => bars?.stop(),
  };
}
