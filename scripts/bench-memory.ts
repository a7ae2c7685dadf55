/**
 * Memory benchmark of the upload engine (issue 3, CASES 22), run by hand — not a test:
 *
 *   bash scripts/rgw.sh start && source "$RGW_DIR/env" && npm run build
 *   npx tsx scripts/bench-memory.ts [size in MiB, default 2048]
 *
 * Starts the sts stack (scripts/stack.ts --storage env) on BENCH_PORT (default 3290), writes a file of
 * random bytes under .tmp/, uploads it from Chromium (/usr/bin/chromium) through the deep-link page
 * to Ceph RGW, and samples the page's JS heap with the Chrome DevTools Protocol
 * (`Performance.getMetrics` → JSHeapUsedSize) every 100 ms. Prints peak and median heap, the part
 * size and concurrency, elapsed time and MB/s (10^6 bytes/s), then deletes the object.
 * The file is disk-backed (setInputFiles with a path), as users pick files.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DeleteObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { chromium } from "@playwright/test";
import Database from "better-sqlite3";
import { DEMO_TOKENS } from "./ckan-demo/seed";

const MiB = 1024 * 1024;
const sizeMiB = Number(process.argv[2] ?? 2048);
const port = Number(process.env.BENCH_PORT ?? 3290);
const root = path.resolve(__dirname, "..");
const dbFile = path.join(root, ".tmp", "bench-memory.db");

function writeFile(file: string, size: number): string {
  const fd = fs.openSync(file, "w");
  const hash = createHash("sha256");
  const block = randomBytes(8 * MiB);
  for (let written = 0, i = 0; written < size; i++) {
    block.writeUInt32LE(i, 0);
    const chunk = block.subarray(0, Math.min(block.length, size - written));
    fs.writeSync(fd, chunk);
    hash.update(chunk);
    written += chunk.length;
  }
  fs.closeSync(fd);
  return hash.digest("hex");
}

async function waitFor(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer in ${ms} ms`);
}

async function main(): Promise<void> {
  if (!process.env.S3_ENDPOINT) throw new Error("S3_ENDPOINT is not set: start RGW and source its env first");
  fs.mkdirSync(path.join(root, ".tmp", "bench"), { recursive: true });
  fs.rmSync(dbFile, { force: true });
  const file = path.join(root, ".tmp", "bench", `bench-${sizeMiB}MiB.bin`);
  const size = sizeMiB * MiB;
  console.log(`writing ${file} (${size} bytes)…`);
  const sha256 = writeFile(file, size);

  const stack = spawn("npx", ["tsx", "scripts/stack.ts", "--storage", "env"], {
    cwd: root,
    env: { ...process.env, PORT: String(port), CKAN_DEMO_PORT: String(port + 1900), DATABASE_URL: `file:${dbFile}`, DEMO_DATA_DIR: ".tmp/bench", CREDENTIALS_MODE: "sts" },
    stdio: "ignore",
    detached: true,
  });
  const stop = () => {
    try {
      process.kill(-(stack.pid as number), "SIGTERM");
    } catch {
      // already gone
    }
  };
  try {
    await waitFor(`http://127.0.0.1:${port}/login`, 180_000);
    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--enable-precise-memory-info"] });
    const page = await browser.newPage({ baseURL: `http://127.0.0.1:${port}` });
    await page.goto("/login");
    await page.getByLabel("CKAN API token").fill(DEMO_TOKENS.editor_user);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.pathname === "/");
    await page.goto("/datasets/test-dataset/upload");
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const heap = async () => {
      const { metrics } = await cdp.send("Performance.getMetrics");
      return metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? 0;
    };
    const baseline = await heap();
    const samples: number[] = [];
    const started = Date.now();
    await page.getByLabel("Choose files").setInputFiles(file);
    const row = page.getByTestId("upload-row");
    for (;;) {
      samples.push(await heap());
      const state = await row.getAttribute("data-state");
      if (state === "completed" || state === "failed" || state === "cancelled") {
        if (state !== "completed") throw new Error(`upload ${state}: ${await row.textContent()}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (Date.now() - started) / 1000;
    await browser.close();

    const db = new Database(dbFile, { readonly: true });
    const s = db.prepare(`SELECT key, bucket, sha256, CAST(partSize AS INTEGER) AS partSize FROM UploadSession ORDER BY createdAt DESC LIMIT 1`).get() as { key: string; bucket: string; sha256: string; partSize: number };
    db.close();
    const sorted = [...samples].sort((a, b) => a - b);
    const m = (b: number) => `${(b / MiB).toFixed(1)} MiB`;
    console.log(`file: ${size} bytes (${sizeMiB} MiB), part size ${s.partSize / MiB} MiB, concurrency 4`);
    console.log(`time: ${seconds.toFixed(1)} s, ${(size / 1e6 / seconds).toFixed(1)} MB/s (session start to CKAN resource)`);
    console.log(`page JS heap: baseline ${m(baseline)}, peak ${m(sorted[sorted.length - 1])}, median ${m(sorted[Math.floor(sorted.length / 2)])} (${samples.length} samples)`);
    console.log(`whole-file SHA-256 from the page: ${s.sha256 === sha256 ? "matches the file" : `MISMATCH (${s.sha256} vs ${sha256})`}`);
    await new S3Client({ region: "us-east-1", endpoint: process.env.S3_ENDPOINT, forcePathStyle: true }).send(new DeleteObjectCommand({ Bucket: s.bucket, Key: s.key }));
  } finally {
    stop();
    fs.rmSync(file, { force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
