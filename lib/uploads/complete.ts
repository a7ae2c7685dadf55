import "server-only";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { CkanError, type CkanPackage } from "@/lib/ckan";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { Prisma, type UploadSession } from "@/lib/generated/sqlite/client";
import { getS3Client } from "@/lib/storage/clients";
import { StorageError } from "@/lib/storage/errors";
import { completeMultipartUpload, deleteObject, putEmptyObject } from "@/lib/storage/multipart";
import { headFingerprint, type ObjectFingerprint } from "@/lib/storage/fingerprint";
import { resourceUrlFor } from "@/lib/downloads/links";
import { objectUrl } from "@/lib/storage/object-url";
import { ckanAs, ensureUserRow, loadEditableDataset } from "./access";
import { withdrawnError } from "./credentials";
import { writeAudit, writeAudits } from "./audit";
import { mapPool } from "./map-pool";
import { oncePerKey } from "./once-per-key";
import { neutraliseInvisible } from "./file-name-rule";
import { linkReplacement, patchReplacedResource, registrationFields } from "./register-fields";
import { completionMismatch, rejectReplacedObject, writeFingerprints } from "./integrity";
import { checkPartsAgainstPlan, notActiveForParts, recordPartsOf, type RecordedPart } from "./parts";
import { ACTIVE_STATUSES, loadOwnedSession, loadOwnedSessions, type LoadedSession } from "./session";
import { sessionView, type SessionView } from "./views";
import pRetry from "p-retry";
import { isDatabaseBusy } from "@/lib/db-errors";

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
export async function completeUpload(caller: Caller, sessionId: string, input: CompletionInput, shared: CompleteShared = completeShared(caller)): Promise<SessionView> {
  const [outcome] = await completeUploadsTogether(caller, [{ sessionId, input }], shared);
  if ("error" in outcome) throw outcome.error;
  return outcome.session;
}

/** What a completion is sent: the file's SHA-256 (hex) and the parts not yet reported. */
export interface CompletionInput {
  sha256?: string;
  parts?: RecordedPart[];
}

/** One completion's outcome: the session view (with a notice, if any) or what {@link completeUpload} would throw. */
export type CompletionOutcome = { session: SessionView } | { error: unknown };

/** A completion under way (internal to {@link completeUploadsTogether}). */
interface Completing {
  k: number;
  sessionId: string;
  input: CompletionInput;
  session: LoadedSession;
  actor: { sessionId: string; userId: string; actorName: string };
  pkg: CkanPackage;
  alreadyStored: boolean;
  /** Parts to record with the claim (sent with the completion, the session still active as loaded). */
  parts?: RecordedPart[];
  /** The session's SHA-256 once claimed (the item's, else the one it had). */
  sha256?: string | null;
}

/**
 * Completes uploads together — one ({@link completeUpload}, the single route) or many (`POST
 * /api/uploads/batch/complete`, issue 12) — each exactly as {@link completeUpload} says: the same checks,
 * order, S3 objects, CKAN resources, rows, audit events and errors per item. The items run in steps, and a
 * step's database work is set-based for all items that reached it, not one Prisma model query per item
 * (issue 12: each cost the portal 2–4 ms of CPU): (1) per item (`concurrency` at once): the session
 * (`shared`), the fresh CKAN check (one per dataset), the sent parts against the plan; (2) ONE transaction:
 * the sent parts recorded (lib/uploads/parts.ts recordPartsOf) and the claims, one compare-and-swap UPDATE
 * for all (of any number of concurrent completions of a session exactly one wins); (3) per item:
 * CompleteMultipartUpload and HeadObject; (4) one UPDATE of the fingerprints and byte counts, one INSERT of
 * the `object.stored` events; (5) per item: CKAN `resource_create` (or the
 * replaced resource's `resource_patch`); (6) ONE transaction: the `session.completed` events and the final
 * UPDATE; (7) per item: the replacement's links and the draft dataset's activation (once per dataset). An
 * item that fails leaves the later steps with its error (rare failure paths write per item, as before).
 * A session named twice: the later items answer 409 as a second concurrent completion would.
 * @returns per item, in input order, its {@link CompletionOutcome}.
 */
export async function completeUploadsTogether(
  caller: Caller,
  items: ReadonlyArray<{ sessionId: string; input: CompletionInput }>,
  shared: CompleteShared = completeShared(caller),
  concurrency = 8,
): Promise<CompletionOutcome[]> {
  const out = new Array<CompletionOutcome>(items.length);
  const db = getDb();
  // (1) Load, answer completed sessions (idempotent), ask CKAN afresh, check the sent parts against the plan.
  const seen = new Set<string>();
  const loaded = await mapPool(items, concurrency, async ({ sessionId, input }, k): Promise<Completing | null> => {
    try {
      const session = await shared.session(sessionId);
      if (session.status === "COMPLETED") {
        out[k] = { session: sessionView(session, session.dataset.name) };
        return null;
      }
      const userId = await shared.userId();
      const actor = { sessionId, userId, actorName: caller.name };
      // CKAN decides at the moment of completion, asked afresh (never from the cache): before
      // CompleteMultipartUpload assembles anything, and before resource_create.
      const pkg = await authorizeCompletion(caller, session, actor, shared);
      // Parts sent with the completion (a small file's only part, issue 12) are recorded as /parts records
      // them — same checks, rows and audit event — once CKAN has just said yes; not once the object is stored.
      const parts = input.parts?.length && ACTIVE_STATUSES.includes(session.status) ? input.parts : undefined;
      if (parts) checkPartsAgainstPlan(session, parts);
      return { k, sessionId, input, session, actor, pkg, alreadyStored: session.status === "UPLOADED", parts };
    } catch (err) {
      out[k] = { error: err };
      return null;
    }
  });
  let live: Completing[] = [];
  for (const c of loaded) {
    if (!c) continue;
    // The same session twice in one request: the first completes it, the others lose the claim as a concurrent completion would.
    if (seen.has(c.session.id)) out[c.k] = { error: new ApiError("conflict", COMPLETING_ELSEWHERE) };
    else live.push(c);
    seen.add(c.session.id);
  }
  const drop = (c: Completing, err: unknown) => {
    out[c.k] = { error: err };
    live = live.filter((x) => x !== c);
  };

  // (2) The sent parts and the claims, in one transaction.
  if (live.length > 0) {
    const refused = await db.$transaction(async (tx) => {
      const withParts = live.filter((c) => c.parts);
      const confirmed = await recordPartsOf(tx, withParts.map((c) => ({ sessionId: c.session.id, userId: c.actor.userId, actorName: caller.name, parts: c.parts! })));
      const notActive = new Set(withParts.filter((_, j) => confirmed[j] === null));
      const errors = new Map<Completing, ApiError>([...notActive].map((c) => [c, notActiveForParts()]));
      for (const [c, err] of await claimCompletions(tx, live.filter((c) => !notActive.has(c)))) errors.set(c, err);
      return errors;
    }).catch((err: unknown) => new Map(live.map((c) => [c, err])));
    for (const [c, err] of refused) drop(c, err);
  }

  // (3) CompleteMultipartUpload and HeadObject, per item.
  const toStore = live.filter((c) => !c.alreadyStored);
  const stored = await mapPool(toStore, concurrency, async (c) => {
    try {
      const sent = ACTIVE_STATUSES.includes(c.session.status) ? c.input.parts : undefined;
      return await storeObject(c.session, sent);
    } catch (err) {
      drop(c, await storingFailed(c, err));
      return null;
    }
  });
  // (4) Fingerprints (post-completion integrity, CASES 38: lib/uploads/integrity.ts) with the byte counts, one UPDATE; then
  // an object the parts do not make is flagged and its completion fails; `object.stored` for the others, one INSERT.
  const now = new Date();
  const heads = toStore.flatMap((c, j) => (stored[j] ? [{ c, ...stored[j] }] : []));
  if (heads.length > 0) {
    try {
      await writeFingerprints(db, heads.map(({ c, head }) => ({ id: c.session.id, fingerprint: head, bytesConfirmed: c.session.size })), now);
    } catch (err) {
      for (const { c } of heads) drop(c, await storingFailed(c, err));
    }
  }
  const storedOk: Completing[] = [];
  for (const { c, etags, head } of heads) {
    if (!live.includes(c)) continue;
    const problem = completionMismatch(c.session.partCount, head.etag, c.session.partCount > 0 ? etags : []);
    if (problem) drop(c, await storingFailed(c, await rejectReplacedObject(c.session, problem, head, now).catch((e: unknown) => e)));
    else storedOk.push(c);
  }
  try {
    await writeAudits(db, storedOk.map((c) => ({ ...c.actor, type: "object.stored", detail: { key: c.session.key, size: Number(c.session.size), sha256: c.input.sha256 ?? c.session.sha256 } })));
  } catch (err) {
    if (isDatabaseBusy(err)) await Promise.all(storedOk.map((c) => releaseClaim(c.session)));
    for (const c of storedOk) drop(c, err);
  }


  // (5) CKAN registration, per item.
  const registered = await mapPool([...live], concurrency, async (c) => {
    try {
      // What the registration reads of the session does not change once it is loaded, but its SHA-256 (set by the claim).
      return { c, ...(await registerResource(caller, { ...c.session, sha256: c.sha256 ?? null }, c.actor, c.pkg)) };
    } catch (err) {
      drop(c, err);
      return null;
    }
  });
  const done = registered.filter((r) => r !== null);

  // (6) The `session.completed` events and the final update, one transaction for all.
  let rows = new Map<string, UploadSession>();
  if (done.length > 0) {
    try {
      // The CKAN resources exist now: a busy database is waited out a few times (p-retry: 0.5, 1, 2 s) rather
      // than leaving the claims to go stale with the registrations unrecorded.
      const finishing = done.map(({ c, resource, url }) => ({ session: c.session, actor: c.actor, resourceId: resource.id, url }));
      rows = await pRetry(() => finishCompletions(finishing), WHILE_DATABASE_BUSY);
    } catch (err) {
      for (const { c } of done) drop(c, err);
    }
  }

  // (7) A replacement's links, a draft dataset's activation (once per dataset), the answer.
  await mapPool(done, concurrency, async ({ c, resource, replaced }) => {
    if (!live.includes(c)) return;
    try {
      if (replaced) await linkReplacement(c.session, c.actor, { resourceId: resource.id, previous: replaced.previous, previousUrl: replaced.previousUrl });
      const notice = await shared.activation(c.pkg, () => activateDraft(caller, c.pkg, c.actor));
      out[c.k] = { session: { ...sessionView(rows.get(c.session.id)!, c.session.dataset.name), ...notice } };
    } catch (err) {
      out[c.k] = { error: err };
    }
  });
  return out;
}

/**
 * A completion whose object could not be stored (step 3 or 4): missing parts put the session back to
 * `uploading` (409, the client sends them); any other failure makes it `failed` (`size_mismatch` or
 * `storage_failed`, audit `session.failed`, stage `store`). @returns the error the item answers (502
 * `storage_failed` for an S3 failure).
 */
async function storingFailed(c: Completing, err: unknown): Promise<unknown> {
  if (isDatabaseBusy(err)) {
    // Not the store's failure, and nothing has gone to CKAN yet: the claim is given back (releaseClaim).
    await releaseClaim(c.session);
    return err;
  }
  const missingParts = err instanceof ApiError && err.code === "conflict";
  try {
    await getDb().$transaction(async (tx) => {
      await tx.uploadSession.update({
        where: { id: c.session.id },
        data: missingParts
          ? { status: "UPLOADING" }
          : { status: "FAILED", errorCode: err instanceof StorageError && err.code === "SizeMismatch" ? "size_mismatch" : "storage_failed", errorMessage: (err as Error).message },
      });
      if (!missingParts) await writeAudit(tx, { ...c.actor, type: "session.failed", detail: { stage: "store", error: (err as Error).message } });
    });
  } catch (recordErr) {
    return recordErr; // as before: the item answers the error of recording its failure
  }
  if (err instanceof StorageError) return new ApiError("storage_failed", err.message);
  return err;
}

/**
 * Gives a completion's claim back after a database-busy failure (503 `database_busy`) before anything went
 * to CKAN, so that the client's retry after `Retry-After` redoes the steps instead of meeting 409 "being
 * completed by another request" until the claim goes stale ({@link STALE_COMPLETION_MS}). Storing again is
 * safe: an already completed multipart upload is confirmed by HeadObject (storeObject). The session returns
 * to the status it had (`uploading` for a taken-over stale claim). Best effort: if the database stays too
 * busy for this one statement through 3 more tries (p-retry, ~3.5 s), the claim stays and goes stale.
 */
async function releaseClaim(session: LoadedSession): Promise<void> {
  const status = session.status === "COMPLETING" ? "UPLOADING" : session.status;
  const release = () => getDb().uploadSession.updateMany({ where: { id: session.id, status: "COMPLETING" }, data: { status } });
  await pRetry(release, WHILE_DATABASE_BUSY)
    .catch((e) => console.warn(`[uploads] completion claim of ${session.id} not given back (database busy): it goes stale in ${STALE_COMPLETION_MS / 60_000} min`, (e as Error).message));
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

/** p-retry options for a write that must not be lost to a busy database: 3 more tries after 0.5, 1 and 2 s (randomised); any other error at once. */
const WHILE_DATABASE_BUSY = { retries: 3, minTimeout: 500, factor: 2, randomize: true, shouldRetry: ({ error }: { error: Error }) => isDatabaseBusy(error) };

/** A claim older than this is taken to belong to a request that died (a crash or a restart). */
export const STALE_COMPLETION_MS = 15 * 60_000;

/** The 409 of a completion that lost the claim to another completion still under way. */
const COMPLETING_ELSEWHERE = "This upload is being completed by another request; try again in a moment.";

/** Statuses from which a completion may claim a session (or COMPLETING, once the claim is stale). */
const CLAIMABLE_SQL = Prisma.raw(["CREATED", "UPLOADING", "FAILED", "UPLOADED"].map((x) => `'${x}'`).join(", "));

/**
 * Moves the sessions of `items` to COMPLETING with one compare-and-swap UPDATE on their status (the same SQL
 * on SQLite ≥ 3.35 and PostgreSQL), so that of any number of concurrent completions of a session exactly one
 * stores and registers it (no duplicate CKAN resources); each claimed session gets the item's `sha256` (else
 * keeps its own) and loses its error. A claim left behind by a request that died is taken over after
 * {@link STALE_COMPLETION_MS}. Each session must appear once in `items`. Run inside the caller's transaction.
 * Sets each claimed item's `sha256` to the session's (as the claim left it).
 * @returns the items not claimed, each with its ApiError 409 (another completion holds the claim, or the
 *   session is cancelled/expired/completed).
 */
async function claimCompletions(tx: Prisma.TransactionClient, items: readonly Completing[], now = new Date()): Promise<Map<Completing, ApiError>> {
  const refused = new Map<Completing, ApiError>();
  if (items.length === 0) return refused;
  const staleBefore = new Date(now.getTime() - STALE_COMPLETION_MS);
  const withHash = items.filter((c) => c.input.sha256 !== undefined);
  const sha256 = withHash.length
    ? Prisma.sql`, "sha256" = CASE "id" ${Prisma.join(withHash.map((c) => Prisma.sql`WHEN ${c.session.id} THEN ${c.input.sha256}`), " ")} ELSE "sha256" END`
    : Prisma.empty;
  const ids = Prisma.join(items.map((c) => c.session.id));
  const claimed = await tx.$queryRaw<Array<{ id: string; sha256: string | null }>>`
    UPDATE "UploadSession"
    SET "status" = 'COMPLETING', "errorCode" = NULL, "errorMessage" = NULL, "updatedAt" = ${now} ${sha256}
    WHERE "id" IN (${ids}) AND ("status" IN (${CLAIMABLE_SQL}) OR ("status" = 'COMPLETING' AND "updatedAt" < ${staleBefore}))
    RETURNING "id", "sha256"`;
  const won = new Map(claimed.map((r) => [r.id, r.sha256]));
  for (const c of items) c.sha256 = won.get(c.session.id);
  const lost = items.filter((c) => !won.has(c.session.id));
  if (lost.length === 0) return refused;
  const statuses = await tx.$queryRaw<Array<{ id: string; status: string }>>`
    SELECT "id", "status" FROM "UploadSession" WHERE "id" IN (${Prisma.join(lost.map((c) => c.session.id))})`;
  const status = new Map(statuses.map((r) => [r.id, String(r.status)]));
  for (const c of lost) {
    const now = status.get(c.session.id);
    refused.set(c, now === undefined ? new ApiError("not_found", "Upload session not found.") : new ApiError("conflict", now === "COMPLETING" ? COMPLETING_ELSEWHERE : `Cannot complete: the upload is ${now.toLowerCase()}.`));
  }
  return refused;
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

/**
 * CKAN resource_create (or resource_patch of the resource it replaces) for a stored object (the caller holds the COMPLETING claim);
 * on failure the session becomes `uploaded` with the error (audit `registration.failed`) and the error is thrown.
 * @returns the resource, its URL and, for a replacement, what {@link linkReplacement} needs.
 */
async function registerResource(caller: Caller, session: LoadedSession, actor: { sessionId: string; userId: string; actorName: string }, pkg: CkanPackage) {
  const config = getConfig();
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
    await getDb().$transaction(async (tx) => {
      // Release the claim: the object is stored, only the registration is left (CASES 13).
      await tx.uploadSession.update({ where: { id: session.id }, data: { status: "UPLOADED", errorCode: "ckan_failed", errorMessage: message } });
      await writeAudit(tx, { ...actor, type: "registration.failed", detail: { error: message } });
    });
    const code = err instanceof CkanError && err.kind === "authorization" ? "forbidden" : "ckan_failed";
    throw new ApiError(code, `The file is stored, but ${message} Retry the registration; the file does not need to be uploaded again.`);
  }
  return { resource, url, replaced };
}

/**
 * The end of registered completions, in ONE transaction for all of them: their `session.completed` events (one
 * INSERT) and one UPDATE to COMPLETED with each one's resource id, resource URL and object URL (the same SQL on
 * SQLite and PostgreSQL). @returns the updated rows by id.
 */
async function finishCompletions(items: ReadonlyArray<{ session: LoadedSession; actor: { sessionId: string; userId: string; actorName: string }; resourceId: string; url: string }>): Promise<Map<string, UploadSession>> {
  const config = getConfig();
  const now = new Date();
  const column = (name: string, value: (x: (typeof items)[number]) => string) =>
    Prisma.sql`${Prisma.raw(`"${name}"`)} = CASE "id" ${Prisma.join(items.map((x) => Prisma.sql`WHEN ${x.session.id} THEN ${value(x)}`), " ")} ELSE ${Prisma.raw(`"${name}"`)} END`;
  const ids = items.map((x) => x.session.id);
  const rows = await getDb().$transaction(async (tx) => {
    await writeAudits(tx, items.map((x) => ({ ...x.actor, type: "session.completed", session: { mode: x.session.mode, size: x.session.size }, detail: { resourceId: x.resourceId, url: x.url } })), now);
    await tx.$executeRaw`
      UPDATE "UploadSession"
      SET "status" = 'COMPLETED', ${column("resourceId", (x) => x.resourceId)}, ${column("resourceUrl", (x) => x.url)},
          ${column("objectUrl", (x) => objectUrl(config, x.session.key))},
          "errorCode" = NULL, "errorMessage" = NULL, "completedAt" = ${now}, "updatedAt" = ${now}
      WHERE "id" IN (${Prisma.join(ids)})`;
    return tx.uploadSession.findMany({ where: { id: { in: ids } } });
  });
  return new Map(rows.map((r) => [r.id, r]));
}
