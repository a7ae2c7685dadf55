import { withCaller } from "@/lib/api/handler";
import { getUploadForResume } from "@/lib/uploads/resume";

/**
 * `GET /api/uploads/{id}` → the session view plus `{bucket, region, endpoint, forcePathStyle, uploadId,
 * lastModified, datasetId, resumable, recordedParts: [{partNumber, size, etag, checksum}], partsSource}`:
 * what a reloaded page needs to resume (parts reconciled with S3 ListParts where the store has it).
 * Permission is re-checked with CKAN. Errors: 401, 403, 404, 502 (CKAN or S3).
 */
export const GET = withCaller<{ id: string }>(async (_req, { caller, params }) => getUploadForResume(caller, params.id));
