/**
 * Starts the portal with its peers on 127.0.0.1 — the demo CKAN server (project code, seeded), an
 * S3 store, a migrated database — then the standalone build's `node server.js` (or `next dev` with --dev).
 *
 *   tsx scripts/stack.ts                      # the demo: embedded S3 (s3rver), presigned mode
 *   tsx scripts/stack.ts --storage env        # S3/STS from the environment (e.g. Ceph RGW), sts mode
 *
 * Environment: PORT (portal, default 3000), CKAN_DEMO_PORT (5055), S3_DEMO_PORT (4568),
 * DATABASE_URL (default file:./data/demo.db), DEMO_DATA_DIR (./data). Stops everything on Ctrl-C.
 * Tests: DEMO_SECURITY_PERSONAS=1 adds the authorization matrix's extra CKAN users; PORTAL_LOG_FILE
 * writes the portal's stdout (JSON logs, LOG_LEVEL info) and stderr to that file (the token-leak test
 * searches it). Without it, LOG_LEVEL defaults to warn here.
 * CKAN_DEMO_SYSADMIN_CONTROL=1 opens demo CKAN's `POST /_demo/sysadmin` (the stand-in for `ckan sysadmin remove`).
 * PORTAL_NODE_OPTIONS becomes the portal process's NODE_OPTIONS only (e.g. `--inspect=127.0.0.1:9339` to
 * profile it with scripts/bench/profile-process.ts while a benchmark runs; docs/performance.md).
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { DEMO_NEXTAUTH_SECRET } from "../lib/config";
import { addSecurityPersonas } from "./ckan-demo/personas";
import { startDemoCkan } from "./ckan-demo/server";
import { DEMO_TOKENS } from "./ckan-demo/seed";
import { startEmbeddedS3 } from "./lib/embedded-s3";

const args = new Set(process.argv.slice(2));
const storage = args.has("--storage") && process.argv[process.argv.indexOf("--storage") + 1] === "env" ? "env" : "embedded";
const dev = args.has("--dev");
const root = path.resolve(__dirname, "..");
const host = "127.0.0.1";
const port = Number(process.env.PORT ?? 3000);
const dataDir = path.resolve(root, process.env.DEMO_DATA_DIR ?? "data");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

function run(cmd: string, argv: string[], env: NodeJS.ProcessEnv): void {
  const r = spawnSync(cmd, argv, { cwd: root, env, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${argv.join(" ")} failed (exit ${r.status})`);
}

async function main(): Promise<void> {
  fs.mkdirSync(dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  env.DATABASE_URL ??= `file:${path.join(dataDir, "demo.db")}`;
  env.NEXTAUTH_URL ??= `http://${host}:${port}`;
  env.NEXTAUTH_SECRET ??= DEMO_NEXTAUTH_SECRET;
  // The demo may run `next start` (NODE_ENV=production) on its demo secret and s3rver keys.
  env.PORTAL_DEMO ??= "true";
  // One JSON line per request would bury the banner: the terminal shows warnings and errors only,
  // unless LOG_LEVEL says otherwise; a PORTAL_LOG_FILE gets the full request log.
  env.LOG_LEVEL ??= process.env.PORTAL_LOG_FILE ? "info" : "warn";

  // CKAN_DEMO_FAULT_CONTROL=1 (end-to-end tests only) lets tests make demo CKAN calls fail.
  const ckan = await startDemoCkan({ host, port: Number(process.env.CKAN_DEMO_PORT ?? 5055), faultControl: process.env.CKAN_DEMO_FAULT_CONTROL === "1", sysadminControl: process.env.CKAN_DEMO_SYSADMIN_CONTROL === "1" });
  env.CKAN_URL = ckan.url;
  if (process.env.DEMO_SECURITY_PERSONAS === "1") addSecurityPersonas(ckan.state);
  const closers: Array<() => Promise<void>> = [() => ckan.close()];

  if (storage === "embedded") {
    const s3 = await startEmbeddedS3({ host, port: Number(process.env.S3_DEMO_PORT ?? 4568), bucket: "ckan-demo-uploads", directory: path.join(dataDir, "s3") });
    closers.push(() => s3.close());
    Object.assign(env, {
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: "ckan-demo-uploads",
      S3_REGION: "us-east-1",
      S3_FORCE_PATH_STYLE: "true",
      CREDENTIALS_MODE: "presigned",
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
    });
    delete env.S3_ROLE_ARN;
    delete env.STS_ENDPOINT;
  } else {
    env.CREDENTIALS_MODE ??= "sts";
  }

  // The standalone server runs in .next/standalone: a relative SQLite path must not move with it.
  if (env.DATABASE_URL.startsWith("file:")) env.DATABASE_URL = `file:${path.resolve(root, env.DATABASE_URL.slice(5))}`;
  migrate(env);
  if (!dev && !fs.existsSync(path.join(root, ".next", "BUILD_ID"))) run(bin("next"), ["build"], env);
  // `next build` alone leaves the standalone output without static files and the entry server.
  if (!dev) run(process.execPath, [path.join(root, "scripts", "standalone.mjs")], env);

  const logFile = process.env.PORTAL_LOG_FILE ? fs.createWriteStream(path.resolve(root, process.env.PORTAL_LOG_FILE), { flags: "a" }) : null;
  // Production: the standalone build's entry server (server/portal-server.js), as `npm start` runs it.
  const [cmd, argv] = dev ? [bin("next"), ["dev", "-H", host, "-p", String(port)]] : [process.execPath, [path.join(root, ".next", "standalone", "server.js")]];
  const portal = spawn(cmd, argv, { cwd: root, env: { ...env, HOSTNAME: host, PORT: String(port), ...(process.env.PORTAL_NODE_OPTIONS ? { NODE_OPTIONS: process.env.PORTAL_NODE_OPTIONS } : {}) }, stdio: logFile ? ["inherit", "pipe", "pipe"] : "inherit" });
  if (logFile) {
    // stdout (the JSON logs) goes to the file only; stderr to both.
    portal.stdout?.on("data", (chunk: Buffer) => logFile.write(chunk));
    portal.stderr?.on("data", (chunk: Buffer) => (process.stderr.write(chunk), logFile.write(chunk)));
  }
  const stop = async (code: number) => {
    portal.kill("SIGTERM");
    await Promise.allSettled(closers.map((c) => c()));
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  portal.on("exit", (code) => void stop(code ?? 1));

  await waitForPortal(`http://${host}:${port}/login`, portal);
  console.log(`
CKAN upload portal (${storage === "embedded" ? "demo: embedded S3, presigned mode" : `S3 from the environment, ${env.CREDENTIALS_MODE} mode`})
  Portal:     http://${host}:${port}
  Demo CKAN:  ${ckan.url}
  Database:   ${env.DATABASE_URL}
  Sign in with one of these demo CKAN API tokens:
${Object.entries(DEMO_TOKENS).map(([user, token]) => `    ${user.padEnd(14)} ${token}`).join("\n")}
  Try the deep link: http://${host}:${port}/datasets/test-dataset/upload
`);
}

/**
 * `prisma migrate deploy`, printing one summary line. Prisma 6.19 with a driver adapter warns at every
 * run that the schema's `url` is unused, yet refuses to work without it (it then tries to download a
 * query engine): the warning is about Prisma's own setup, so it is left out; any failure prints all.
 */
function migrate(env: NodeJS.ProcessEnv): void {
  const r = spawnSync(bin("prisma"), ["migrate", "deploy"], { cwd: root, env, encoding: "utf8" });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.status !== 0) {
    process.stderr.write(output);
    throw new Error(`prisma migrate deploy failed (exit ${r.status})`);
  }
  const applied = output.match(/^\s*└─ (\S+)/gm)?.length ?? 0;
  console.log(`Database ${env.DATABASE_URL}: ${applied ? `${applied} migration(s) applied` : "up to date"}`);
}

/** Resolves once the portal answers `url` (so the banner is printed only when it can be opened). */
async function waitForPortal(url: string, child: ReturnType<typeof spawn>): Promise<void> {
  for (let i = 0; i < 600 && child.exitCode === null; i++) {
    const ok = await fetch(url, { redirect: "manual" }).then((r) => r.status < 500, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the portal did not start listening on ${url}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
