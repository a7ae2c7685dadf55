import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS } from "./scripts/lib/chromium-args";

/**
 * End-to-end tests in Debian's Chromium (never `playwright install`). Two stacks, each started by
 * scripts/stack.ts on 127.0.0.1 with its own database and demo CKAN:
 * - "sts": S3 + STS from the environment (Ceph RGW, started by scripts/test-all.sh), CREDENTIALS_MODE=sts;
 * - "demo": `npm run demo`'s stack (embedded s3rver, presigned mode) — a short smoke run.
 */
const chromiumArgs = CHROMIUM_ARGS;

/** Ports: E2E_PORT_BASE (default 3100) + 1 for the sts portal, + 2 for the demo portal; CKAN and s3rver likewise from 5150 and 4600. */
const base = Number(process.env.E2E_PORT_BASE ?? 3100);
const offset = base - 3100;
export const STS_PORT = base + 1;
export const DEMO_PORT = base + 2;
export const DEMO_S3_PORT = 4602 + offset;
/** The "faults" stack (issue 3): sts portal on base + 3 whose browsers reach RGW through the fault proxy (tests/support/fault-proxy.ts). */
export const FAULTS_PORT = base + 3;
export const FAULTS_CKAN_PORT = 5153 + offset;
export const FAULT_PROXY_PORT = Number(process.env.FAULT_PROXY_PORT ?? 4700 + Math.round(offset / 100));
/**
 * The "browser" stack (issue 10: sessions, browser capabilities, tabs, CORS): sts portal on base + 4 with
 * a 30 s idle timeout, whose browsers reach RGW through their own fault proxy.
 */
export const BROWSER_PORT = base + 4;
export const BROWSER_PROXY_PORT = Number(process.env.BROWSER_PROXY_PORT ?? 4750 + Math.round(offset / 100));

export default defineConfig({
  testDir: "e2e",
  timeout: 300_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [["list"]],
  use: {
    launchOptions: { executablePath: "/usr/bin/chromium", args: chromiumArgs },
    trace: "off",
  },
  projects: [
    { name: "sts", testMatch: /sts\/.*\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${STS_PORT}` } },
    { name: "demo", testMatch: /demo\/.*\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${DEMO_PORT}` } },
    { name: "faults", testMatch: /faults\/.*\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${FAULTS_PORT}` } },
    { name: "browser", testMatch: /browser\/.*\.spec\.ts/, use: { baseURL: `http://127.0.0.1:${BROWSER_PORT}` } },
  ],
  webServer: [
    {
      command: "npx tsx scripts/stack.ts --storage env",
      url: `http://127.0.0.1:${STS_PORT}/login`,
      timeout: 180_000,
      reuseExistingServer: false,
      stdout: "pipe",
      env: {
        PORT: String(STS_PORT),
        CKAN_DEMO_PORT: String(5151 + offset),
        DATABASE_URL: "file:./.tmp/e2e-sts.db",
        DEMO_DATA_DIR: ".tmp/e2e-sts",
        CREDENTIALS_MODE: "sts",
        // Authorization matrix and token-leak tests (e2e/sts/authorization.spec.ts, security.spec.ts).
        DEMO_SECURITY_PERSONAS: "1",
        PORTAL_ADMINS: "portal_admin_user",
        // The matrix's time dimension: every decision asks CKAN (bound 0), and tests may demote a sysadmin.
        CKAN_AUTHZ_MAX_AGE_SECONDS: "0",
        CKAN_DEMO_SYSADMIN_CONTROL: "1",
        PORTAL_LOG_FILE: ".tmp/e2e-sts-portal.log",
      },
    },
    {
      command: "npx tsx scripts/stack.ts",
      url: `http://127.0.0.1:${DEMO_PORT}/login`,
      timeout: 180_000,
      reuseExistingServer: false,
      stdout: "pipe",
      env: {
        PORT: String(DEMO_PORT),
        CKAN_DEMO_PORT: String(5152 + offset),
        S3_DEMO_PORT: String(DEMO_S3_PORT),
        DATABASE_URL: "file:./.tmp/e2e-demo.db",
        DEMO_DATA_DIR: ".tmp/e2e-demo",
      },
    },
    {
      command: "npx tsx scripts/stack.ts --storage env",
      url: `http://127.0.0.1:${FAULTS_PORT}/login`,
      timeout: 180_000,
      reuseExistingServer: false,
      stdout: "pipe",
      env: {
        PORT: String(FAULTS_PORT),
        CKAN_DEMO_PORT: String(FAULTS_CKAN_PORT),
        CKAN_DEMO_FAULT_CONTROL: "1",
        DATABASE_URL: "file:./.tmp/e2e-faults.db",
        DEMO_DATA_DIR: ".tmp/e2e-faults",
        CREDENTIALS_MODE: "sts",
        S3_BROWSER_ENDPOINT: `http://127.0.0.1:${FAULT_PROXY_PORT}`,
        // RGW's shortest STS lifetime is 900 s; refreshing 890 s early makes every credential "expire" after 10 s.
        STS_DURATION_SECONDS: "900",
        STS_REFRESH_MARGIN_SECONDS: "890",
        // Ask CKAN at every decision, so a CKAN fault set by a test is met at once (e2e/faults/ckan-not-api.spec.ts).
        CKAN_AUTHZ_MAX_AGE_SECONDS: "0",
        // The command line's folder test (e2e/faults/cli.spec.ts) starts 203 uploads in about a minute.
        RATE_LIMIT_UPLOADS_PER_MINUTE: "1000",
      },
    },
    {
      command: "npx tsx scripts/stack.ts --storage env",
      url: `http://127.0.0.1:${BROWSER_PORT}/login`,
      timeout: 180_000,
      reuseExistingServer: false,
      stdout: "pipe",
      env: {
        PORT: String(BROWSER_PORT),
        CKAN_DEMO_PORT: String(5154 + offset),
        DATABASE_URL: "file:./.tmp/e2e-browser.db",
        DEMO_DATA_DIR: ".tmp/e2e-browser",
        CREDENTIALS_MODE: "sts",
        S3_BROWSER_ENDPOINT: `http://127.0.0.1:${BROWSER_PROXY_PORT}`,
        // A sign-in not renewed for 30 s ends (issue 10): renewals must carry uploads past it.
        SESSION_IDLE_MINUTES: "0.5",
        // Below the page's 6 files in flight: e2e/browser/bulk-limit.spec.ts meets the limit's 429s.
        MAX_ACTIVE_UPLOADS_PER_USER: "4",
      },
    },
  ],
});
