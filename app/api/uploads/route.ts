import { parseJson, requestContext, withCaller, methodNotAllowed } from "@/lib/api/handler";
import { consumeRateLimit } from "@/lib/security/rate-limit";
import { checkActiveUploads } from "@/lib/uploads/active-limit";
import { createUpload } from "@/lib/uploads/create";
import { createUploadSchema } from "@/lib/uploads/schemas";
import { listOwnUploads, listUploadsQuerySchema } from "@/lib/uploads/list";

/**
 * `POST /api/uploads` `{datasetId, fileName, size (bytes), contentType, lastModified (ms)}` →
 * 200 `{sessionId, bucket, region, endpoint, forcePathStyle, key, uploadId, partSize, partCount, mode, credentials?}`.
 * Errors: 400 invalid input, 401, 403 may not edit the dataset, 404 unknown dataset, 413 too large,
 * 429 too many upload starts (`rate_limited`, RATE_LIMIT_UPLOADS_PER_MINUTE) or uploads under way (`too_many_active_uploads`,
 * MAX_ACTIVE_UPLOADS_PER_USER), both with Retry-After in seconds, 502 CKAN/S3/STS failed. No multipart upload exists unless 200 is returned.
 */
export const POST = withCaller(async (req, { caller }) => {
  await consumeRateLimit("uploads", caller.id);
  await checkActiveUploads(caller);
  const input = await parseJson(req, createUploadSchema);
  return createUpload(caller, input, requestContext(req));
});

/**
 * `GET /api/uploads?datasetId=…&status=resumable&limit=50` → 200 `{uploads: [session view + {lastModified (ms),
 * datasetId, datasetName}]}`: the caller's own uploads, newest first (owner-only; the command line's
 * `status`, and its resume when the local state file is gone). Errors: 400 invalid query, 401.
 */
export const GET = withCaller(async (req, { caller }) => {
  const q = listUploadsQuerySchema.parse(Object.fromEntries(req.nextUrl.searchParams));
  return listOwnUploads(caller, q);
});

/** Every other method: 405 JSON. */
export const PUT = methodNotAllowed("GET, POST");
export { PUT as PATCH, PUT as DELETE };
