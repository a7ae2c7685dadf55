import "server-only";
import fs from "node:fs";
import path from "node:path";
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { createCkanClient } from "@/lib/ckan";
import { getConfig } from "@/lib/config";
import { getDb, isPostgresUrl } from "@/lib/db";
import { getS3Client } from "@/lib/storage/clients";

/** One readiness check's outcome. `detail` is a fixed phrase: never an address, a secret or an error text. */
export interface CheckResult {
  name: "database" | "storage" | "ckan";
  ok: boolean;
  /** Wall time of the check, milliseconds. */
  latencyMs: number;
  detail: string;
}

/** Each check gives up after this long (ms) and counts as failed. */
export const CHECK_TIMEOUT_MS = 5_000;

/**
 * The migrations this build expects, by folder name (prisma/migrations or prisma/postgresql/migrations,
 * traced into the standalone build by next.config.js).
 */
export function expectedMigrations(databaseUrl: string): string[] {
  const dir = isPostgresUrl(databaseUrl) ? path.join(process.cwd(), "prisma", "postgresql", "migrations") : path.join(process.cwd(), "prisma", "migrations");
  return fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}

async function timedCheck(name: CheckResult["name"], fn: (signal: AbortSignal) => Promise<string>, failure: string): Promise<CheckResult> {
  const started = performance.now();
  const signal = AbortSignal.timeout(CHECK_TIMEOUT_MS);
  try {
    const detail = await Promise.race([
      fn(signal),
      new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(new Error("timeout")), { once: true })),
    ]);
    return { name, ok: true, latencyMs: Math.round(performance.now() - started), detail };
  } catch (err) {
    const msg = (err as Error).message;
    return { name, ok: false, latencyMs: Math.round(performance.now() - started), detail: msg === "timeout" ? `no answer within ${CHECK_TIMEOUT_MS} ms` : msg.startsWith("pending:") ? msg.slice(8) : failure };
  }
}

/**
 * Readiness (GET /api/ready): the database answers and has every migration of this build applied;
 * the S3 bucket answers HeadBucket with the portal's credentials; CKAN answers `status_show`. The
 * checks run in parallel, each limited to {@link CHECK_TIMEOUT_MS}.
 */
export async function checkReadiness(): Promise<CheckResult[]> {
  const config = getConfig();
  return Promise.all([
    timedCheck(
      "database",
      async () => {
        const rows = await getDb().$queryRawUnsafe<Array<{ migration_name: string }>>(
          "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
        );
        const applied = new Set(rows.map((r) => r.migration_name));
        const pending = expectedMigrations(config.DATABASE_URL).filter((m) => !applied.has(m));
        if (pending.length) throw new Error(`pending:${pending.length} migration(s) not applied: run \`prisma migrate deploy\``);
        return `reachable, ${applied.size} migrations applied`;
      },
      "unreachable or not migrated",
    ),
    timedCheck(
      "storage",
      async (signal) => {
        await getS3Client(config).send(new HeadBucketCommand({ Bucket: config.S3_BUCKET }), { abortSignal: signal });
        return "bucket reachable";
      },
      "bucket unreachable or access denied",
    ),
    timedCheck(
      "ckan",
      async () => {
        await createCkanClient({ baseUrl: config.CKAN_URL, timeoutMs: CHECK_TIMEOUT_MS }).statusShow();
        return "answering";
      },
      "not answering status_show",
    ),
  ]);
}
