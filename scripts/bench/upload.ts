/**
 * `npm run bench:upload` — browser upload throughput and memory, this portal's engine against
 * @aws-sdk/lib-storage and Uppy (@uppy/aws-s3 5.1.0), with one single PUT from the browser and
 * from Node as the ceilings. Headless Debian Chromium (raw CDP), Ceph RGW on 127.0.0.1, the same
 * disk-backed File and the same kind of temporary STS credentials for every peer, peers interleaved
 * round by round. Every upload is checked (HeadObject size) and deleted afterwards.
 *
 *   npm run bench:upload                               # 1 GiB, 3 rounds, all peers
 *   npm run bench:upload -- --size-mib 256 --rounds 1  # quick check
 *   npm run bench:upload -- --sweep                    # ours: part size × concurrency (256 MiB file)
 *   npm run bench:upload -- --memory                   # 4 GiB: ours vs lib-storage, heap + renderer RSS
 *   npm run bench:upload -- --wan intercontinental --size-mib 512 --peers put,uppy,ours-fixed,ours
 *                                                      # every peer through the shaping proxy (issue 11)
 *   npm run bench:upload -- --many 500x256KiB          # many files chosen at once: ours vs Uppy 5 (issue 11)
 *   npm run bench:upload -- --many 10x100MiB --wan intercontinental --rounds 1
 *
 * Options: --size-mib N, --rounds N, --peers a,b,… (ours, ours-before, ours-plain, libstorage,
 * libstorage-nocrc, uppy, put, node-put; and, not by default, hash-only, hash-only-before, read-only, read-stream,
 * read-sync, read-1mib, probe-crc32c, probe-sha256-wasm, probe-sha256-subtle, ours-plain-buffer), --part-sizes-mib 5,8,16,64, --concurrency 2,4,8,16, --port P (page server; DevTools on
 * P+1; default BENCH_PORT or 4800), --portal-latency-ms MS (`ours`: round trip of the fake portal's
 * createSession/recordParts/complete, default 0), --profile (V8 CPU profile per run, top self
 * times printed, .cpuprofile written), --file-dir DIR (test files; default /tmp/ckan-portal-bench),
 * --wan continental|intercontinental (scripts/bench/shaping-proxy.ts between every peer and RGW, on
 * port P+2: 40 ms RTT at 250 Mbit/s, or 150 ms RTT at 1 Gbit/s; the table then also shows the share of
 * the run the uplink stood idle waiting on round trips, and the requests each peer made).
 * --many NxS (N files of S bytes, S with a unit B, KiB, MiB or GiB; at most 1 GiB in all): every peer
 * uploads all N files chosen at once in one `<input multiple>` (peers ours, ours-fixed, ours-plain,
 * uppy, uppy-defaults; default ours,uppy,uppy-defaults; scripts/bench/types.ts MANY_PEERS), each run with one
 * set of STS credentials for its key prefix; the table shows total seconds, files/s and MB/s per peer
 * and the ratios to Uppy 5, with the load average after every run; an untimed warm-up run of each peer
 * on the first few files (at most 6, and 16 MiB unless one file is larger) comes first.
 * --files-in-flight N: `ours` with N files at once instead of the page's 6 (an experiment).
 * Uses the RGW of RGW_DIR if it answers, else starts one (and stops it at the end).
 * Prints Markdown tables and writes JSON to bench-results/.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { launchBrowser, type BenchBrowser, type RunMetrics } from "./browser";
import { machine, markdownTable, max, mbPerSecond, median, mib, spread, writeResults } from "./report";
import { WAN_PROFILES, startShapingProxy, type ShapingProxy, type ShapingStats, type WanProfileName } from "./shaping-proxy";
import { ensureRgw, nodeSinglePut, portalS3, prefixCredentials, uploadCredentials, verifyAndDelete, verifyAndDeletePrefix, type RgwEnv } from "./s3";
import { BROWSER_PEERS, MANY_PEERS, PROBE_PEERS, type BenchManyInput, type BenchManyOutput, type BenchRunInput, type BenchRunOutput, type BrowserPeer, type ManyPeer } from "./types";

const root = path.resolve(__dirname, "../..");
const MiB = 2 ** 20;
type Peer = BrowserPeer | "node-put";
const PEER_LABEL: Record<Peer, string> = {
  ours: "this portal's engine (lib/uploader, starts at 5 MiB × 4, PART_TUNING=adaptive; CRC32C per part + SHA-256 in a Worker)",
  "ours-fixed": "this portal's engine, PART_TUNING=fixed (5 MiB × 4; CRC32C per part + SHA-256 in a Worker)",
  "ours-before": "this portal's engine, PART_TUNING=fixed, with the file hasher before issue 11 (frozen copy)",
  "ours-plain": "this portal's engine without checksums or file hash",
  "hash-only": "no upload: the engine's file hasher alone (CRC32C per part + SHA-256)",
  "hash-only-before": "no upload: the file hasher before issue 11 alone",
  "ours-plain-buffer": "ours-plain, each part read into an ArrayBuffer and the buffer sent",
  "probe-crc32c": "no upload: every part read in a Worker + CRC32C (hash-wasm)",
  "probe-sha256-wasm": "no upload: every part read in a Worker + incremental SHA-256 (hash-wasm)",
  "probe-sha256-subtle": "no upload: every part read in a Worker + SHA-256 per part (crypto.subtle.digest)",
  "read-only": "no upload: every part read once in a Worker (slice().arrayBuffer()), nothing hashed",
  "read-1mib": "no upload: the file read once in a Worker in 1 MiB slices (slice().arrayBuffer()), nothing hashed",
  "read-stream": "no upload: every part read once in a Worker (slice().stream()), nothing hashed",
  "read-sync": "no upload: every part read once in a Worker (FileReaderSync), nothing hashed",
  libstorage: "@aws-sdk/lib-storage Upload (5 MiB × 4, SDK defaults: CRC32)",
  "libstorage-nocrc": "lib-storage, requestChecksumCalculation WHEN_REQUIRED",
  uppy: "Uppy 5 @uppy/aws-s3 5.1.0 (defaults: 5 MiB × 6)",
  put: "one PUT of the whole file, browser XHR",
  "node-put": "one presigned PUT from Node",
};

const { values: args } = parseArgs({
  options: {
    "size-mib": { type: "string" },
    rounds: { type: "string" },
    peers: { type: "string" },
    sweep: { type: "boolean", default: false },
    memory: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    "portal-latency-ms": { type: "string", default: "0" },
    "part-sizes-mib": { type: "string", default: "5,8,16,64" },
    concurrency: { type: "string", default: "2,4,8,16" },
    port: { type: "string", default: process.env.BENCH_PORT ?? "4800" },
    "file-dir": { type: "string", default: "/tmp/ckan-portal-bench" },
    wan: { type: "string" },
    many: { type: "string" },
    "files-in-flight": { type: "string" },
  },
});
const numbers = (s: string) => s.split(",").map((v) => Number(v.trim()));
const mode = args.many ? "many" : args.sweep ? "sweep" : args.memory ? "memory" : "throughput";

/** `--many 500x256KiB` → { count: 500, bytes: 262144 }. */
function parseMany(spec: string): { count: number; bytes: number } {
  const m = /^(\d+)\s*[x×]\s*(\d+)\s*(B|KiB|MiB|GiB)?$/i.exec(spec.trim());
  if (!m) throw new Error(`--many ${spec}: expected N x S, e.g. 500x256KiB or 10x100MiB`);
  const unit = { b: 1, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30 }[(m[3] ?? "B").toLowerCase() as "b" | "kib" | "mib" | "gib"];
  const count = Number(m[1]);
  const bytes = Number(m[2]) * unit;
  if (count < 1 || bytes < 1) throw new Error(`--many ${spec}: at least one file of at least one byte`);
  if (count * bytes > 2 ** 30) throw new Error(`--many ${spec}: ${mib(count * bytes)} MiB in all; at most 1 GiB per measurement`);
  return { count, bytes };
}
const many = args.many ? parseMany(args.many) : undefined;
const sizeMiB = Number(args["size-mib"] ?? (mode === "sweep" ? 256 : mode === "memory" ? 4096 : 1024));
const rounds = Number(args.rounds ?? (mode === "throughput" ? 3 : 1));
const port = Number(args.port);
const peers = (args.peers?.split(",") ?? (mode === "many" ? ["ours", "uppy", "uppy-defaults"] : mode === "memory" ? ["ours", "libstorage"] : mode === "sweep" ? ["ours"] : [...BROWSER_PEERS, "node-put"])) as Peer[];
const wan = args.wan as WanProfileName | undefined;
if (wan && !(wan in WAN_PROFILES)) throw new Error(`unknown --wan ${wan} (known: ${Object.keys(WAN_PROFILES).join(", ")})`);
if (mode === "many") {
  for (const p of peers) if (!(MANY_PEERS as readonly string[]).includes(p)) throw new Error(`--many: unknown peer ${p} (known: ${MANY_PEERS.join(", ")})`);
} else {
  for (const p of peers) if (!(p in PEER_LABEL)) throw new Error(`unknown peer ${p} (known: ${Object.keys(PEER_LABEL).join(", ")})`);
}

/** A file of `bytes` random bytes (a 64 MiB random block repeated), made once and reused. */
function testFile(bytes: number): string {
  const dir = args["file-dir"] as string;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${bytes}.bin`);
  if (fs.existsSync(file) && fs.statSync(file).size === bytes) return file;
  console.error(`writing ${mib(bytes)} MiB test file ${file}…`);
  const block = crypto.randomBytes(Math.min(64 * MiB, Math.max(bytes, 1)));
  const fd = fs.openSync(`${file}.part`, "w");
  for (let written = 0; written < bytes; ) {
    const n = Math.min(block.length, bytes - written);
    fs.writeSync(fd, block, 0, n);
    written += n;
  }
  fs.closeSync(fd);
  fs.renameSync(`${file}.part`, file);
  return file;
}

/**
 * `count` files of `bytes` random bytes each (`f-00000.bin`…), made once per shape and reused, in
 * `<file-dir>/many-<count>x<bytes>/`. Each file is its own random bytes (a 64 MiB random block
 * repeated beyond 64 MiB).
 */
function manyTestFiles(count: number, bytes: number): string[] {
  const dir = path.join(args["file-dir"] as string, `many-${count}x${bytes}`);
  fs.mkdirSync(dir, { recursive: true });
  const files = Array.from({ length: count }, (_, i) => path.join(dir, `f-${String(i).padStart(5, "0")}.bin`));
  const block = bytes > 64 * MiB ? crypto.randomBytes(64 * MiB) : undefined;
  let made = 0;
  for (const file of files) {
    if (fs.existsSync(file) && fs.statSync(file).size === bytes) continue;
    const fd = fs.openSync(`${file}.part`, "w");
    for (let written = 0; written < bytes; ) {
      const chunk = block ?? crypto.randomBytes(Math.min(bytes - written, 64 * MiB));
      const n = Math.min(chunk.length, bytes - written);
      fs.writeSync(fd, chunk, 0, n);
      written += n;
    }
    fs.closeSync(fd);
    fs.renameSync(`${file}.part`, file);
    made++;
  }
  if (made) console.error(`wrote ${made} test file(s) of ${bytes} bytes in ${dir}`);
  return files;
}

/** Reads the file once so every peer, the first included, reads it from the page cache. */
async function warmPageCache(file: string): Promise<void> {
  for await (const _chunk of fs.createReadStream(file, { highWaterMark: 8 * MiB })) {
    // discard
  }
}

/** Bundles the page (esbuild) into .tmp/bench-page/ and serves it on 127.0.0.1:`port`. */
async function servePage(): Promise<http.Server> {
  const outdir = path.join(root, ".tmp/bench-page");
  const common = {
    bundle: true, format: "esm", platform: "browser", target: "chrome120", minify: false, // readable names in profiles
    define: { "process.env.NODE_ENV": '"production"' }, tsconfig: path.join(root, "tsconfig.json"), logLevel: "warning",
  } as const;
  await build({ ...common, entryPoints: [path.join(__dirname, "page/main.ts")], outfile: path.join(outdir, "main.js") });
  // The engine's hashing worker (`new Worker(new URL("./hash-worker.ts", import.meta.url))`), bundled on its own.
  await build({ ...common, entryPoints: [path.join(root, "lib/uploader/hash-worker.ts")], outfile: path.join(outdir, "hash-worker.js") });
  await build({ ...common, entryPoints: [path.join(__dirname, "page/before/hash-worker.ts")], outfile: path.join(outdir, "before-hash-worker.js") });
  await build({ ...common, entryPoints: [path.join(__dirname, "page/probe-worker.ts")], outfile: path.join(outdir, "probe-worker.js") });
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>upload bench</title></head>
<body><label>File <input id="file" type="file"></label><label>Files <input id="files" type="file" multiple></label><script type="module" src="/main.js"></script></body></html>`;
  const server = http.createServer((req, res) => {
    const url = req.url?.split("?")[0] ?? "";
    const script = url === "/main.js" ? "main.js" : url === "/probe-worker.ts" ? "probe-worker.js" : url.endsWith("/before-hash-worker.ts") ? "before-hash-worker.js" : url.endsWith("/hash-worker.ts") ? "hash-worker.js" : null;
    if (script) {
      res.writeHead(200, { "content-type": "text/javascript" });
      fs.createReadStream(path.join(outdir, script)).pipe(res);
    } else {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(html);
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return server;
}

interface RunRecord {
  peer: Peer;
  round: number;
  bytes: number;
  ms: number;
  mbps: number;
  parts: number;
  partSizeMiB?: number;
  concurrency?: number;
  metrics?: RunMetrics;
  /** --wan: what the shaping proxy saw during this run. */
  link?: ShapingStats;
  /** `ours`: the part size the engine chose (bytes) and its parts in flight at the end. */
  chosen?: { partSize: number; concurrency: number };
}

async function runOne(
  browser: BenchBrowser, env: RgwEnv, s3: ReturnType<typeof portalS3>, file: string, bytes: number,
  peer: Peer, round: number, tuning: { partSize?: number; concurrency?: number } = {}, proxy?: ShapingProxy,
): Promise<RunRecord> {
  const key = `bench/${peer}-${round}-${crypto.randomUUID()}/${path.basename(file)}`;
  // Every run starts on a cold link: no connection (and its handshake) inherited from the previous peer.
  const coldLink = () => {
    proxy?.dropConnections();
    proxy?.resetStats();
  };
  if (peer === "node-put") {
    coldLink();
    // Through the proxy too: the URL is presigned for the proxy's host, which RGW checks as received.
    const ms = await nodeSinglePut(proxy ? portalS3({ ...env, S3_ENDPOINT: proxy.url }) : s3, env.S3_BUCKET, key, file);
    const link = proxy?.stats();
    await verifyAndDelete(s3, env.S3_BUCKET, key, bytes);
    return { peer, round, bytes, ms, mbps: mbPerSecond(bytes, ms), parts: 1, ...(link && { link }) };
  }
  const input: BenchRunInput = {
    peer, endpoint: proxy?.url ?? env.S3_ENDPOINT, region: env.S3_REGION, bucket: env.S3_BUCKET, key,
    credentials: await uploadCredentials(env, key), portalLatencyMs: Number(args["portal-latency-ms"]), ...tuning,
  };
  const expression = `window.bench.run(${JSON.stringify(input)})`;
  coldLink();
  let measured: { value: BenchRunOutput; metrics: RunMetrics };
  if (args.profile) {
    const p = await browser.profile<BenchRunOutput>(expression);
    const file = writeResults(`profile-${peer}-${round}`, p.cpuProfile, ".cpuprofile");
    console.log(`  profile ${peer} round ${round} (${path.relative(root, file)}), self time:\n${p.top.map((t) => `    ${t.selfMs.toFixed(1).padStart(8)} ms  ${t.fn}`).join("\n")}`);
    measured = p;
  } else {
    measured = await browser.measure<BenchRunOutput>(expression);
  }
  const { value, metrics } = measured;
  const link = proxy?.stats();
  if (!(PROBE_PEERS as readonly string[]).includes(peer)) await verifyAndDelete(s3, env.S3_BUCKET, key, bytes);
  return {
    peer, round, bytes, ms: value.ms, mbps: mbPerSecond(bytes, value.ms), parts: value.parts, metrics,
    ...(link && { link }), ...(value.chosen && { chosen: value.chosen }),
    ...(tuning.partSize && { partSizeMiB: tuning.partSize / MiB }), ...(tuning.concurrency && { concurrency: tuning.concurrency }),
  };
}

const MANY_LABEL: Record<ManyPeer, string> = {
  ours: "this portal's engine as the page runs it (6 files in flight, 4 shared part slots, PART_TUNING=adaptive; CRC32C per part + whole-file SHA-256 in hashing Workers reused across files)",
  "ours-fixed": "the same, PART_TUNING=fixed",
  "ours-plain": "the same (adaptive) without checksums or file hash",
  uppy: "Uppy 5 @uppy/aws-s3 5.1.0, multipart for every file (limit 6 requests, 5 MiB parts)",
  "uppy-defaults": "Uppy 5 defaults (limit 6; one PUT per file ≤ 100 MiB, multipart above)",
};

interface ManyRecord {
  peer: ManyPeer;
  round: number;
  files: number;
  bytes: number;
  ms: number;
  parts: number;
  metrics: RunMetrics;
  link?: ShapingStats;
  chosen?: BenchManyOutput["chosen"];
  /** 1-minute load average right after the run. */
  load: number;
}

/** One many-files run: fresh prefix and credentials, cold link, every object checked and deleted. */
async function runManyOne(
  browser: BenchBrowser, env: RgwEnv, s3: ReturnType<typeof portalS3>, names: string[], fileBytes: number,
  peer: ManyPeer, round: number, proxy?: ShapingProxy, limit?: number,
): Promise<ManyRecord> {
  const prefix = `bench/many-${peer}-${round}-${crypto.randomUUID()}/`;
  const input: BenchManyInput = {
    peer, endpoint: proxy?.url ?? env.S3_ENDPOINT, region: env.S3_REGION, bucket: env.S3_BUCKET, prefix,
    credentials: await prefixCredentials(env, prefix), portalLatencyMs: Number(args["portal-latency-ms"]),
    ...(limit !== undefined && { limit }),
    ...(args["files-in-flight"] && { filesInFlight: Number(args["files-in-flight"]) }),
  };
  proxy?.dropConnections();
  proxy?.resetStats();
  const expression = `window.bench.runMany(${JSON.stringify(input)})`;
  let measured: { value: BenchManyOutput; metrics: RunMetrics };
  if (args.profile) {
    const p = await browser.profile<BenchManyOutput>(expression);
    const file = writeResults(`profile-many-${peer}-${round}`, p.cpuProfile, ".cpuprofile");
    console.log(`  profile ${peer} round ${round} (${path.relative(root, file)}), self time:\n${p.top.map((t) => `    ${t.selfMs.toFixed(1).padStart(8)} ms  ${t.fn}`).join("\n")}`);
    measured = p;
  } else {
    measured = await browser.measure<BenchManyOutput>(expression);
  }
  const { value, metrics } = measured;
  const link = proxy?.stats();
  await verifyAndDeletePrefix(s3, env.S3_BUCKET, prefix, new Map(names.slice(0, limit).map((n) => [prefix + n, fileBytes])));
  return {
    peer, round, files: value.files, bytes: value.bytes, ms: value.ms, parts: value.parts, metrics,
    ...(link && { link }), ...(value.chosen && { chosen: value.chosen }), load: (machine().loadavg as number[])[0],
  };
}

/**
 * --many: per peer, total seconds, files/s and MB/s (medians, min–max) and the ratios to Uppy 5 (its
 * MB/s over the same files: >1 means faster); through the proxy also the requests made.
 */
function manyTable(runs: ManyRecord[], manyPeers: ManyPeer[]): string {
  const by = (p: ManyPeer) => runs.filter((r) => r.peer === p);
  const mbps = (r: ManyRecord) => mbPerSecond(r.bytes, r.ms);
  const med = (p: ManyPeer) => (by(p).length ? median(by(p).map(mbps)) : NaN);
  const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}×` : "—");
  const perRun = (rs: ManyRecord[], f: (r: ManyRecord) => number) => (rs.length ? median(rs.map(f)).toFixed(0) : "—");
  const wan = runs.some((r) => r.link);
  const rows = manyPeers.map((p) => {
    const rs = by(p);
    const chosen = rs.map((r) => r.chosen).filter((c): c is NonNullable<ManyRecord["chosen"]> => !!c);
    return [
      MANY_LABEL[p], spread(rs.map((r) => r.ms / 1000)), spread(rs.map((r) => r.files / (r.ms / 1000)), rs.every((r) => r.files / (r.ms / 1000) < 10) ? 2 : 1), spread(rs.map(mbps)),
      ratio(med(p), med("uppy")), ratio(med(p), med("uppy-defaults")),
      ...(wan ? [perRun(rs, (r) => r.link?.requests.PUT ?? 0), perRun(rs, (r) => r.link?.requests.POST ?? 0), perRun(rs, (r) => r.link?.requests.OPTIONS ?? 0), perRun(rs, (r) => r.link?.connections ?? 0)] : []),
      perRun(rs, (r) => r.parts),
      chosen.length ? [...new Set(chosen.map((c) => `${c.partSizes.map((b) => mib(b)).join("/")} MiB × ${c.concurrency}`))].join(", ") : "—",
      spread(rs.map((r) => r.metrics.browserCpuSeconds)),
      rs.map((r) => r.load.toFixed(1)).join(", "),
    ];
  });
  return markdownTable([
    ["peer", "total s median (min–max)", "files/s", "MB/s", "× Uppy 5 (multipart)", "× Uppy 5 defaults",
      ...(wan ? ["PUTs", "POSTs", "preflights", "connections"] : []), "part uploads", "ours: part size × slots (end)", "browser CPU s", "load (1 min) after each run"],
    ...rows,
  ]);
}

/** --many NxS: all peers, round after round, on the same N files. */
async function mainMany(spec: { count: number; bytes: number }): Promise<void> {
  const manyPeers = peers as ManyPeer[];
  const rgw = ensureRgw(Math.max(4 * 2 ** 30, 1.25 * spec.count * spec.bytes + 2 ** 30));
  let server: http.Server | undefined;
  let browser: BenchBrowser | undefined;
  let proxy: ShapingProxy | undefined;
  try {
    if (wan) proxy = await startShapingProxy({ target: rgw.env.S3_ENDPOINT, port: port + 2, ...WAN_PROFILES[wan] });
    const s3 = portalS3(rgw.env);
    const files = manyTestFiles(spec.count, spec.bytes);
    for (const f of files) await warmPageCache(f);
    server = await servePage();
    browser = await launchBrowser({ port: port + 1 });
    await browser.open(`http://127.0.0.1:${port}/`);
    await browser.setInputFiles("#files", files);
    const header = `many files${wan ? ` over ${wan} (proxy ${proxy?.url})` : " on loopback"}: ${args.many} files chosen at once (${mib(spec.count * spec.bytes)} MiB), ${rounds} round(s), ${browser.version}, RGW ${rgw.env.S3_ENDPOINT}, load ${machine().loadavg}`;
    console.log(header);
    // Untimed warm-up: every peer once on the first few files, so no peer pays the page's first
    // compilation of the code they share (the AWS SDK client, the signer) inside its measurement.
    const warmFiles = Math.min(files.length, 6, Math.max(1, Math.floor((16 * MiB) / spec.bytes)));
    for (const peer of manyPeers) await runManyOne(browser, rgw.env, s3, files.map((f) => path.basename(f)), spec.bytes, peer, 0, undefined, warmFiles);
    const runs: ManyRecord[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const peer of manyPeers) {
        const r = await runManyOne(browser, rgw.env, s3, files.map((f) => path.basename(f)), spec.bytes, peer, round, proxy);
        const l = r.link;
        console.log(
          `  round ${round} ${peer}: ${(r.ms / 1000).toFixed(1)} s, ${(r.files / (r.ms / 1000)).toFixed(1)} files/s, ${mbPerSecond(r.bytes, r.ms).toFixed(1)} MB/s, ${r.parts} part uploads, cpu ${r.metrics.browserCpuSeconds.toFixed(1)} s` +
            `${l ? `, requests ${JSON.stringify(l.requests)}, connections ${l.connections}` : ""}` +
            `${r.chosen ? `, parts ${r.chosen.partSizes.map((b) => mib(b)).join("/")} MiB × ${r.chosen.concurrency}` : ""}, load ${machine().loadavg}`,
        );
        runs.push(r);
      }
    }
    const table = manyTable(runs, manyPeers);
    const after = machine();
    console.log(`\n${header}\n\n${table}\n\nload after: ${after.loadavg}`);
    const out = writeResults(`upload-many-${spec.count}x${spec.bytes}${wan ? `-wan-${wan}` : ""}`, { mode, wan, many: spec, rounds, browser: browser.version, machineBefore: header, machineAfter: after, runs, table });
    console.log(`results: ${path.relative(root, out)}`);
  } finally {
    await browser?.close().catch((e) => console.error(`closing chromium: ${String(e)}`));
    server?.close();
    await proxy?.close();
    rgw.stop();
  }
}

function throughputTable(runs: RunRecord[]): string {
  const by = (p: Peer) => runs.filter((r) => r.peer === p);
  const med = (p: Peer) => (by(p).length ? median(by(p).map((r) => r.mbps)) : NaN);
  const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}×` : "—");
  const rows = peers.map((p) => {
    const rs = by(p);
    const m = rs.map((r) => r.metrics).filter((x): x is RunMetrics => !!x);
    return [
      PEER_LABEL[p], spread(rs.map((r) => r.mbps)), ratio(med(p), med("libstorage")), ratio(med(p), med("uppy")), ratio(med(p), med("put")),
      m.length ? mib(max(m.map((x) => x.peakJsHeapBytes))) : "—",
      m.length ? `${mib(max(m.map((x) => x.peakRendererRssBytes)))} (+${mib(max(m.map((x) => x.peakRendererRssBytes - x.baselineRendererRssBytes)))})` : "—",
      m.length ? spread(m.map((x) => x.browserCpuSeconds)) : "—",
      m.length ? spread(m.map((x) => x.mainThreadSeconds)) : "—",
      // Client CPU per GiB sent (issue 11): renderer (page + Workers) + browser process (Blob reads), and the split.
      m.length ? spread(rs.map((r) => (r.metrics ? (r.metrics.cpuByType.renderer + r.metrics.cpuByType.browser) / (r.bytes / 2 ** 30) : NaN))) : "—",
      m.length ? cpuSplit(rs) : "—",
    ];
  });
  return markdownTable([
    ["peer", "MB/s median (min–max)", "× lib-storage", "× Uppy 5", "× browser PUT", "peak JS heap MiB", "peak renderer RSS MiB (+ over start)", "browser CPU s", "main thread s", "client CPU-s/GiB (renderer + browser)", "CPU-s/GiB renderer / browser / other"],
    ...rows,
  ]);
}

/**
 * --wan: MB/s against the single PUT and Uppy 5 of the same run, and where the time went on the
 * uplink: busy, idle while a request waited on a round trip (handshake, full window, answer), idle
 * while nothing was outstanding (the client itself). Shares of the run's wall time, medians.
 */
function wanTable(runs: RunRecord[], profile: WanProfileName): string {
  const by = (p: Peer) => runs.filter((r) => r.peer === p);
  const med = (p: Peer) => (by(p).length ? median(by(p).map((r) => r.mbps)) : NaN);
  const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}×` : "—");
  // Shares of the time the proxy accounted (busy + idle, from just before the run to just after it).
  const total = (l: ShapingStats) => l.busyMs + l.idleRttMs + l.idleClientMs;
  const share = (rs: RunRecord[], f: (l: ShapingStats) => number) =>
    rs.some((r) => r.link) ? `${(median(rs.filter((r) => r.link).map((r) => f(r.link as ShapingStats) / total(r.link as ShapingStats))) * 100).toFixed(0)} %` : "—";
  const perRun = (rs: RunRecord[], f: (r: RunRecord) => number) => (rs.length ? median(rs.map(f)).toFixed(0) : "—");
  const rows = peers.map((p) => {
    const rs = by(p);
    const chosen = rs.map((r) => r.chosen).filter((c): c is NonNullable<RunRecord["chosen"]> => !!c);
    return [
      PEER_LABEL[p], spread(rs.map((r) => r.mbps)), ratio(med(p), med("put")), ratio(med(p), med("uppy")),
      share(rs, (l) => l.busyMs), share(rs, (l) => l.idleRttMs), share(rs, (l) => l.idleClientMs),
      perRun(rs, (r) => r.link?.requests.PUT ?? 0), perRun(rs, (r) => r.link?.requests.OPTIONS ?? 0), perRun(rs, (r) => r.link?.connections ?? 0),
      chosen.length ? [...new Set(chosen.map((c) => `${mib(c.partSize)} MiB × ${c.concurrency}`))].join(", ") : "—",
      rs.some((r) => r.metrics) ? spread(rs.map((r) => r.metrics).filter((x): x is RunMetrics => !!x).map((x) => x.browserCpuSeconds)) : "—",
    ];
  });
  const p = WAN_PROFILES[profile];
  return `${profile}: ${p.rttMs} ms RTT, ${((p.upBytesPerSecond * 8) / 1e6).toFixed(0)} Mbit/s up (${(p.upBytesPerSecond / 1e6).toFixed(2)} MB/s), 4 MiB per-connection window\n\n` +
    markdownTable([
      ["peer", "MB/s median (min–max)", "× single PUT", "× Uppy 5", "uplink busy", "idle: round trips", "idle: client", "PUTs", "preflights", "connections", "ours: part size × in flight (end)", "browser CPU s"],
      ...rows,
    ]);
}

/** Median CPU-s per GiB by Chromium process type: renderer / browser / other (network service, GPU). */
function cpuSplit(rs: RunRecord[]): string {
  const per = (k: keyof RunMetrics["cpuByType"]) =>
    median(rs.filter((r) => r.metrics).map((r) => (r.metrics as RunMetrics).cpuByType[k] / (r.bytes / 2 ** 30))).toFixed(1);
  return `${per("renderer")} / ${per("browser")} / ${per("other")}`;
}

function sweepTable(runs: RunRecord[], partSizes: number[], concurrencies: number[]): string {
  const cell = (ps: number, c: number) => {
    const rs = runs.filter((r) => r.partSizeMiB === ps && r.concurrency === c);
    return rs.length ? spread(rs.map((r) => r.mbps)) : "—";
  };
  return markdownTable([["part size \\ in flight", ...concurrencies.map(String)], ...partSizes.map((ps) => [`${ps} MiB`, ...concurrencies.map((c) => cell(ps, c))])]);
}

async function main(): Promise<void> {
  const bytes = sizeMiB * MiB;
  const rgw = ensureRgw(Math.max(4 * 2 ** 30, 1.25 * bytes + 2 ** 30)); // objects are deleted and collected after each run
  let server: http.Server | undefined;
  let browser: BenchBrowser | undefined;
  let proxy: ShapingProxy | undefined;
  try {
    if (wan) proxy = await startShapingProxy({ target: rgw.env.S3_ENDPOINT, port: port + 2, ...WAN_PROFILES[wan] });
    const s3 = portalS3(rgw.env);
    const file = testFile(bytes);
    await warmPageCache(file);
    server = await servePage();
    browser = await launchBrowser({ port: port + 1 });
    await browser.open(`http://127.0.0.1:${port}/`);
    await browser.setInputFiles("#file", [file]);
    const partSizes = numbers(args["part-sizes-mib"] as string);
    const concurrencies = numbers(args.concurrency as string);
    const header = `${mode}${wan ? ` over ${wan} (proxy ${proxy?.url})` : ""}: ${mib(bytes)} MiB file, ${rounds} round(s), ${browser.version}, RGW ${rgw.env.S3_ENDPOINT}, load ${machine().loadavg}`;
    console.log(header);

    const runs: RunRecord[] = [];
    for (let round = 1; round <= rounds; round++) {
      if (mode === "sweep") {
        for (const ps of partSizes) {
          for (const c of concurrencies) {
            const r = await runOne(browser, rgw.env, s3, file, bytes, "ours-fixed", round, { partSize: ps * MiB, concurrency: c }, proxy);
            console.log(`  round ${round} ours ${ps} MiB × ${c}: ${r.mbps.toFixed(1)} MB/s`);
            runs.push(r);
          }
        }
      } else {
        for (const peer of peers) {
          const r = await runOne(browser, rgw.env, s3, file, bytes, peer, round, {}, proxy);
          const m = r.metrics;
          const l = r.link;
          console.log(
            `  round ${round} ${peer}: ${r.mbps.toFixed(1)} MB/s${m ? `, heap ${mib(m.peakJsHeapBytes)} MiB, renderer ${mib(m.peakRendererRssBytes)} MiB, cpu ${m.browserCpuSeconds.toFixed(1)} s (renderer ${m.cpuByType.renderer.toFixed(1)}, browser ${m.cpuByType.browser.toFixed(1)}, other ${m.cpuByType.other.toFixed(1)})` : ""}` +
              `${l ? `, uplink busy ${((100 * l.busyMs) / (l.busyMs + l.idleRttMs + l.idleClientMs)).toFixed(0)} %, idle on round trips ${((100 * l.idleRttMs) / (l.busyMs + l.idleRttMs + l.idleClientMs)).toFixed(0)} %, requests ${JSON.stringify(l.requests)}, connections ${l.connections}` : ""}` +
              `${r.chosen ? `, chose ${mib(r.chosen.partSize)} MiB × ${r.chosen.concurrency}` : ""}, load ${machine().loadavg}`,
          );
          runs.push(r);
        }
      }
    }
    const table = mode === "sweep" ? sweepTable(runs, partSizes, concurrencies) : wan ? wanTable(runs, wan) : throughputTable(runs);
    const after = machine();
    console.log(`\n${header}\n\n${table}\n\nload after: ${after.loadavg}`);
    const out = writeResults(`upload-${wan ? `wan-${wan}` : mode}`, { mode, wan, sizeBytes: bytes, rounds, browser: browser.version, machineBefore: header, machineAfter: after, runs, table });
    console.log(`results: ${path.relative(root, out)}`);
  } finally {
    await browser?.close().catch((e) => console.error(`closing chromium: ${String(e)}`));
    server?.close();
    await proxy?.close();
    rgw.stop();
  }
}

(many ? mainMany(many) : main()).catch((e) => {
  console.error(e);
  process.exit(1);
});
