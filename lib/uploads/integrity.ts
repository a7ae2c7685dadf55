import "server-only";
import { createHash } from "node:crypto";
import { getConfig } from "@/lib/config";
import { getDb, type Db } from "@/lib/db";
import { Prisma } from "@/lib/generated/sqlite/client";
import type { UploadSession } from "@/lib/generated/sqlite/client";
import { getS3Client } from "@/lib/storage/clients";
import { StorageError } from "@/lib/storage/errors";
import { describeMismatch, headFingerprint, type ObjectFingerprint } from "@/lib/storage/fingerprint";
import { writeAudit } from "./audit";

/**
 * Post-completion integrity (CASES 38). The one-object STS credential of an upload stays valid after
 * completion (up to STS_DURATION_SECONDS) and allows `s3:PutObject` on the key, so its holder can
 * replace the object. At completion the portal records the object's fingerprint (ETag, size,
 * Last-Modified, VersionId in a versioned bucket, checksum when the store keeps one); every
 * `/download/…` and every sweep compares the object with it (one HeadObject). A difference sets the
 * session's admin-visible flag (`integrityFailedAt`, `integrityProblem`), writes one
 * `object.integrity_failed` audit event, and every later download is refused. The flag is sticky:
 * restoring the object does not clear it (upload the file again).
 */

/** The session columns this module reads. */
export type IntegritySession = Pick<
  UploadSession,
  "id" | "bucket" | "key" | "size" | "status" | "etag" | "storedVersionId" | "storedLastModified" | "storedChecksum" | "integrityFailedAt" | "integrityProblem"
>;

/** Outcome of a check: `versionId` is the pinned version to serve (null in an unversioned bucket). */
export type IntegrityVerdict = { ok: true; versionId: string | null } | { ok: false; problem: string };

/** The session columns that record `fp` (the ETag goes into the existing `etag` column). */
export function fingerprintColumns(fp: ObjectFingerprint, checkedAt = new Date()) {
  return { etag: fp.etag, storedVersionId: fp.versionId, storedLastModified: fp.lastModified, storedChecksum: fp.checksum, integrityCheckedAt: checkedAt };
}

/**
 * The ETag S3 and Ceph RGW give a multipart object: hex MD5 of the concatenated binary part MD5s,
 * then `-{part count}` (AWS S3 User Guide, "Checking object integrity"). `null` when a part ETag is
 * not a plain MD5 (SSE-KMS/SSE-C objects, other stores): then nothing can be predicted.
 */
export function expectedMultipartEtag(partEtags: string[]): string | null {
  const md5s = partEtags.map((e) => e.replace(/^"|"$/g, ""));
  if (md5s.length === 0 || !md5s.every((e) => /^[0-9a-f]{32}$/i.test(e))) return null;
  return `${createHash("md5").update(Buffer.from(md5s.join(""), "hex")).digest("hex")}-${md5s.length}`;
}

/**
 * Records the fingerprint of a just-stored object (one HeadObject) right after CompleteMultipartUpload.
 * The ETag must be the one the recorded parts make ({@link expectedMultipartEtag}): an object replaced
 * between CompleteMultipartUpload and this HeadObject is flagged at once instead of being recorded as
 * the upload. `known`: the parts' ETags in part-number order (else read from the part rows) and
 * `bytesConfirmed` (bytes) to record in the same update, and `current`: the fingerprint of the HeadObject the
 * caller made right after CompleteMultipartUpload (then none is made here). @returns null when HeadObject found nothing (nothing written).
 * @throws StorageError when S3 cannot answer (the completion then fails and can be retried).
 */
export async function recordStoredFingerprint(
  session: IntegritySession & { partCount: number },
  now = new Date(),
  known: { partEtags?: string[]; bytesConfirmed?: bigint; current?: ObjectFingerprint } = {},
): Promise<ObjectFingerprint | null> {
  // `known.current`: the HeadObject the completion has just made (lib/uploads/complete.ts storeObject), not asked twice.
  const current = known.current ?? (await headFingerprint(getS3Client(getConfig()), { bucket: session.bucket, key: session.key }));
  if (!current) return null; // storeObject has just seen it; the next check flags a vanished object
  // `known` (issue 12, fewer statements per small file): the part ETags the caller has just read, and a byte count to write with the fingerprint.
  await writeFingerprints(getDb(), [{ id: session.id, fingerprint: current, bytesConfirmed: known.bytesConfirmed }], now);
  const problem = completionMismatch(session.partCount, current.etag, session.partCount > 0 ? (known.partEtags ?? (await partEtags(session.id))) : []);
  if (problem) throw await rejectReplacedObject(session, problem, current, now);
  return current;
}

/**
 * Records the fingerprints of just-stored objects (`bytesConfirmed` in bytes, when given, in the same update):
 * ONE UPDATE for all of them (a batch of completions, issue 12), the same SQL on SQLite and PostgreSQL, the
 * columns of {@link fingerprintColumns}.
 */
export async function writeFingerprints(
  db: { $executeRaw: Db["$executeRaw"] },
  rows: ReadonlyArray<{ id: string; fingerprint: ObjectFingerprint; bytesConfirmed?: bigint }>,
  now = new Date(),
): Promise<void> {
  if (rows.length === 0) return;
  // Per row one value per column: CASE "id" WHEN … THEN … ELSE the column (which gives PostgreSQL the column's type).
  const column = (name: string, value: (r: (typeof rows)[number]) => unknown, only = (_r: (typeof rows)[number]) => true) => {
    const chosen = rows.filter(only);
    return chosen.length === 0
      ? Prisma.empty
      : Prisma.sql`, ${Prisma.raw(`"${name}"`)} = CASE "id" ${Prisma.join(chosen.map((r) => Prisma.sql`WHEN ${r.id} THEN ${value(r)}`), " ")} ELSE ${Prisma.raw(`"${name}"`)} END`;
  };
  await db.$executeRaw`
    UPDATE "UploadSession"
    SET "integrityCheckedAt" = ${now}, "updatedAt" = ${now}
      ${column("etag", (r) => r.fingerprint.etag)}
      ${column("storedVersionId", (r) => r.fingerprint.versionId)}
      ${column("storedLastModified", (r) => r.fingerprint.lastModified)}
      ${column("storedChecksum", (r) => r.fingerprint.checksum)}
      ${column("bytesConfirmed", (r) => r.bytesConfirmed, (r) => r.bytesConfirmed !== undefined)}
    WHERE "id" IN (${Prisma.join(rows.map((r) => r.id))})`;
}

/**
 * The object stored at completion is not the one the recorded parts make ({@link completionMismatch}): flags
 * the session (`object.integrity_failed`, detected by `completion`). @returns the StorageError the completion
 * then fails with (the upload cannot be registered; the file must be uploaded again).
 */
export async function rejectReplacedObject(session: IntegritySession, problem: string, current: ObjectFingerprint, now = new Date()): Promise<StorageError> {
  await flagIntegrityFailure(session, problem, "completion", { recorded: null, current }, now);
  return new StorageError(`S3 holds other bytes than the uploaded parts: ${problem}. The upload cannot be registered; upload the file again.`, "S3", "HeadObject", "IntegrityMismatch");
}

async function partEtags(sessionId: string): Promise<string[]> {
  const parts = await getDb().uploadPart.findMany({ where: { sessionId }, orderBy: { partNumber: "asc" }, select: { etag: true } });
  return parts.map((p) => p.etag);
}

/** Why a just-completed multipart object is not the one its parts make, or `null` when it is (or cannot be told). */
export function completionMismatch(partCount: number, etag: string | null, parts: string[]): string | null {
  if (partCount === 0 || !etag) return null;
  // Not every store gives a multipart object the "<md5 of part MD5s>-N" ETag (s3rver, the demo's store,
  // answers the whole object's MD5; SSE-KMS objects have opaque ETags): such an ETag cannot be told.
  if (!/-\d+$/.test(etag)) return null;
  const expected = expectedMultipartEtag(parts);
  return expected && expected !== etag ? `the object was replaced during completion: its ETag is ${etag}, the uploaded parts make ${expected}` : null;
}

/** The fingerprint recorded for a session, or `null` for a session completed before fingerprints were recorded. */
export function recordedFingerprint(s: IntegritySession): ObjectFingerprint | null {
  if (s.etag === null && s.storedLastModified === null) return null;
  return { size: Number(s.size), etag: s.etag, lastModified: s.storedLastModified, versionId: s.storedVersionId, checksum: s.storedChecksum };
}

/**
 * Checks a stored session's object against its recorded fingerprint with one HeadObject (of the
 * current object at the key: a versioned bucket's new version counts as a change, because direct
 * links and CDNs serve the current one). A session already flagged is refused without asking S3.
 * A session completed before fingerprints existed gets its fingerprint recorded now if the size
 * matches (trust on first check), and is flagged otherwise.
 * @param by who checks, for the audit event: `download` or `sweeper`.
 * @returns the verdict. @throws StorageError when S3 cannot answer (nothing is flagged then).
 */
export async function verifyStoredObject(session: IntegritySession, by: "download" | "sweeper", now = new Date()): Promise<IntegrityVerdict> {
  if (session.integrityFailedAt) return { ok: false, problem: session.integrityProblem ?? "the object changed after completion" };
  const db = getDb();
  const current = await headFingerprint(getS3Client(getConfig()), { bucket: session.bucket, key: session.key });
  const recorded = recordedFingerprint(session);
  let problem: string | null;
  if (recorded) {
    problem = describeMismatch(recorded, current);
  } else {
    problem = current && current.size === Number(session.size) ? null : describeMismatch({ size: Number(session.size), etag: null, lastModified: null, versionId: null, checksum: null }, current);
    if (!problem && current) {
      await db.uploadSession.update({ where: { id: session.id }, data: fingerprintColumns(current, now) });
      return { ok: true, versionId: current.versionId };
    }
  }
  if (!problem) {
    await db.uploadSession.update({ where: { id: session.id }, data: { integrityCheckedAt: now } });
    return { ok: true, versionId: recorded!.versionId };
  }
  await flagIntegrityFailure(session, problem, by, { recorded, current }, now);
  return { ok: false, problem };
}

/** Sets the flag once (the first detection wins) and writes its audit event in the same transaction. */
async function flagIntegrityFailure(
  session: IntegritySession,
  problem: string,
  by: "download" | "sweeper" | "completion",
  seen: { recorded: ObjectFingerprint | null; current: ObjectFingerprint | null },
  now: Date,
): Promise<void> {
  await getDb().$transaction(async (tx) => {
    const flagged = await tx.uploadSession.updateMany({
      where: { id: session.id, integrityFailedAt: null },
      data: { integrityFailedAt: now, integrityProblem: problem, integrityCheckedAt: now },
    });
    if (flagged.count === 0) return;
    await writeAudit(tx, {
      sessionId: session.id,
      actorName: by === "sweeper" ? "sweeper" : "integrity check",
      type: "object.integrity_failed",
      detail: { problem, detectedBy: by, key: session.key, recorded: seen.recorded, current: seen.current },
    });
  });
  console.error(`[integrity] session ${session.id}: ${problem}`);
}

/** The message a refused download shows (API and page). */
export function integrityRefusalMessage(problem: string): string {
  return `This file cannot be downloaded: ${problem}. What is stored is no longer the file that was uploaded and registered, so the portal does not serve it; an administrator has been notified.`;
}

/** Outcome of {@link verifyCompletedObjects}. */
export interface IntegritySweepResult {
  checked: number;
  /** Sessions flagged in this run. */
  flagged: string[];
  /** Sessions S3 could not answer for (checked again next run). */
  failed: Array<{ sessionId: string; error: string }>;
}

/**
 * The sweeper's integrity pass: checks up to `limit` (default 1,000) completed or uploaded,
 * not yet flagged sessions, least recently checked first (index on status + integrityCheckedAt), so
 * successive sweeps go round every stored object. One HeadObject each.
 */
export async function verifyCompletedObjects(opts: { now?: Date; limit?: number } = {}): Promise<IntegritySweepResult> {
  const now = opts.now ?? new Date();
  const sessions = await getDb().uploadSession.findMany({
    // An object deleted after its resource's file was replaced (REPLACED_OBJECTS=delete) is gone on purpose: not checked.
    where: { status: { in: ["COMPLETED", "UPLOADED"] }, integrityFailedAt: null, objectDeletedAt: null },
    orderBy: [{ integrityCheckedAt: { sort: "asc", nulls: "first" } }, { id: "asc" }],
    take: opts.limit ?? 1000,
  });
  const result: IntegritySweepResult = { checked: 0, flagged: [], failed: [] };
  for (const s of sessions) {
    try {
      const verdict = await verifyStoredObject(s, "sweeper", now);
      result.checked++;
      if (!verdict.ok) result.flagged.push(s.id);
    } catch (err) {
      result.failed.push({ sessionId: s.id, error: (err as Error).message });
    }
  }
  return result;
}
