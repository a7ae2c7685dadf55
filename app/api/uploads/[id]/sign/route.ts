import { parseJson, withCaller, methodNotAllowed } from "@/lib/api/handler";
import { signParts } from "@/lib/uploads/credentials";
import { signPartsSchema } from "@/lib/uploads/schemas";

/**
 * `POST /api/uploads/{id}/sign` `{partNumbers: number[] (1–100 of them)}` →
 * `{parts: [{partNumber, url, headers, expiresAt}]}`: short-lived presigned UploadPart URLs (presigned mode).
 * Errors: 400, 401, 403, 404, 409 (sts mode or session not active), 502.
 */
export const POST = withCaller<{ id: string }>(async (req, { caller, params }) => {
  const { partNumbers } = await parseJson(req, signPartsSchema);
  return signParts(caller, params.id, partNumbers);
});

/** Every other method: 405 JSON. */
export const GET = methodNotAllowed("POST");
export { GET as PUT, GET as PATCH, GET as DELETE };
