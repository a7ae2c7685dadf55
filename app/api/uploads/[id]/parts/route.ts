import { parseJson, withCaller, methodNotAllowed } from "@/lib/api/handler";
import { recordParts } from "@/lib/uploads/parts";
import { recordPartsSchema } from "@/lib/uploads/schemas";

/**
 * `POST /api/uploads/{id}/parts` `{parts: [{partNumber, size (bytes), etag, checksum?}]}` →
 * `{bytesConfirmed}` (bytes). Errors: 400 (bad number/size/empty ETag), 401, 403, 404, 409.
 */
export const POST = withCaller<{ id: string }>(async (req, { caller, params }) => {
  const { parts } = await parseJson(req, recordPartsSchema);
  return recordParts(caller, params.id, parts);
});

/** Every other method: 405 JSON. */
export const GET = methodNotAllowed("POST");
export { GET as PUT, GET as PATCH, GET as DELETE };
