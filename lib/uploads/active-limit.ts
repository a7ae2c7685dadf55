import "server-only";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { Prisma } from "@/lib/generated/sqlite/client";

/** Statuses of a session that is still moving bytes or being assembled. */
const LIVE_STATUSES = ["CREATED", "UPLOADING", "COMPLETING"] as const;
/** LIVE_STATUSES as SQL string literals (constants: PostgreSQL compares them with its enum type). */
const LIVE_STATUSES_SQL = Prisma.raw(LIVE_STATUSES.map((s) => `'${s}'`).join(", "));

/** Seconds a client is told to wait (`Retry-After`) when it has too many uploads under way: small files finish in well under that. */
export const ACTIVE_LIMIT_RETRY_AFTER_SECONDS = 2;

/**
 * The per-user limit on uploads under way at once (MAX_ACTIVE_UPLOADS_PER_USER), sized for bulk
 * publishing: a 1,000-file drop is never refused, it is paced — each file waits (429 + Retry-After,
 * which the engine honours without spending attempts) until one of the caller's uploads finishes.
 *
 * Counted from the `upload_session` rows (status CREATED, UPLOADING or COMPLETING, updated within
 * ACTIVE_UPLOAD_IDLE_MINUTES — every part report updates the row), so every portal instance on
 * the same database sees the same number with no extra store. An upload abandoned in a closed tab
 * stops counting once idle that long. Count-then-create is not atomic: requests racing each other
 * may overshoot the limit by the number of racers; this is a pacing limit, not a quota.
 * Off when MAX_ACTIVE_UPLOADS_PER_USER is 0.
 * @throws ApiError 429 `too_many_active_uploads` with `retry-after` (seconds).
 */
export async function checkActiveUploads(caller: Caller, now = new Date()): Promise<void> {
  const room = await activeUploadsRoom(caller, now);
  if (room.left <= 0) throw tooManyActiveUploads(room.active, room.max);
}

/**
 * How many more uploads the caller may start now under MAX_ACTIVE_UPLOADS_PER_USER (one count of their
 * live sessions, as {@link checkActiveUploads} counts them): `left` is Infinity when the limit is off.
 * A batch of starts (`POST /api/uploads/batch`) counts once and gives each item over `left` its own
 * {@link tooManyActiveUploads}.
 */
export async function activeUploadsRoom(caller: Caller, now = new Date()): Promise<{ active: number; max: number; left: number }> {
  const c = getConfig();
  const max = c.MAX_ACTIVE_UPLOADS_PER_USER;
  if (max <= 0) return { active: 0, max, left: Infinity };
  const since = new Date(now.getTime() - c.ACTIVE_UPLOAD_IDLE_MINUTES * 60_000);
  // One raw COUNT (the same SQL on SQLite and PostgreSQL) instead of a Prisma model query: every start asks
  // (issue 12: the query compiler costs 1–4 ms of CPU per model query).
  const rows = await getDb().$queryRaw<Array<{ n: bigint | number }>>`
    SELECT COUNT(*) AS "n" FROM "UploadSession" s JOIN "User" u ON u."id" = s."userId"
    WHERE u."ckanId" = ${caller.id} AND s."status" IN (${LIVE_STATUSES_SQL}) AND s."updatedAt" >= ${since}`;
  const active = Number(rows[0]?.n ?? 0);
  return { active, max, left: max - active };
}

/** ApiError 429 `too_many_active_uploads` with `retry-after` {@link ACTIVE_LIMIT_RETRY_AFTER_SECONDS} (s). */
export function tooManyActiveUploads(active: number, max: number): ApiError {
  const e = new ApiError(
    "too_many_active_uploads",
    `You have ${active} uploads under way (the limit is ${max}): this one starts when one of them finishes — try again in ${ACTIVE_LIMIT_RETRY_AFTER_SECONDS} s.`,
  );
  e.headers = { "retry-after": String(ACTIVE_LIMIT_RETRY_AFTER_SECONDS) };
  return e;
}
