import { parseJson, requestContext, withCaller, methodNotAllowed } from "@/lib/api/handler";
import { createUpload } from "@/lib/uploads/create";
import { createUploadSchema } from "@/lib/uploads/schemas";

/**
 * `POST /api/uploads` `{datasetId, fileName, size (bytes), contentType, lastModified (ms)}` →
 * 200 `{sessionId, bucket, region, endpoint, forcePathStyle, key, uploadId, partSize, partCount, mode, credentials?}`.
 * Errors: 400 invalid input, 401, 403 may not edit the dataset, 404 unknown dataset, 413 too large,
 * 502 CKAN/S3/STS failed. No multipart upload exists unless 200 is returned.
 */
export const POST = withCaller(async (req, { caller }) => {
  const input = await parseJson(req, createUploadSchema);
  return createUpload(caller, input, requestContext(req));
});

/** Every other method: 405 JSON. */
export const GET = methodNotAllowed("POST");
export { GET as PUT, GET as PATCH, GET as DELETE };
