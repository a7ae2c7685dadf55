import "server-only";
import { randomUUID } from "node:crypto";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { formatBytes } from "@/lib/format";
import { getS3Client, getStsClient } from "@/lib/storage/clients";
import { objectKey } from "@/lib/storage/keys";
import { abortMultipartUpload, createMultipartUpload, type UploadMetadata } from "@/lib/storage/multipart";
import { presignPartsWithChecksums } from "@/lib/storage/presign-part";
import { assumeUploadRole } from "@/lib/storage/sts";
import { planParts } from "@/lib/uploader/plan";
import type { UploadSession } from "@/lib/uploader/portal-api";
import type { CkanPackage } from "@/lib/ckan";
import { Prisma } from "@/lib/generated/sqlite/client";
import { ckanAs, ensureDatasetRow, ensureUserRow, loadEditableDataset } from "./access";
import { writeAudits, type AuditInput } from "./audit";
import { oncePerKey } from "./once-per-key";
import { storedClientIp } from "./client-ip";
import { resolveContentType } from "./file-types";
import { assertReplaceable, type ReplaceTarget } from "./replace";
import type { CreateUploadInput } from "./schemas";

/**
 * What the browser needs to send the parts (`POST /api/uploads` response): `{sessionId, bucket,
 * region, endpoint (null = AWS), forcePathStyle, key, uploadId (null for 0 bytes), partSize (bytes),
 * partCount, mode, credentials? (sts), signedParts? (presigned, a file of one part)}`. It is the engine's
 * wire type, so client and server cannot drift.
 */
export type CreatedUpload = UploadSession;

/** Request context recorded for audit. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
}

/**
 * Starts one upload: re-checks with CKAN that the caller may edit the dataset, plans the parts,
 * creates the S3 multipart upload (metadata x-amz-meta-ckan-site, -ckan-user, -ckan-package-id,
 * -upload-session) and, in sts mode, one-object STS credentials; then records the session and its
 * audit events in one transaction. If anything after CreateMultipartUpload fails, the multipart
 * upload is aborted, so nothing is orphaned.
 * Small-file fast path (issue 12): in presigned mode, a file of one part gets its part's presigned URL
 * in the answer (`signedParts`, valid PRESIGN_EXPIRES_SECONDS, with `input.partChecksum` signed in when
 * given; ignored for a file of more parts), so it needs no `sign` call; the start's own rate limit and
 * CKAN check cover it.
 * The resource fields the publisher chose (`name`, `description`, `format`) are kept on the session for
 * the registration; `replaceResourceId` makes the completion replace that resource's file (lib/uploads/replace.ts).
 * @throws ApiError 413 (over MAX_UPLOAD_BYTES or S3's limits), 404/403 (dataset; 404 also for a resource
 *   not in the dataset), 409 `not_stored_by_portal` (replace without `replaceExternal`), 502 (CKAN, S3, STS).
 */
export async function createUpload(caller: Caller, input: CreateUploadInput, ctx: RequestContext): Promise<CreatedUpload> {
  const prepared = await prepareUpload(caller, input, ctx, createShared(caller));
  await writePreparedUploads([prepared]);
  return prepared.upload;
}

/**
 * What the uploads started by one request share (issue 12, `POST /api/uploads/batch`): the caller's User
 * row (one upsert), and per distinct dataset one CKAN permission check and one Dataset row. Each is asked
 * once, when the first item needs it; a failure is every item's of that dataset.
 */
export interface CreateShared {
  /** The dataset as CKAN shows it to the caller, who may edit it (loadEditableDataset). */
  dataset(datasetId: string): Promise<CkanPackage>;
  /** The Dataset row id of `pkg` (ensureDatasetRow). */
  datasetRow(pkg: CkanPackage): Promise<string>;
  /** The caller's User row id (ensureUserRow). */
  userId(): Promise<string>;
}

/** A {@link CreateShared} for `caller`: memoised per dataset id / package id. */
export function createShared(caller: Caller): CreateShared {
  const datasets = oncePerKey<CkanPackage>();
  const rows = oncePerKey<string>();
  let user: Promise<string> | undefined;
  return {
    dataset: (id) => datasets(id, () => loadEditableDataset(caller, id)),
    datasetRow: (pkg) => rows(pkg.id, () => ensureDatasetRow(pkg)),
    userId: () => (user ??= ensureUserRow(caller)),
  };
}

/** The `UploadSession` row of a started upload, as {@link writePreparedUploads} inserts it (sizes in bytes). */
export interface NewSessionRow {
  id: string;
  userId: string;
  datasetId: string;
  fileName: string;
  size: bigint;
  contentType: string;
  lastModified: Date | null;
  bucket: string;
  key: string;
  uploadId: string | null;
  partSize: bigint;
  partCount: number;
  mode: "STS" | "PRESIGNED";
  clientIp: string | null;
  userAgent: string | null;
  resourceName: string | null;
  resourceDescription: string | null;
  resourceFormat: string | null;
  replacesResourceId: string | null;
  previousSessionId: string | null;
  previousObjectKey: string | null;
}

/**
 * One upload checked and its multipart upload created, not yet recorded: {@link writePreparedUploads}
 * records it (or, when that fails, aborts its multipart upload).
 */
export interface PreparedUpload {
  /** The answer for the client once recorded. */
  upload: CreatedUpload;
  /** The session row to insert (status `CREATED`, nothing confirmed yet). */
  row: NewSessionRow;
  /** Its audit events (`session.created`, and `credentials.granted` in sts mode), in order. */
  events: AuditInput[];
  /** AbortMultipartUpload (no-op for 0 bytes): nothing is orphaned when the record is not written. Never throws. */
  abort(): Promise<void>;
}

/** Session rows per INSERT statement: 25 parameters each, 1,000 rows bind 25,000 (under SQLite's 32,766 and PostgreSQL's 65,535). */
const SESSION_ROWS_PER_STATEMENT = 1000;

/**
 * Records prepared uploads in ONE transaction (a batch's inserts share it): the session rows with one
 * multi-row INSERT and their audit events with one more (lib/uploads/audit.ts writeAudits) — the same SQL on
 * SQLite and PostgreSQL, and the same rows Prisma's `uploadSession.create` wrote (status `CREATED`,
 * `bytesConfirmed` 0, `createdAt` = `updatedAt` = now), without a model query per item (issue 12: Prisma's
 * query compiler costs 1–4 ms of CPU per model query). If it fails, every multipart upload of `prepared` is
 * aborted and the error is rethrown.
 */
export async function writePreparedUploads(prepared: PreparedUpload[]): Promise<void> {
  if (prepared.length === 0) return;
  try {
    await getDb().$transaction(async (tx) => {
      const now = new Date();
      for (let i = 0; i < prepared.length; i += SESSION_ROWS_PER_STATEMENT) {
        const values = prepared.slice(i, i + SESSION_ROWS_PER_STATEMENT).map(({ row: r }) =>
          Prisma.sql`(${r.id}, ${r.userId}, ${r.datasetId}, ${r.fileName}, ${r.size}, ${r.contentType}, ${r.lastModified}, ${r.bucket}, ${r.key}, ${r.uploadId},
            ${r.partSize}, ${r.partCount}, ${r.mode}, 'CREATED', ${0n}, ${r.clientIp}, ${r.userAgent}, ${now}, ${now},
            ${r.resourceName}, ${r.resourceDescription}, ${r.resourceFormat}, ${r.replacesResourceId}, ${r.previousSessionId}, ${r.previousObjectKey})`,
        );
        await tx.$executeRaw`
          INSERT INTO "UploadSession" ("id", "userId", "datasetId", "fileName", "size", "contentType", "lastModified", "bucket", "key", "uploadId",
            "partSize", "partCount", "mode", "status", "bytesConfirmed", "clientIp", "userAgent", "createdAt", "updatedAt",
            "resourceName", "resourceDescription", "resourceFormat", "replacesResourceId", "previousSessionId", "previousObjectKey")
          VALUES ${Prisma.join(values)}`;
      }
      await writeAudits(tx, prepared.flatMap((p) => p.events), now);
    });
  } catch (err) {
    await Promise.all(prepared.map((p) => p.abort()));
    throw err;
  }
}

/**
 * The per-item rules of {@link createUpload} (one source for the single route and the batch): checks the
 * size and plan, the dataset (through `shared`), a replace target, assumes the STS role, creates the multipart
 * upload and presigns a one-part file's part. Nothing is recorded yet.
 * @throws as {@link createUpload}; when it throws, no multipart upload exists.
 */
export async function prepareUpload(caller: Caller, input: CreateUploadInput, ctx: RequestContext, shared: CreateShared): Promise<PreparedUpload> {
  const config = getConfig();
  if (input.size > config.MAX_UPLOAD_BYTES) {
    throw new ApiError("too_large", `The file is ${formatBytes(input.size)}; this portal accepts files up to ${formatBytes(config.MAX_UPLOAD_BYTES)}.`);
  }
  let plan: { partSize: number; partCount: number };
  try {
    // The browser may ask for larger parts than configured (PART_TUNING=adaptive), never smaller ones.
    plan = planParts(input.size, { partSize: Math.max(config.PART_SIZE_BYTES, input.partSize ?? 0) });
  } catch (err) {
    throw new ApiError("too_large", (err as Error).message);
  }
  const pkg = await shared.dataset(input.datasetId);
  // Replace (issue 12): the resource must be one of this dataset's; refused before any multipart upload exists.
  const target: ReplaceTarget | null = input.replaceResourceId
    ? await assertReplaceable(ckanAs(caller), pkg, input.replaceResourceId, input.replaceExternal === true, config.REPLACED_OBJECTS)
    : null;
  const [userId, datasetRowId] = await Promise.all([shared.userId(), shared.datasetRow(pkg)]);

  const sessionId = randomUUID();
  const bucket = config.S3_BUCKET;
  const key = objectKey({ prefix: config.S3_KEY_PREFIX, organization: pkg.organization?.name, dataset: pkg.name, sessionId, fileName: input.fileName });
  const contentType = resolveContentType(input.fileName, input.contentType);
  const mode = config.CREDENTIALS_MODE;
  const metadata: UploadMetadata = { "ckan-site": config.CKAN_URL, "ckan-user": caller.name, "ckan-package-id": pkg.id, "upload-session": sessionId };

  let grant: Awaited<ReturnType<typeof assumeUploadRole>> | undefined;
  if (mode === "sts" && plan.partCount > 0) {
    grant = await assumeUploadRole(getStsClient(config), {
      roleArn: config.S3_ROLE_ARN!,
      bucket,
      key,
      userName: caller.name,
      durationSeconds: config.STS_DURATION_SECONDS,
    });
  }
  const s3 = getS3Client(config);
  const uploadId = plan.partCount > 0 ? await createMultipartUpload(s3, { bucket, key, contentType, metadata }) : null;

  const abort = async () => {
    if (uploadId) await abortMultipartUpload(s3, { bucket, key, uploadId }).catch((e) => console.error("[uploads] abort after failed create", e));
  };
  let signedParts: UploadSession["signedParts"];
  try {
    if (mode === "presigned" && plan.partCount === 1 && uploadId) {
      const expiresIn = config.PRESIGN_EXPIRES_SECONDS;
      const expiresAt = new Date(Date.now() + expiresIn * 1000).toISOString();
      const urls = await presignPartsWithChecksums(s3, { bucket, key, uploadId, parts: [{ partNumber: 1, checksum: input.partChecksum }], expiresIn });
      signedParts = urls.map((u) => ({ ...u, expiresAt }));
    }
  } catch (err) {
    await abort();
    throw err;
  }
  const storedMode = mode === "sts" ? "STS" : "PRESIGNED";
  const row: NewSessionRow = {
    id: sessionId,
    userId,
    datasetId: datasetRowId,
    fileName: input.fileName,
    size: BigInt(input.size),
    contentType,
    lastModified: input.lastModified !== undefined ? new Date(input.lastModified) : null,
    bucket,
    key,
    uploadId,
    partSize: BigInt(plan.partSize),
    partCount: plan.partCount,
    mode: storedMode,
    clientIp: storedClientIp(ctx.ip, config.AUDIT_STORE_IP),
    userAgent: ctx.userAgent?.slice(0, 512) ?? null,
    resourceName: input.name ?? null,
    resourceDescription: input.description ?? null,
    resourceFormat: input.format ?? null,
    replacesResourceId: target?.resource.id ?? null,
    previousSessionId: target?.previous?.id ?? null,
    previousObjectKey: target?.previous?.key ?? null,
  };
  const actor = { sessionId, userId, actorName: caller.name };
  const events: AuditInput[] = [
    { ...actor, type: "session.created", session: { mode: storedMode, size: input.size }, detail: { dataset: pkg.name, packageId: pkg.id, fileName: input.fileName, size: input.size, key, uploadId, partSize: plan.partSize, partCount: plan.partCount, mode, ...describedFields(input), ...(target ? { replacesResourceId: target.resource.id, previousSessionId: target.previous?.id ?? null, previousObjectKey: target.previous?.key ?? null, previousUrl: target.resource.url } : {}) } },
  ];
  if (grant) {
    events.push({ ...actor, type: "credentials.granted", detail: { accessKeyId: grant.credentials.accessKeyId, expiration: grant.credentials.expiration, policySha256: grant.policyDigest, roleSessionName: grant.roleSessionName } });
  }

  return {
    row,
    events,
    abort,
    upload: {
      sessionId,
      bucket,
      region: config.S3_REGION,
      endpoint: config.S3_BROWSER_ENDPOINT ?? config.S3_ENDPOINT ?? null,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      key,
      uploadId,
      partSize: plan.partSize,
      partCount: plan.partCount,
      mode,
      ...(grant ? { credentials: grant.credentials } : {}),
      ...(signedParts ? { signedParts } : {}),
    },
  };
}

/** The resource fields given in `input`, for the audit detail (only those set). */
function describedFields(input: Pick<CreateUploadInput, "name" | "description" | "format">): Record<string, string> {
  const out: Record<string, string> = {};
  if (input.name !== undefined) out.resourceName = input.name;
  if (input.description !== undefined) out.resourceDescription = input.description;
  if (input.format !== undefined) out.resourceFormat = input.format;
  return out;
}
