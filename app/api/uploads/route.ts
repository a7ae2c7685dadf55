import { parseJson, requestContext, withCaller, methodNotAllowed } from "@/lib/api/handler";
import { consumeRateLimit } from "@/lib/security/rate-limit";
import { createUpload } from "@/lib/uploads/create";
import { createUploadSchema } from "@/lib/uploads/schemas";

/**
 * `POST /api/uploads` `{datasetId, fileName, size (bytes), contentType, lastModified (ms)}` →
 * 200 `{sessionId, bucket, region, endpoint, forcePathStyle, key, uploadId, partSize, partCount, mode, credentials?}`.
 * Errors: 400 invalid input, 401, 403 may not edit the dataset, 404 unknown dataset, 413 too large,
 * 429 too many upload starts (RATE_LIMIT_UPLOADS_PER_MINUTE, Retry-After), 502 CKAN/S3/STS failed. No multipart upload exists unless 200 is returned.
 */
export const POST = withCaller(async (req, { caller }) => {
  await consumeRateLimit("uploads", caller.id);
  const input = await parseJson(req, createUploadSchema);
  return createUpload(caller, input, requestContext(req));
});

/** Every other method: 405 JSON. */
export const GET = methodNotAllowed("POST");
export { GET as PUT, GET as PATCH, GET as DELETE };
