/** Plain helpers for end-to-end tests: sign in through the UI, check accessibility, read the database. */
import AxeBuilder from "@axe-core/playwright";
import Database from "better-sqlite3";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import { DEMO_TOKENS } from "../../scripts/ckan-demo/seed";

export { DEMO_TOKENS };

/** Signs in at /login with a CKAN API token and waits to land on `expectPath` (default "/"). */
export async function signIn(page: Page, token: string, from = "/login", expectPath = "/"): Promise<void> {
  await page.goto(from);
  await page.getByLabel("CKAN API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname === expectPath.split("?")[0]);
}

/** Runs axe on the current page: no serious or critical violations. */
export async function expectNoSeriousA11yViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`)).toEqual([]);
}

/** Opens the stack's SQLite database (read-only) at `url` (`file:…`, relative to the project root). */
export function openDb(url: string): Database.Database {
  const file = path.resolve(__dirname, "../..", url.replace(/^file:/, ""));
  return new Database(file, { readonly: true, fileMustExist: true });
}

export interface SessionRow {
  id: string;
  fileName: string;
  size: number;
  status: string;
  key: string;
  bucket: string;
  resourceId: string | null;
  sha256: string | null;
  createdAt: number;
  completedAt: number | null;
}

/** Upload sessions whose file name is `fileName`, newest first. */
export function sessionsNamed(db: Database.Database, fileName: string): SessionRow[] {
  return db
    .prepare(`SELECT id, fileName, CAST(size AS INTEGER) AS size, status, key, bucket, resourceId, sha256, createdAt, completedAt FROM UploadSession WHERE fileName = ? ORDER BY createdAt DESC`)
    .all(fileName) as SessionRow[];
}

/** Audit event types of a session, oldest first. */
export function auditTypes(db: Database.Database, sessionId: string): string[] {
  return (db.prepare(`SELECT type FROM AuditEvent WHERE sessionId = ? ORDER BY createdAt ASC, rowid ASC`).all(sessionId) as Array<{ type: string }>).map((r) => r.type);
}

/** The newest session named `fileName` in the stack database at `dbUrl` (opened and closed here). */
export function newestSession(dbUrl: string, fileName: string): SessionRow | undefined {
  const db = openDb(dbUrl);
  try {
    return sessionsNamed(db, fileName)[0];
  } finally {
    db.close();
  }
}
