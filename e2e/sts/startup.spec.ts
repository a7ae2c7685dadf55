/**
 * Configuration is validated once at start-up: a missing or malformed variable stops the built
 * portal with a message naming it (lib/startup.ts, run from instrumentation.ts).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";

const ROOT = path.resolve(__dirname, "../..");

/** Starts the standalone build (`node server.js`, as in production) with `env` and resolves with its exit code and output once it exits. */
function startPortal(env: Record<string, string | undefined>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, ".next", "standalone", "server.js")], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, NEXT_TELEMETRY_DISABLED: "1", HOSTNAME: "127.0.0.1", PORT: "0", ...env } as unknown as NodeJS.ProcessEnv,
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test("the portal refuses to start without CKAN_URL and S3_BUCKET, naming them", async () => {
  const { code, output } = await startPortal({ NEXTAUTH_SECRET: "x".repeat(40), CREDENTIALS_MODE: "presigned" });
  expect(code).toBe(1);
  expect(output).toContain("CKAN_URL: is required");
  expect(output).toContain("S3_BUCKET: is required");
});

test("the portal refuses to start on a malformed value, naming it", async () => {
  const { code, output } = await startPortal({
    NEXTAUTH_SECRET: "x".repeat(40),
    CKAN_URL: "http://127.0.0.1:1",
    S3_BUCKET: "ckan-uploads",
    CREDENTIALS_MODE: "presigned",
    PART_CONCURRENCY: "lots",
  });
  expect(code).toBe(1);
  expect(output).toMatch(/PART_CONCURRENCY: /);
});
