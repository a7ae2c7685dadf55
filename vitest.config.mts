import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// An ES module (.mts): Vite loads it natively, without the CommonJS-loading warning.
const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * Three projects:
 * - unit: pure code and contract tests, no network peers (tests/unit, lib/**\/*.test.ts).
 * - integration: real SQLite, Ceph RGW, demo CKAN (tests/integration). Needs the peers
 *   started by scripts/test-all.sh (a missing peer fails the run, it never skips).
 * - service: the standalone build run as processes (two instances behind a load balancer, health,
 *   metrics, logs, shutdown; tests/service). Needs `npm run build`, RGW and PostgreSQL.
 */
export default defineConfig({
  resolve: {
    alias: {
      "@": root,
      // `server-only` throws outside React Server Components; tests run server modules directly.
      "server-only": path.resolve(root, "tests/support/empty.ts"),
    },
  },
  test: {
    // Structured logs (pino) of the code under test stay quiet unless a test asks for them.
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" },
    projects: [
      {
        extends: true,
        // A guard, not a margin: some unit tests hash or upload a 12 MiB file through the real engine,
        // which takes ~0.3 s on an idle machine and more than vitest's default 5 s on a loaded 2-core CI
        // machine (seen with two CPU hogs); every test waits for its outcome, never for time.
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node", testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        // Needs `npm run build` (the standalone server), RGW and PostgreSQL: npm test's "service tests" step.
        test: {
          name: "service",
          include: ["tests/service/**/*.test.ts"],
          environment: "node",
          testTimeout: 240_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
