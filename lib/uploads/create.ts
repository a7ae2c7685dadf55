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
import { ckanAs, ensureDatasetRow, ensureUserRow, loadEditableDataset } from "./access";
import { writeAudit } from "./audit";
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
  const pkg = await loadEditableDataset(caller, input.datasetId);
  // Replace (issue 12): the resource must be one of this dataset's; refused before any multipart upload exists.
  const target: ReplaceTarget | null = input.replaceResourceId
    ? await assertReplaceable(ckanAs(caller), pkg, input.replaceResourceId, input.replaceExternal === true, config.REPLACED_OBJECTS)
    : null;
  const [userId, datasetRowId] = await Promise.all([ensureUserRow(caller), ensureDatasetRow(pkg)]);

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

  let signedParts: UploadSession["signedParts"];
  try {
    if (mode === "presigned" && plan.partCount === 1 && uploadId) {
      const expiresIn = config.PRESIGN_EXPIRES_SECONDS;
      const expiresAt = new Date(Date.now() + expiresIn * 1000).toISOString();
      const urls = await presignPartsWithChecksums(s3, { bucket, key, uploadId, parts: [{ partNumber: 1, checksum: input.partChecksum }], expiresIn });
      signedParts = urls.map((u) => ({ ...u, expiresAt }));
    }
    await getDb().$transaction(async (tx) => {
      await tx.uploadSession.create({
        data: {
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
          mode: mode === "sts" ? "STS" : "PRESIGNED",
          status: "CREATED",
          clientIp: storedClientIp(ctx.ip, config.AUDIT_STORE_IP),
          userAgent: ctx.userAgent?.slice(0, 512) ?? null,
          resourceName: input.name ?? null,
          resourceDescription: input.description ?? null,
          resourceFormat: input.format ?? null,
          replacesResourceId: target?.resource.id ?? null,
          previousSessionId: target?.previous?.id ?? null,
          previousObjectKey: target?.previous?.key ?? null,
        },
      });
      const actor = { sessionId, userId, actorName: caller.name };
      await writeAudit(tx, { ...actor, type: "session.created", session: { mode: mode === "sts" ? "STS" : "PRESIGNED", size: input.size }, detail: { dataset: pkg.name, packageId: pkg.id, fileName: input.fileName, size: input.size, key, uploadId, partSize: plan.partSize, partCount: plan.partCount, mode, ...describedFields(input), ...(target ? { replacesResourceId: target.resource.id, previousSessionId: target.previous?.id ?? null, previousObjectKey: target.previous?.key ?? null, previousUrl: target.resource.url } : {}) } });
      if (grant) {
        await writeAudit(tx, { ...actor, type: "credentials.granted", detail: { accessKeyId: grant.credentials.accessKeyId, expiration: grant.credentials.expiration, policySha256: grant.policyDigest, roleSessionName: grant.roleSessionName } });
      }
    });
  } catch (err) {
    if (uploadId) await abortMultipartUpload(s3, { bucket, key, uploadId }).catch((e) => console.error("[uploads] abort after failed create", e));
    throw err;
  }

  return {
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
