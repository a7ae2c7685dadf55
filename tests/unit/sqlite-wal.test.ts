/**
 * The portal's SQLite connection (issue 11, lib/db.ts): write-ahead logging, and `synchronous` from
 * SQLITE_SYNCHRONOUS (FULL by default). In the rollback-journal mode every commit blocked the
 * portal's event loop for several fsyncs (better-sqlite3 is synchronous). Asked of the file and the
 * connection themselves with PRAGMA queries.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createDb, sqliteSynchronous } from "@/lib/db";

const dirs: string[] = [];
afterEach(() => {
  delete process.env.SQLITE_SYNCHRONOUS;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function pragmas(): Promise<{ journal: string; synchronous: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-wal-"));
  dirs.push(dir);
  const db = createDb(`file:${path.join(dir, "p.db")}`);
  try {
    const [j] = await db.$queryRawUnsafe<Array<{ journal_mode: string }>>("PRAGMA journal_mode");
    const [s] = await db.$queryRawUnsafe<Array<{ synchronous: number | bigint }>>("PRAGMA synchronous");
    return { journal: j.journal_mode, synchronous: Number(s.synchronous) };
  } finally {
    await db.$disconnect();
  }
}

describe("SQLite connection settings", () => {
  it("opens the database in WAL mode with synchronous=FULL (2) by default: every commit is durable", async () => {
    expect(await pragmas()).toEqual({ journal: "wal", synchronous: 2 });
  });

  it("SQLITE_SYNCHRONOUS=NORMAL (1) syncs at checkpoints only", async () => {
    process.env.SQLITE_SYNCHRONOUS = "normal";
    expect(await pragmas()).toEqual({ journal: "wal", synchronous: 1 });
  });

  it("refuses any other SQLITE_SYNCHRONOUS", () => {
    expect(() => sqliteSynchronous({ SQLITE_SYNCHRONOUS: "OFF" })).toThrow(/NORMAL or FULL/);
    expect(sqliteSynchronous({})).toBe("FULL");
  });
});
