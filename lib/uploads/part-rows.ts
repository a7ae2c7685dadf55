import "server-only";
import { randomUUID } from "node:crypto";
import { Prisma } from "@/lib/generated/sqlite/client";
import type { Db } from "@/lib/db";

/** A part row to write: sizes in bytes, the ETag S3 returned, the optional checksum the browser sent. */
export interface PartRow {
  partNumber: number;
  size: number;
  etag: string;
  checksum?: string | null;
}

/**
 * Rows per INSERT statement. Each row binds 7 parameters, so 1,000 rows bind 7,000: under SQLite's
 * limit (SQLITE_MAX_VARIABLE_NUMBER, 32,766 since SQLite 3.32; better-sqlite3 bundles a newer one) and
 * PostgreSQL's (65,535 per statement). A part batch is at most 1,000 parts (recordPartsSchema), so
 * recording one batch is one statement.
 */
export const PART_ROWS_PER_STATEMENT = 1000;

type RawWriter = { $executeRaw: Db["$executeRaw"] };

/**
 * Writes part rows of `sessionId` in bulk: one `INSERT … ON CONFLICT ("sessionId", "partNumber") DO
 * UPDATE` per {@link PART_ROWS_PER_STATEMENT} rows, the same SQL on SQLite (≥ 3.24) and PostgreSQL
 * (≥ 9.5). Semantics are those of one Prisma upsert per part: a new part is inserted, a part recorded
 * before gets the new size, ETag, checksum and time (a retried part has a new ETag). When `parts`
 * names a part twice, the last one wins (as a loop of upserts would; PostgreSQL refuses to update a
 * row twice in one statement, so duplicates are dropped first). Run it inside the caller's transaction.
 * @returns the number of distinct parts written.
 */
export async function upsertPartRows(tx: RawWriter, sessionId: string, parts: readonly PartRow[], now = new Date()): Promise<number> {
  return upsertPartRowsOf(tx, [{ sessionId, parts }], now);
}

/** `parts` without repeated part numbers: the last one of a number wins (as a loop of upserts would). */
export function distinctParts<T extends { partNumber: number }>(parts: readonly T[]): T[] {
  const byNumber = new Map<number, T>();
  for (const p of parts) byNumber.set(p.partNumber, p);
  return [...byNumber.values()];
}

/**
 * {@link upsertPartRows} for the parts of several sessions at once (a batch of completions, issue 12): the
 * rows of all of them in one statement (per {@link PART_ROWS_PER_STATEMENT} rows). Each session must appear
 * once in `entries`. @returns the number of distinct parts written.
 */
export async function upsertPartRowsOf(tx: RawWriter, entries: ReadonlyArray<{ sessionId: string; parts: readonly PartRow[] }>, now = new Date()): Promise<number> {
  const rows = entries.flatMap((e) => distinctParts(e.parts).map((p) => ({ sessionId: e.sessionId, p })));
  for (let i = 0; i < rows.length; i += PART_ROWS_PER_STATEMENT) {
    const values = rows
      .slice(i, i + PART_ROWS_PER_STATEMENT)
      .map(({ sessionId, p }) => Prisma.sql`(${randomUUID()}, ${sessionId}, ${p.partNumber}, ${BigInt(p.size)}, ${p.etag}, ${p.checksum ?? null}, ${now})`);
    await tx.$executeRaw`
      INSERT INTO "UploadPart" ("id", "sessionId", "partNumber", "size", "etag", "checksum", "recordedAt")
      VALUES ${Prisma.join(values)}
      ON CONFLICT ("sessionId", "partNumber") DO UPDATE SET
        "size" = excluded."size", "etag" = excluded."etag", "checksum" = excluded."checksum", "recordedAt" = excluded."recordedAt"`;
  }
  return rows.length;
}
