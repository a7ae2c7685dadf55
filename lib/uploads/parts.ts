import "server-only";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { getDb } from "@/lib/db";
import { Prisma } from "@/lib/generated/sqlite/client";
import { writeAudit } from "./audit";
import { upsertPartRows } from "./part-rows";
import { touchUserRow } from "./access";
import { recheckPermission } from "./credentials";
import { ACTIVE_STATUSES, assertStatus, expectedPartSize, loadBatchSession, type BatchSession } from "./session";

/** ACTIVE_STATUSES as SQL string literals (constants: PostgreSQL compares them with its enum type). */
const ACTIVE_STATUSES_SQL = Prisma.raw(ACTIVE_STATUSES.map((s) => `'${s}'`).join(", "));

export interface RecordedPart {
  partNumber: number;
  size: number;
  etag: string;
  checksum?: string;
}

/**
 * Records parts the browser stored in S3 (for completion, resume and audit). Each part number must
 * exist in the plan and its size must match it (partSize, or the remainder for the last part);
 * re-recording a part replaces it (a retried part gets a new ETag). The batch is written with one SQL
 * statement (lib/uploads/part-rows.ts), the session's sum and status with one more, its audit event with a
 * third, in one short transaction.
 * @returns bytesConfirmed: the sum of recorded part sizes, in bytes.
 * CKAN is asked again whether the caller may still edit the dataset (cached at most CKAN_AUTHZ_MAX_AGE_SECONDS).
 * @throws ApiError 400 (bad part number or size), 404/403 (403 `permission_withdrawn`), 410 `dataset_deleted`, 409 (session not active).
 */
export async function recordParts(caller: Caller, sessionId: string, parts: RecordedPart[]): Promise<{ bytesConfirmed: number }> {
  const session = await loadBatchSession(caller, sessionId);
  assertStatus(session, ACTIVE_STATUSES, "record parts");
  await recheckPermission(caller, session);
  return writeParts(caller, session, parts);
}

/**
 * Records `parts` of a session already loaded, owned and permitted (by `recordParts`, or by a
 * completion that asked CKAN afresh and was sent the last parts with it, lib/uploads/complete.ts):
 * checks each part against the plan, upserts them and writes `parts.recorded`, in one transaction.
 * @returns bytesConfirmed: the sum of recorded part sizes, in bytes.
 * @throws ApiError 400 (bad part number or size), 409 (the session stopped being active meanwhile).
 */
export async function writeParts(caller: Caller, session: BatchSession, parts: RecordedPart[]): Promise<{ bytesConfirmed: number }> {
  const sessionId = session.id;
  for (const p of parts) {
    if (p.partNumber > session.partCount) {
      throw new ApiError("validation_failed", `Part ${p.partNumber} does not exist: this upload has ${session.partCount} parts.`);
    }
    const expected = expectedPartSize(session, p.partNumber);
    if (p.size !== expected) {
      throw new ApiError("validation_failed", `Part ${p.partNumber} is ${p.size} bytes; it must be ${expected} bytes.`);
    }
  }
  const userId = await touchUserRow(caller, session.user);
  const db = getDb();
  const bytesConfirmed = await db.$transaction(async (tx) => {
    // One INSERT … ON CONFLICT for the whole batch: 1,000 upserts here passed Prisma's 5 s interactive
    // transaction limit on a loaded PostgreSQL (issue 10, item 7).
    await upsertPartRows(tx, sessionId, parts);
    // Compare-and-swap on the status: a cancel or completion that won the race is never undone. The sum
    // of the recorded sizes and the status move in one statement (the same SQL on SQLite ≥ 3.35 and
    // PostgreSQL; issue 11: a Prisma aggregate plus updateMany cost the portal ~3 ms of CPU per report).
    const now = new Date();
    const moved = await tx.$queryRaw<Array<{ bytesConfirmed: bigint | number }>>`
      UPDATE "UploadSession"
      SET "bytesConfirmed" = (SELECT COALESCE(SUM(p."size"), 0) FROM "UploadPart" p WHERE p."sessionId" = ${sessionId}),
          "status" = 'UPLOADING', "errorCode" = NULL, "errorMessage" = NULL,
          "startedAt" = COALESCE("startedAt", ${now}), "updatedAt" = ${now}
      WHERE "id" = ${sessionId} AND "status" IN (${ACTIVE_STATUSES_SQL})
      RETURNING "bytesConfirmed"`;
    if (moved.length === 0) throw new ApiError("conflict", "Cannot record parts: the upload was cancelled or is being completed.");
    const confirmed = BigInt(moved[0].bytesConfirmed);
    const numbers = parts.map((p) => p.partNumber).sort((a, b) => a - b);
    await writeAudit(tx, {
      sessionId,
      userId,
      actorName: caller.name,
      type: "parts.recorded",
      detail: { count: parts.length, first: numbers[0], last: numbers[numbers.length - 1], bytes: parts.reduce((s, p) => s + p.size, 0), bytesConfirmed: confirmed },
    });
    return confirmed;
  });
  return { bytesConfirmed: Number(bytesConfirmed) };
}
