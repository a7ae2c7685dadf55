import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// An ES module (.mts): Vite loads it natively, without the CommonJS-loading warning.
const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * Two projects:
 * - unit: pure code and contract tests, no network peers (tests/unit, lib/**\/*.test.ts).
 * - integration: real SQLite, Ceph RGW, demo CKAN (tests/integration). Needs the peers
 *   started by scripts/test-all.sh (a missing peer fails the run, it never skips).
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
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" },
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
    ],
  },
});
