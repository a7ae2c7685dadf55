/**
 * Issue 10, item 7: part records are written with one INSERT … ON CONFLICT per 1,000 rows (a part
 * batch is one statement), with bound parameters only. Behaviour on both databases is in
 * tests/integration/parts-bulk.test.ts; this checks the statements themselves.
 */
import { describe, expect, it } from "vitest";
import type { Prisma } from "@/lib/generated/sqlite/client";
import { PART_ROWS_PER_STATEMENT, upsertPartRows } from "@/lib/uploads/part-rows";

function recordingTx() {
  const statements: Prisma.Sql[] = [];
  const tx = {
    $executeRaw: ((query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) => {
      // Tagged-template call: rebuild the Sql object the way Prisma does.
      statements.push({ strings: query as TemplateStringsArray, values } as unknown as Prisma.Sql);
      return Promise.resolve(0);
    }) as never,
  };
  return { tx, statements };
}

const part = (n: number, etag = `"e${n}"`) => ({ partNumber: n, size: 5 * 1024 * 1024, etag });

describe("upsertPartRows", () => {
  it("writes a batch of 1,000 parts as one statement and 2,500 as three", async () => {
    const one = recordingTx();
    expect(await upsertPartRows(one.tx, "s1", Array.from({ length: 1000 }, (_, i) => part(i + 1)))).toBe(1000);
    expect(one.statements).toHaveLength(1);
    const three = recordingTx();
    await upsertPartRows(three.tx, "s1", Array.from({ length: 2500 }, (_, i) => part(i + 1)));
    expect(three.statements).toHaveLength(Math.ceil(2500 / PART_ROWS_PER_STATEMENT));
  });

  it("binds every value as a parameter (7 per row, under SQLite's 32,766 and PostgreSQL's 65,535)", async () => {
    const { tx, statements } = recordingTx();
    await upsertPartRows(tx, "s1", Array.from({ length: 1000 }, (_, i) => part(i + 1, `"'); DROP TABLE x; --${i}"`)));
    const sql = statements[0]!.strings.join("?");
    expect(sql).toContain('ON CONFLICT ("sessionId", "partNumber") DO UPDATE');
    expect(sql).not.toContain("DROP TABLE");
    // The VALUES list is one Prisma.join of per-row Sql fragments, each with 7 values.
    const joined = statements[0]!.values[0] as Prisma.Sql;
    expect(joined.values).toHaveLength(7000);
  });

  it("keeps the last report of a part named twice (PostgreSQL cannot update a row twice in one statement)", async () => {
    const { tx, statements } = recordingTx();
    expect(await upsertPartRows(tx, "s1", [part(1, '"a"'), part(2), part(1, '"b"')])).toBe(2);
    const values = (statements[0]!.values[0] as Prisma.Sql).values;
    expect(values.filter((v) => v === '"a"')).toHaveLength(0);
    expect(values.filter((v) => v === '"b"')).toHaveLength(1);
  });
});
