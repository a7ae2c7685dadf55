/**
 * Integration environment: a fresh migrated database (SQLite, or PostgreSQL with TEST_DATABASE=postgresql), the demo CKAN server in this process
 * (so tests can add users and inject faults), and Ceph RGW from the environment (scripts/test-all.sh
 * starts it and exports S3_ENDPOINT, S3_BUCKET, AWS keys and S3_ROLE_ARN). A missing peer fails.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
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

/**
 * Creates and migrates a fresh PostgreSQL database on the server at TEST_PG_URL (scripts/pg.sh start
 * exports it). @returns its DATABASE_URL. @throws when TEST_PG_URL is not set (never skips).
 */
export async function freshPostgresDatabase(): Promise<string> {
  const server = process.env.TEST_PG_URL;
  if (!server) throw new Error("TEST_PG_URL is not set: start PostgreSQL with scripts/pg.sh start and source its env (npm test does this)");
  const name = `int_${randomUUID().replace(/-/g, "")}`;
  const admin = new pg.Client({ connectionString: `${server.replace(/\/+$/, "")}/postgres` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = `${server.replace(/\/+$/, "")}/${name}`;
  execFileSync(path.join(ROOT, "node_modules", ".bin", "prisma"), ["migrate", "deploy"], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url }, stdio: "pipe" });
  return url;
}

/**
 * A fresh migrated database for one test file: PostgreSQL when TEST_DATABASE=postgresql (npm test runs
 * the integration project once per database), else SQLite.
 */
export async function freshDatabase(): Promise<string> {
  return process.env.TEST_DATABASE === "postgresql" ? freshPostgresDatabase() : freshSqliteDatabase();
}

/** The database the integration tests run on, for test titles. */
export const TEST_DB_NAME = process.env.TEST_DATABASE === "postgresql" ? "PostgreSQL" : "SQLite";

/** Starts demo CKAN + a fresh database and points the portal's configuration at them (sts mode). */
export async function startIntegrationEnv(overrides: Record<string, string> = {}): Promise<{ ckan: DemoCkan; close(): Promise<void> }> {
  requireRgwEnv();
  const ckan = await startDemoCkan({ port: 0 });
  Object.assign(process.env, {
    CKAN_URL: ckan.url,
    DATABASE_URL: await freshDatabase(),
    NEXTAUTH_SECRET: "integration-test-secret-0123456789abcdef",
    CREDENTIALS_MODE: "sts",
    S3_KEY_PREFIX: "uploads/",
    // The portal's public URL: resource links are its /download/ redirect unless S3_PUBLIC_BASE_URL is set.
    NEXTAUTH_URL: "http://portal.test:3000",
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
