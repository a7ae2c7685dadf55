/**
 * Integration environment: a fresh migrated SQLite database, the demo CKAN server in this process
 * (so tests can add users and inject faults), and Ceph RGW from the environment (scripts/test-all.sh
 * starts it and exports S3_ENDPOINT, S3_BUCKET, AWS keys and S3_ROLE_ARN). A missing peer fails.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Caller } from "@/lib/auth";
import { resetConfigForTests } from "@/lib/config";
import { resetDbForTests } from "@/lib/db";
import { startDemoCkan } from "@/scripts/ckan-demo/server";
import { DEMO_TOKENS } from "@/scripts/ckan-demo/seed";

const ROOT = path.resolve(__dirname, "../../..");

export type DemoCkan = Awaited<ReturnType<typeof startDemoCkan>>;

/** Fails (never skips) when the RGW peer is not configured. */
export function requireRgwEnv(): void {
  for (const name of ["S3_ENDPOINT", "S3_BUCKET", "S3_ROLE_ARN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
    if (!process.env[name]) throw new Error(`${name} is not set: start Ceph RGW with scripts/rgw.sh start and source its env (npm test does this)`);
  }
}

/** Creates and migrates a SQLite database under .tmp/. @returns its DATABASE_URL. */
export function freshSqliteDatabase(): string {
  fs.mkdirSync(path.join(ROOT, ".tmp"), { recursive: true });
  const url = `file:${path.join(ROOT, ".tmp", `int-${randomUUID()}.db`)}`;
  execFileSync(path.join(ROOT, "node_modules", ".bin", "prisma"), ["migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: "pipe",
  });
  return url;
}

/** Starts demo CKAN + a fresh database and points the portal's configuration at them (sts mode). */
export async function startIntegrationEnv(overrides: Record<string, string> = {}): Promise<{ ckan: DemoCkan; close(): Promise<void> }> {
  requireRgwEnv();
  const ckan = await startDemoCkan({ port: 0 });
  Object.assign(process.env, {
    CKAN_URL: ckan.url,
    DATABASE_URL: freshSqliteDatabase(),
    NEXTAUTH_SECRET: "integration-test-secret-0123456789abcdef",
    CREDENTIALS_MODE: "sts",
    S3_KEY_PREFIX: "uploads/",
    S3_FORCE_PATH_STYLE: "true",
    ...overrides,
  });
  resetConfigForTests();
  await resetDbForTests();
  return {
    ckan,
    async close() {
      await resetDbForTests();
      await ckan.close();
    },
  };
}

/** A Caller for a seeded or added demo CKAN user. */
export function callerFor(ckan: DemoCkan, userName: string, token?: string): Caller {
  const user = ckan.state.getUser(userName);
  if (!user) throw new Error(`no demo user ${userName}`);
  const t = token ?? (DEMO_TOKENS as Record<string, string>)[userName] ?? ckan.state.tokenOf(userName);
  if (!t) throw new Error(`no token for ${userName}`);
  return { id: user.id, name: user.name, displayName: user.fullname || user.name, sysadmin: user.sysadmin, ckanToken: t };
}
