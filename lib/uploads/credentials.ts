import "server-only";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { getS3Client, getStsClient } from "@/lib/storage/clients";
import { presignPartsWithChecksums, type PartChecksumInput } from "@/lib/storage/presign-part";
import { assumeUploadRole, type UploadCredentials } from "@/lib/storage/sts";
import { ensureUserRow, loadEditableDataset, touchUserRow } from "./access";
import { writeAudit } from "./audit";
import { ACTIVE_STATUSES, assertStatus, loadBatchSession, type LoadedSession } from "./session";

/** What a permission re-check needs of a session: its id and its dataset's CKAN id and names. */
type SessionOfDataset = Pick<LoadedSession, "id"> & { dataset: Pick<LoadedSession["dataset"], "ckanId" | "name" | "title"> };

/**
 * Asks CKAN again whether the caller may still add files to the session's dataset (upload start,
 * each credential refresh, sign batch and part record: cached at most CKAN_AUTHZ_MAX_AGE_SECONDS;
 * completion passes `fresh: true`). When not — removed from the organization or as collaborator, the
 * dataset deleted, gone or hidden — records `credentials.refused` with the reason and answers with a
 * message saying the parts are kept; nothing in S3 or the session changes here, so the upload can resume
 * once access is restored (or be cancelled by its owner).
 * @throws ApiError 403 `permission_withdrawn`, 410 `dataset_deleted`, 401 (token no longer accepted), 502 (CKAN failed).
 */
export async function recheckPermission(caller: Caller, session: SessionOfDataset, opts: { fresh?: boolean } = {}): Promise<void> {
  try {
    await loadEditableDataset(caller, session.dataset.ckanId, opts);
  } catch (err) {
    if (!(err instanceof ApiError) || !["forbidden", "not_found", "dataset_deleted"].includes(err.code)) throw err;
    const userId = await ensureUserRow(caller);
    await writeAudit(getDb(), { sessionId: session.id, userId, actorName: caller.name, type: "credentials.refused", detail: { reason: err.code } });
    throw withdrawnError(err.code, session);
  }
}

/** The refusal a withdrawn permission gets: 410 `dataset_deleted` or 403 `permission_withdrawn`, saying why and that the parts are kept. */
export function withdrawnError(reason: string, session: SessionOfDataset): ApiError {
  const title = session.dataset.title || session.dataset.name;
  if (reason === "dataset_deleted") {
    return new ApiError(
      "dataset_deleted",
      `The dataset "${title}" was deleted in CKAN, so this upload cannot continue. The parts sent so far are kept: once the dataset is restored in CKAN you can resume, or cancel the upload to remove them.`,
    );
  }
  return new ApiError(
    "permission_withdrawn",
    `CKAN no longer allows you to add files to the dataset "${title}", so this upload cannot continue. The parts sent so far are kept: ask an editor or admin of its organization to restore your access, then resume (or cancel the upload to remove them).`,
  );
}

/**
 * Fresh STS credentials for the same one key (sts mode). Permission is re-checked with CKAN first,
 * so a user removed from the organization mid-upload is refused (their parts are kept).
 * @throws ApiError 404/403 (session or dataset), 409 (not sts mode, or not active), 502 (CKAN, STS).
 */
export async function grantCredentials(caller: Caller, sessionId: string): Promise<{ credentials: UploadCredentials }> {
  const config = getConfig();
  const session = await loadBatchSession(caller, sessionId);
  if (session.mode !== "STS") throw new ApiError("conflict", "This upload uses presigned URLs, not STS credentials.");
  assertStatus(session, ACTIVE_STATUSES, "refresh credentials");
  await recheckPermission(caller, session);
  const grant = await assumeUploadRole(getStsClient(config), {
    roleArn: config.S3_ROLE_ARN!,
    bucket: session.bucket,
    key: session.key,
    userName: caller.name,
    durationSeconds: config.STS_DURATION_SECONDS,
  });
  const userId = await touchUserRow(caller, session.user);
  await writeAudit(getDb(), {
    sessionId: session.id,
    userId,
    actorName: caller.name,
    type: "credentials.granted",
    detail: { accessKeyId: grant.credentials.accessKeyId, expiration: grant.credentials.expiration, policySha256: grant.policyDigest, refresh: true },
  });
  return { credentials: grant.credentials };
}

/**
 * Presigned UploadPart URLs for `partNumbers` (presigned mode), valid PRESIGN_EXPIRES_SECONDS; the
 * `checksums` given for some of them are signed in (their headers returned to send).
 * Permission is re-checked with CKAN for every batch.
 * @returns `{parts: [{partNumber, url, headers, expiresAt}]}` (expiresAt ISO 8601).
 * @throws ApiError 400 (part number beyond partCount), 404/403, 409 (sts mode, or not active), 502.
 */
export async function signParts(caller: Caller, sessionId: string, partNumbers: number[], checksums: Array<{ partNumber: number } & PartChecksumInput> = []) {
  const config = getConfig();
  const session = await loadBatchSession(caller, sessionId);
  if (session.mode !== "PRESIGNED") throw new ApiError("conflict", "This upload uses STS credentials: sign parts in the browser.");
  assertStatus(session, ACTIVE_STATUSES, "sign parts");
  const bad = partNumbers.find((n) => n > session.partCount);
  if (bad !== undefined) throw new ApiError("validation_failed", `Part ${bad} does not exist: this upload has ${session.partCount} parts.`);
  await recheckPermission(caller, session);
  const unique = [...new Set(partNumbers)];
  const expiresIn = config.PRESIGN_EXPIRES_SECONDS;
  const expiresAt = new Date(Date.now() + expiresIn * 1000).toISOString();
  const byPart = new Map(checksums.map(({ partNumber, ...c }) => [partNumber, c]));
  const parts = unique.map((partNumber) => ({ partNumber, checksum: byPart.get(partNumber) }));
  const urls = await presignPartsWithChecksums(getS3Client(config), { bucket: session.bucket, key: session.key, uploadId: session.uploadId!, parts, expiresIn });
  return { parts: urls.map((u) => ({ ...u, expiresAt })) };
}
