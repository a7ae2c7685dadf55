import "server-only";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { CkanError, type CkanPackage } from "@/lib/ckan";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { getS3Client } from "@/lib/storage/clients";
import { StorageError } from "@/lib/storage/errors";
import { completeMultipartUpload, deleteObject, putEmptyObject } from "@/lib/storage/multipart";
import { headFingerprint, type ObjectFingerprint } from "@/lib/storage/fingerprint";
import { resourceUrlFor } from "@/lib/downloads/links";
import { objectUrl } from "@/lib/storage/object-url";
import { ckanAs, ensureUserRow, loadEditableDataset } from "./access";
import { withdrawnError } from "./credentials";
import { writeAudit } from "./audit";
import { oncePerKey } from "./once-per-key";
import { neutraliseInvisible } from "./file-name-rule";
import { linkReplacement, patchReplacedResource, registrationFields } from "./register-fields";
import { recordStoredFingerprint } from "./integrity";
import { isDatabaseBusy } from "@/lib/db-errors";
import { writeParts, type RecordedPart } from "./parts";
import { ACTIVE_STATUSES, loadOwnedSession, loadOwnedSessions, type LoadedSession } from "./session";
import { sessionView, type SessionView } from "./views";

/**
 * Completes an upload: CompleteMultipartUpload with the recorded parts (or one empty PutObject for a
 * 0-byte file), HeadObject to confirm the stored size, then CKAN `resource_create` with the caller's
 * own token (`package_id`, `name`, `url`, `size`, `mimetype`, `format`, `hash`, `last_modified`;
 * never `url_type`). Idempotent: a completed session returns its resource and creates nothing. If
 * CKAN fails after the object is stored, the session stays `uploaded` and calling this again retries
 * only the registration (CASES 13). CKAN is asked afresh first (authorizeCompletion): a refused
 * completion keeps the parts and fails the session with `permission_withdrawn`. A `draft` dataset is
 * made active after its first registered upload (activateDraft). `input.parts` (parts not yet reported:
 * `{partNumber, size, etag, checksum?}`) are recorded first, exactly as `POST /api/uploads/{id}/parts`
 * records them (lib/uploads/parts.ts), so a small file completes with one request fewer.
 * @throws ApiError 400 (a part sent with it does not fit the plan), 404/403 (403 `permission_withdrawn`), 410 `dataset_deleted`, 409 (missing parts, wrong state, completion in progress), 502 (S3 or CKAN).
 */
export async function completeUpload(caller: Caller, sessionId: string, input: { sha256?: string; parts?: RecordedPart[] }, shared: CompleteShared = completeShared(caller)): Promise<SessionView> {
  const session = await shared.session(sessionId);
  if (session.status === "COMPLETED") return sessionView(session, session.dataset.name);
  const userId = await shared.userId();
  const actor = { sessionId, userId, actorName: caller.name };
  const db = getDb();
  const alreadyStored = session.status === "UPLOADED";
  // CKAN decides at the moment of completion, asked afresh (never from the cache): before
  // CompleteMultipartUpload assembles anything, and before resource_create.
  const pkg = await authorizeCompletion(caller, session, actor, shared);
  // Parts sent with the completion (a small file's only part, issue 12) are recorded as /parts records
  // them — same checks, rows and audit event — once CKAN has just said yes; not once the object is stored.
  if (input.parts?.length && ACTIVE_STATUSES.includes(session.status)) await writeParts(caller, session, input.parts);
  await claimCompletion(session, input.sha256);

  let fresh: LoadedSession;
  try {
    if (!alreadyStored) {
      let stored = false;
      try {
        const sent = ACTIVE_STATUSES.includes(session.status) ? input.parts : undefined;
        const { etags: partEtags, head } = await storeObject(session, sent);
        // post-completion integrity (CASES 38): lib/uploads/integrity.ts; the byte count goes with the fingerprint.
        stored = (await recordStoredFingerprint(session, new Date(), { partEtags, bytesConfirmed: session.size, current: head })) !== null;
      } catch (err) {
        if (isDatabaseBusy(err)) throw err; // not the store's failure: the claim is given back below
        const missingParts = err instanceof ApiError && err.code === "conflict";
        await db.$transaction(async (tx) => {
          await tx.uploadSession.update({
            where: { id: sessionId },
            data: missingParts
              ? { status: "UPLOADING" }
              : { status: "FAILED", errorCode: err instanceof StorageError && err.code === "SizeMismatch" ? "size_mismatch" : "storage_failed", errorMessage: (err as Error).message },
          });
          if (!missingParts) await writeAudit(tx, { ...actor, type: "session.failed", detail: { stage: "store", error: (err as Error).message } });
        });
        if (err instanceof StorageError) throw new ApiError("storage_failed", err.message);
        throw err;
      }
      await writeAudit(db, { ...actor, type: "object.stored", detail: { key: session.key, size: Number(session.size), sha256: input.sha256 ?? session.sha256 } });
      if (!stored) await db.uploadSession.update({ where: { id: sessionId }, data: { bytesConfirmed: session.size } });
    }
    // The session's dataset and owner rows are not changed by a completion: only the session row is read again.
    fresh = { ...(await db.uploadSession.findUniqueOrThrow({ where: { id: sessionId } })), dataset: session.dataset, user: session.user };
  } catch (err) {
    // Nothing has gone to CKAN yet: a database that was too busy to record a step gives the claim back, so
    // that the client's retry (after 503 database_busy's Retry-After) redoes the steps instead of meeting
    // 409 "being completed by another request" until the claim goes stale. Storing again is safe (an
    // already completed multipart upload is confirmed by HeadObject, storeObject).
    if (isDatabaseBusy(err)) await releaseClaim(session);
    throw err;
  }
  return registerResource(caller, fresh, actor, pkg, shared);
}

/**
 * What the completions of one request share (issue 12, `POST /api/uploads/batch/complete`): the sessions,
 * loaded with one query; the caller's User row (one upsert); and per distinct dataset ONE fresh CKAN
 * permission check (`fresh: true` — asked at the moment of this request's completions, never from the cache).
 */
export interface CompleteShared {
  /** Session `id`, owned by the caller or the caller is a portal admin (loadOwnedSession's checks and errors). */
  session(id: string): Promise<LoadedSession>;
  /** The caller's User row id (ensureUserRow). */
  userId(): Promise<string>;
  /** The dataset with CKAN id `ckanId` as CKAN shows it now, if the caller may edit it (loadEditableDataset, fresh). */
  dataset(ckanId: string): Promise<CkanPackage>;
  /**
   * A draft dataset is made active once per request (`run`: activateDraft): the batch's other completions in
   * that dataset share its outcome and notice instead of each sending CKAN `package_patch` and auditing it.
   */
  activation(pkg: CkanPackage, run: () => Promise<CompletionNotice | undefined>): Promise<CompletionNotice | undefined>;
}

/**
 * A {@link CompleteShared} for `caller`. With `sessionIds` (a batch), those sessions are loaded with one
 * query when the first is asked for; any other id is loaded alone.
 */
export function completeShared(caller: Caller, sessionIds?: string[]): CompleteShared {
  const datasets = oncePerKey<CkanPackage>();
  const activations = oncePerKey<CompletionNotice | undefined>();
  let user: Promise<string> | undefined;
  let many: Promise<Map<string, LoadedSession>> | undefined;
  return {
    session: async (id) => {
      if (!sessionIds?.includes(id)) return loadOwnedSession(caller, id);
      const loaded = await (many ??= loadOwnedSessions(sessionIds));
      return loadOwnedSession(caller, id, loaded);
    },
    userId: () => (user ??= ensureUserRow(caller)),
    dataset: (ckanId) => datasets(ckanId, () => loadEditableDataset(caller, ckanId, { fresh: true })),
    activation: (pkg, run) => activations(pkg.id, run),
  };
}

/**
 * Asks CKAN afresh (`package_show` + package_update rules + `user_show`, no cache) whether the caller
 * may still add files to the dataset. When not, nothing is assembled and nothing is thrown away: the
 * parts stay in S3 (no AbortMultipartUpload), a session that was sending parts becomes `failed` with
 * errorCode `permission_withdrawn` and a message saying why (audit `session.failed`, stage
 * `authorize`); its owner or an admin can cancel it, or complete it once access is restored.
 * @returns the dataset as CKAN shows it now.
 * @throws ApiError 403 `permission_withdrawn`, 410 `dataset_deleted`, 401, 502 (CKAN failed: the session is unchanged).
 */
async function authorizeCompletion(caller: Caller, session: LoadedSession, actor: { sessionId: string; userId: string; actorName: string }, shared: CompleteShared): Promise<CkanPackage> {
  try {
    return await shared.dataset(session.dataset.ckanId);
  } catch (err) {
    if (!(err instanceof ApiError) || !["forbidden", "not_found", "dataset_deleted"].includes(err.code)) throw err;
    const refusal = withdrawnError(err.code, session);
    await getDb().$transaction(async (tx) => {
      const moved = await tx.uploadSession.updateMany({
        where: { id: session.id, status: { in: ["CREATED", "UPLOADING", "FAILED"] } },
        data: { status: "FAILED", errorCode: "permission_withdrawn", errorMessage: refusal.message },
      });
      await writeAudit(tx, { ...actor, type: "session.failed", detail: { stage: "authorize", reason: err.code, error: refusal.message, statusChanged: moved.count > 0 } });
    });
    throw refusal;
  }
}

/** A notice of `POST /complete` (issue 12): English `notice` for scripts, `noticeCode` + `noticeValues` for the UI to translate. */
export interface CompletionNotice {
  notice: string;
  /** `draft_kept` (ACTIVATE_DRAFT_DATASETS=false) or `draft_not_activated` (CKAN refused package_patch). */
  noticeCode: "draft_kept" | "draft_not_activated";
  /** `title`: the dataset's title (else name); `error`: CKAN's answer (draft_not_activated). */
  noticeValues: { title: string; error?: string };
}

/**
 * Finishes a `draft` dataset after its first completed upload, as CKAN's own "Finish" step does:
 * `package_patch {id, state: "active"}` with the caller's token (unless ACTIVATE_DRAFT_DATASETS=false).
 * Audited as `dataset.activated` or `dataset.activation_failed`; a failure never undoes the completed
 * upload. @returns a {@link CompletionNotice} when the dataset stays a draft, else undefined.
 */
async function activateDraft(caller: Caller, pkg: CkanPackage, actor: { sessionId: string; userId: string; actorName: string }): Promise<CompletionNotice | undefined> {
  if (pkg.state !== "draft") return undefined;
  const title = pkg.title || pkg.name;
  if (!getConfig().ACTIVATE_DRAFT_DATASETS) {
    return {
      notice: `The dataset "${title}" is still a draft in CKAN (hidden from search): finish it in CKAN to publish it.`,
      noticeCode: "draft_kept",
      noticeValues: { title },
    };
  }
  try {
    await ckanAs(caller).packagePatch({ id: pkg.id, state: "active" });
  } catch (err) {
    const message = err instanceof CkanError ? `${err.kind}: ${err.message}` : (err as Error).message;
    await writeAudit(getDb(), { ...actor, type: "dataset.activation_failed", detail: { packageId: pkg.id, error: message } });
    return {
      notice: `The file is registered, but CKAN did not make the draft dataset "${title}" active (${message}). It stays hidden from search until it is finished in CKAN.`,
      noticeCode: "draft_not_activated",
      noticeValues: { title, error: message },
    };
  }
  await writeAudit(getDb(), { ...actor, type: "dataset.activated", detail: { packageId: pkg.id, from: "draft", to: "active" } });
  return undefined;
}

/**
 * Gives a completion's claim back after a database-busy failure before anything went to CKAN: the session
 * returns to the status it had (`uploading` for a taken-over stale claim). Best effort: if the database is
 * still too busy for this one statement, the claim stays and goes stale after {@link STALE_COMPLETION_MS}.
 */
async function releaseClaim(session: LoadedSession): Promise<void> {
  const status = session.status === "COMPLETING" ? "UPLOADING" : session.status;
  await getDb()
    .uploadSession.updateMany({ where: { id: session.id, status: "COMPLETING" }, data: { status } })
    .catch((e) => console.warn(`[uploads] completion claim of ${session.id} not given back (database busy): it goes stale in ${STALE_COMPLETION_MS / 60_000} min`, (e as Error).message));
}

/** A claim older than this is taken to belong to a request that died (a crash or a restart). */
export const STALE_COMPLETION_MS = 15 * 60_000;

/**
 * Moves the session to COMPLETING with a compare-and-swap on its status, so that of any number of
 * concurrent completions exactly one stores and registers it (no duplicate CKAN resources). A claim
 * left behind by a request that died is taken over after {@link STALE_COMPLETION_MS}.
 * @throws ApiError 409 when another completion holds the claim, or the session is cancelled/expired.
 */
async function claimCompletion(session: LoadedSession, sha256: string | undefined): Promise<void> {
  const staleBefore = new Date(Date.now() - STALE_COMPLETION_MS);
  const claimed = await getDb().uploadSession.updateMany({
    where: {
      id: session.id,
      OR: [
        { status: { in: ["CREATED", "UPLOADING", "FAILED", "UPLOADED"] } },
        { status: "COMPLETING", updatedAt: { lt: staleBefore } },
      ],
    },
    data: { status: "COMPLETING", sha256: sha256 ?? session.sha256, errorCode: null, errorMessage: null },
  });
  if (claimed.count === 0) {
    const now = await getDb().uploadSession.findUniqueOrThrow({ where: { id: session.id } });
    throw new ApiError(
      "conflict",
      now.status === "COMPLETING" ? "This upload is being completed by another request; try again in a moment." : `Cannot complete: the upload is ${now.status.toLowerCase()}.`,
    );
  }
}

/**
 * CompleteMultipartUpload (or PutObject for 0 bytes), then HeadObject (with ChecksumMode) must report `size` bytes.
 * `sent`: the parts just recorded with this completion — when they are all of the plan's parts (a small
 * file's one part), they are the part rows, which are then not read again.
 * @returns `etags`: the parts' ETags in part-number order (empty for 0 bytes); `head`: the object's fingerprint
 *   from that HeadObject, which the completion records (one HeadObject per completion, not two).
 * @throws StorageError (`NotFound` when the object is missing, `SizeMismatch` — the object is then deleted).
 */
async function storeObject(session: LoadedSession, sent?: RecordedPart[]): Promise<{ etags: string[]; head: ObjectFingerprint }> {
  const s3 = getS3Client(getConfig());
  const { bucket, key } = session;
  let etags: string[] = [];
  if (session.partCount === 0) {
    await putEmptyObject(s3, { bucket, key, contentType: session.contentType, metadata: { "ckan-site": getConfig().CKAN_URL, "ckan-user": session.user.name, "ckan-package-id": session.dataset.ckanId, "upload-session": session.id } });
  } else {
    const byNumber = new Map(sent?.map((p) => [p.partNumber, p])); // writeParts has checked them against the plan
    const parts = byNumber.size === session.partCount
      ? [...byNumber.values()].sort((a, b) => a.partNumber - b.partNumber)
      : await getDb().uploadPart.findMany({ where: { sessionId: session.id }, orderBy: { partNumber: "asc" } });
    const missing: number[] = [];
    for (let n = 1, i = 0; n <= session.partCount; n++) {
      if (parts[i]?.partNumber === n) i++;
      else if (missing.length < 10) missing.push(n);
    }
    if (missing.length > 0) {
      const list = `${missing.join(", ")}${missing.length === 10 ? ", …" : ""}`;
      throw new ApiError("conflict", `Cannot complete: ${missing.length === 1 ? `part ${list} has` : `parts ${list} have`} not been uploaded.`);
    }
    try {
      etags = parts.map((p) => p.etag);
      await completeMultipartUpload(s3, { bucket, key, uploadId: session.uploadId!, parts: parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })) });
    } catch (err) {
      // A dropped response to an earlier, successful CompleteMultipartUpload (CASES 12): the upload
      // is gone but the object exists. HeadObject below decides.
      if (!(err instanceof StorageError && (err.code === "NoSuchUpload" || err.httpStatus === 404))) throw err;
    }
  }
  // One HeadObject serves the size check here and the fingerprint recorded next (recordStoredFingerprint).
  const head = await headFingerprint(s3, { bucket, key });
  if (!head) throw new StorageError(`S3 has no object at ${key} after completing the upload.`, "S3", "HeadObject", "NotFound", 404);
  if (head.size !== Number(session.size)) {
    // A wrong object must not stay behind looking like the file: remove it; the file must be sent again.
    await deleteObject(s3, { bucket, key });
    throw new StorageError(
      `S3 stored ${head.size} bytes but the file has ${session.size} bytes; the stored object was removed. Upload the file again.`,
      "S3",
      "HeadObject",
      "SizeMismatch",
    );
  }
  return { etags, head };
}

/** CKAN resource_create (or resource_patch of the resource it replaces) for a stored object (the caller holds the COMPLETING claim); on failure the session becomes `uploaded` with the error. */
async function registerResource(caller: Caller, session: LoadedSession, actor: { sessionId: string; userId: string; actorName: string }, pkg: CkanPackage, shared: CompleteShared): Promise<SessionView> {
  const config = getConfig();
  const db = getDb();
  let url = "";
  let resource: { id: string };
  let replaced: Awaited<ReturnType<typeof patchReplacedResource>> | undefined;
  try {
    // Inside the try: a /download/ link without NEXTAUTH_URL fails as a retryable registration, not a stuck claim.
    url = resourceUrlFor(config, session, pkg.private);
    // The publisher's name/description/format (issue 12), else the file's; a replacement patches its resource (lib/uploads/register-fields.ts).
    if (session.replacesResourceId) {
      replaced = await patchReplacedResource(caller, session, url);
      resource = replaced.resource;
    } else {
      resource = await ckanAs(caller).resourceCreate({ package_id: session.dataset.ckanId, name: neutraliseInvisible(session.fileName), ...registrationFields(session, url) });
    }
  } catch (err) {
    const message = err instanceof CkanError && err.kind === "not_ckan" ? `CKAN failed to register the resource: ${err.message}.` : err instanceof CkanError ? `CKAN failed to register the resource (${err.kind}): ${err.message}` : `CKAN failed to register the resource: ${(err as Error).message}`;
    await db.$transaction(async (tx) => {
      // Release the claim: the object is stored, only the registration is left (CASES 13).
      await tx.uploadSession.update({ where: { id: session.id }, data: { status: "UPLOADED", errorCode: "ckan_failed", errorMessage: message } });
      await writeAudit(tx, { ...actor, type: "registration.failed", detail: { error: message } });
    });
    const code = err instanceof CkanError && err.kind === "authorization" ? "forbidden" : "ckan_failed";
    throw new ApiError(code, `The file is stored, but ${message} Retry the registration; the file does not need to be uploaded again.`);
  }
  const done = await db.$transaction(async (tx) => {
    await writeAudit(tx, { ...actor, type: "session.completed", session: { mode: session.mode, size: session.size }, detail: { resourceId: resource.id, url } });
    return tx.uploadSession.update({
      where: { id: session.id },
      data: { status: "COMPLETED", resourceId: resource.id, resourceUrl: url, objectUrl: objectUrl(config, session.key), errorCode: null, errorMessage: null, completedAt: new Date() },
    });
  });
  if (replaced) await linkReplacement(session, actor, { resourceId: resource.id, previous: replaced.previous, previousUrl: replaced.previousUrl });
  const notice = await shared.activation(pkg, () => activateDraft(caller, pkg, actor));
  return { ...sessionView(done, session.dataset.name), ...notice };
}
