import "server-only";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { getDb } from "@/lib/db";
import { Prisma } from "@/lib/generated/sqlite/client";
import { writeAudits } from "./audit";
import { distinctParts, upsertPartRowsOf } from "./part-rows";
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
 * checks each part against the plan, upserts them and writes `parts.recorded`, in one transaction
 * ({@link recordPartsOf}).
 * @returns bytesConfirmed: the sum of recorded part sizes, in bytes.
 * @throws ApiError 400 (bad part number or size), 409 (the session stopped being active meanwhile).
 */
export async function writeParts(caller: Caller, session: BatchSession, parts: RecordedPart[]): Promise<{ bytesConfirmed: number }> {
  checkPartsAgainstPlan(session, parts);
  const userId = await touchUserRow(caller, session.user);
  const [confirmed] = await getDb().$transaction((tx) => recordPartsOf(tx, [{ sessionId: session.id, userId, actorName: caller.name, parts }]));
  if (confirmed === null) throw notActiveForParts();
  return { bytesConfirmed: Number(confirmed) };
}

/**
 * Each part of `parts` must exist in the session's plan and have its size (partSize, or the remainder for the last part).
 * @throws ApiError 400 `validation_failed` naming the first part that does not fit.
 */
export function checkPartsAgainstPlan(session: Pick<BatchSession, "size" | "partSize" | "partCount">, parts: readonly RecordedPart[]): void {
  for (const p of parts) {
    if (p.partNumber > session.partCount) {
      throw new ApiError("validation_failed", `Part ${p.partNumber} does not exist: this upload has ${session.partCount} parts.`);
    }
    const expected = expectedPartSize(session, p.partNumber);
    if (p.size !== expected) {
      throw new ApiError("validation_failed", `Part ${p.partNumber} is ${p.size} bytes; it must be ${expected} bytes.`);
    }
  }
}

/** The 409 of a part report for a session that is no longer active. */
export function notActiveForParts(): ApiError {
  return new ApiError("conflict", "Cannot record parts: the upload was cancelled or is being completed.");
}

/** Most parameters one compare-and-swap UPDATE of {@link recordPartsOf} binds. */
const PARAMETERS_PER_UPDATE = 30_000;

/** Parts of one session to record (checked against its plan), and who records them (for `parts.recorded`). */
export interface PartsToRecord {
  sessionId: string;
  userId: string;
  actorName: string;
  parts: RecordedPart[];
}

/**
 * Records the parts of one session (a part report) or of several (a batch of completions, issue 12) inside
 * the caller's transaction with three statements for all of them, the same SQL on SQLite ≥ 3.35 and
 * PostgreSQL: (1) a compare-and-swap of the sessions still active to `UPLOADING` that sets each one's byte sum
 * — its recorded parts other than these plus these (so a cancel or completion that won the race is never
 * undone, and nothing is written for its session); (2) the part rows of the sessions that moved, one
 * INSERT … ON CONFLICT (lib/uploads/part-rows.ts); (3) their `parts.recorded` events, one multi-row INSERT.
 * (issue 11: a Prisma aggregate plus updateMany cost the portal ~3 ms of CPU per report.) Each session must
 * appear once in `entries`, each with at least one part. (Many parts: the UPDATE is split so that none binds
 * more than {@link PARAMETERS_PER_UPDATE} parameters, the INSERT per 1,000 rows.)
 * @returns per entry, in order: the session's bytesConfirmed (bytes) after recording, or null when the session
 *   was not active (nothing written for it).
 */
export async function recordPartsOf(tx: Prisma.TransactionClient, entries: readonly PartsToRecord[], now = new Date()): Promise<Array<bigint | null>> {
  if (entries.length === 0) return [];
  const distinct = entries.map((e) => distinctParts(e.parts));
  // Sessions per UPDATE: each binds its part numbers + 4 parameters; a group stays under PARAMETERS_PER_UPDATE
  // (SQLite allows 32,766 per statement, PostgreSQL 65,535; a batch of 100 items of 1,000 parts would bind 100,400).
  const groups: number[][] = [];
  let bound = Infinity;
  for (let k = 0; k < entries.length; k++) {
    const n = distinct[k].length + 4;
    if (bound + n > PARAMETERS_PER_UPDATE) groups.push([]), (bound = 0);
    groups[groups.length - 1].push(k);
    bound += n;
  }
  const confirmed = new Map<string, bigint>();
  for (const group of groups) {
    // The sum after the upsert = the parts recorded before that are not re-sent + the parts sent now.
    const sums = group.map(
      (k) => Prisma.sql`WHEN ${entries[k].sessionId} THEN (SELECT COALESCE(SUM(p."size"), 0) FROM "UploadPart" p WHERE p."sessionId" = ${entries[k].sessionId}
        AND p."partNumber" NOT IN (${Prisma.join(distinct[k].map((p) => p.partNumber))})) + ${BigInt(distinct[k].reduce((s, p) => s + p.size, 0))}`,
    );
    const moved = await tx.$queryRaw<Array<{ id: string; bytesConfirmed: bigint | number }>>`
      UPDATE "UploadSession"
      SET "bytesConfirmed" = CASE "id" ${Prisma.join(sums, " ")} ELSE "bytesConfirmed" END,
          "status" = 'UPLOADING', "errorCode" = NULL, "errorMessage" = NULL,
          "startedAt" = COALESCE("startedAt", ${now}), "updatedAt" = ${now}
      WHERE "id" IN (${Prisma.join(group.map((k) => entries[k].sessionId))}) AND "status" IN (${ACTIVE_STATUSES_SQL})
      RETURNING "id", "bytesConfirmed"`;
    for (const m of moved) confirmed.set(m.id, BigInt(m.bytesConfirmed));
  }
  const written = entries.filter((e) => confirmed.has(e.sessionId));
  // One INSERT … ON CONFLICT for all of them: 1,000 upserts here passed Prisma's 5 s interactive
  // transaction limit on a loaded PostgreSQL (issue 10, item 7).
  await upsertPartRowsOf(tx, written, now);
  await writeAudits(
    tx,
    written.map((e) => {
      const numbers = e.parts.map((p) => p.partNumber).sort((a, b) => a - b);
      return {
        sessionId: e.sessionId,
        userId: e.userId,
        actorName: e.actorName,
        type: "parts.recorded",
        detail: { count: e.parts.length, first: numbers[0], last: numbers[numbers.length - 1], bytes: e.parts.reduce((s, p) => s + p.size, 0), bytesConfirmed: confirmed.get(e.sessionId)! },
      };
    }),
    now,
  );
  return entries.map((e) => confirmed.get(e.sessionId) ?? null);
}
