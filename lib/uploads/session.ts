import "server-only";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { getDb } from "@/lib/db";
import type { CredentialsMode, Dataset, UploadSession, UploadStatus, User } from "@/lib/generated/sqlite/client";
import { isPortalAdmin } from "./access";

export type LoadedSession = UploadSession & { dataset: Dataset; user: User };

const ID_PATTERN = /^[0-9a-f-]{36}$/;

/**
 * Loads upload session `id` (or takes it from `loaded`, {@link loadOwnedSessions}) and proves the caller may act on it: its owner, or a portal admin.
 * @throws ApiError 404 (unknown id), 403 (another user's session); CkanError when CKAN cannot say whether a non-owner is an admin.
 */
export async function loadOwnedSession(caller: Caller, id: string, loaded?: Map<string, LoadedSession>): Promise<LoadedSession> {
  const session = loaded
    ? (loaded.get(id) ?? null)
    : ID_PATTERN.test(id)
      ? await getDb().uploadSession.findUnique({ where: { id }, include: { dataset: true, user: true } })
      : null;
  if (!session) throw new ApiError("not_found", "Upload session not found.");
  // Not the owner: only a portal admin, as CKAN says now (never the sign-in cookie's sysadmin flag).
  if (session.user.ckanId !== caller.id && !(await isPortalAdmin(caller))) {
    throw new ApiError("forbidden", "This upload session belongs to another user.");
  }
  return session;
}

/**
 * Sessions `ids` (well-formed ids only) with their dataset and owner, read with one query for all of them
 * (a batch of completions, issue 12), for {@link loadOwnedSession}'s `loaded`. No ownership check here.
 */
export async function loadOwnedSessions(ids: string[]): Promise<Map<string, LoadedSession>> {
  const valid = [...new Set(ids.filter((id) => ID_PATTERN.test(id)))];
  const rows = valid.length ? await getDb().uploadSession.findMany({ where: { id: { in: valid } }, include: { dataset: true, user: true } }) : [];
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * What a sign batch, a part report or a credentials refresh needs of a session, its dataset and its owner
 * (the fields {@link loadBatchSession} reads).
 */
export type BatchSession = Pick<UploadSession, "id" | "status" | "mode" | "size" | "partSize" | "partCount" | "bucket" | "key" | "uploadId" | "startedAt"> & {
  dataset: Pick<Dataset, "ckanId" | "name" | "title">;
  user: Pick<User, "id" | "ckanId" | "name" | "displayName" | "lastSeenAt">;
};

/** A row of {@link loadBatchSession}'s query, as either driver returns it (integers as number or bigint, times as Date or text). */
interface BatchRow {
  id: string; status: string; mode: string; size: bigint | number; partSize: bigint | number; partCount: bigint | number;
  bucket: string; key: string; uploadId: string | null; startedAt: Date | string | number | bigint | null;
  datasetCkanId: string; datasetName: string; datasetTitle: string;
  userId: string; userCkanId: string; userName: string; userDisplayName: string; userLastSeenAt: Date | string | number | bigint;
}

const toDate = (v: Date | string | number | bigint): Date => (v instanceof Date ? v : new Date(typeof v === "bigint" ? Number(v) : v));

/**
 * {@link loadOwnedSession} for the requests an upload makes many times (sign batches, part reports,
 * credential refreshes; issue 11): the same checks and errors, but one SQL statement (a join, the same
 * SQL on SQLite and PostgreSQL) reading only the fields those requests use, instead of three Prisma
 * queries of every column — a Prisma model query costs the portal 1–4 ms of CPU (its query compiler
 * and result mapping), a raw one a tenth of that.
 * @throws ApiError 404 (unknown id), 403 (another user's session); CkanError when CKAN cannot say whether a non-owner is an admin.
 */
export async function loadBatchSession(caller: Caller, id: string): Promise<BatchSession> {
  const rows = ID_PATTERN.test(id)
    ? await getDb().$queryRaw<BatchRow[]>`
        SELECT s."id", s."status", s."mode", s."size", s."partSize", s."partCount", s."bucket", s."key", s."uploadId", s."startedAt",
               d."ckanId" AS "datasetCkanId", d."name" AS "datasetName", d."title" AS "datasetTitle",
               u."id" AS "userId", u."ckanId" AS "userCkanId", u."name" AS "userName", u."displayName" AS "userDisplayName", u."lastSeenAt" AS "userLastSeenAt"
        FROM "UploadSession" s JOIN "Dataset" d ON d."id" = s."datasetId" JOIN "User" u ON u."id" = s."userId"
        WHERE s."id" = ${id}`
    : [];
  const r = rows[0];
  if (!r) throw new ApiError("not_found", "Upload session not found.");
  if (r.userCkanId !== caller.id && !(await isPortalAdmin(caller))) {
    throw new ApiError("forbidden", "This upload session belongs to another user.");
  }
  return {
    id: r.id,
    status: String(r.status) as UploadStatus,
    mode: String(r.mode) as CredentialsMode,
    size: BigInt(r.size),
    partSize: BigInt(r.partSize),
    partCount: Number(r.partCount),
    bucket: r.bucket,
    key: r.key,
    uploadId: r.uploadId,
    startedAt: r.startedAt === null ? null : toDate(r.startedAt),
    dataset: { ckanId: r.datasetCkanId, name: r.datasetName, title: r.datasetTitle },
    user: { id: r.userId, ckanId: r.userCkanId, name: r.userName, displayName: r.userDisplayName, lastSeenAt: toDate(r.userLastSeenAt) },
  };
}

/** Statuses in which parts may still be sent. A failed upload stays resumable (CASES 17). */
export const ACTIVE_STATUSES: UploadStatus[] = ["CREATED", "UPLOADING", "FAILED"];

/** @throws ApiError 409 unless the session is in one of `allowed`. */
export function assertStatus(session: Pick<UploadSession, "status">, allowed: readonly UploadStatus[], action: string): void {
  if (!allowed.includes(session.status)) {
    throw new ApiError("conflict", `Cannot ${action}: the upload is ${session.status.toLowerCase()}.`);
  }
}

/** Size in bytes of part `partNumber` (1-based) of a session: partSize for all but the last. */
export function expectedPartSize(session: Pick<UploadSession, "size" | "partSize" | "partCount">, partNumber: number): number {
  const size = Number(session.size);
  const partSize = Number(session.partSize);
  if (partNumber < session.partCount) return partSize;
  return size - partSize * (session.partCount - 1);
}
