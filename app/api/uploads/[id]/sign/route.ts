import { parseJson, withCaller, methodNotAllowed } from "@/lib/api/handler";
import { consumeRateLimit } from "@/lib/security/rate-limit";
import { signParts } from "@/lib/uploads/credentials";
import { signPartsSchema } from "@/lib/uploads/schemas";

/**
 * `POST /api/uploads/{id}/sign` `{partNumbers: number[] (1–100 of them), checksums?: [{partNumber, algorithm, value}]}` →
 * `{parts: [{partNumber, url, headers, expiresAt}]}`: short-lived presigned UploadPart URLs (presigned mode);
 * a part with a checksum gets it signed, and `headers` are the checksum headers to send.
 * Errors: 400, 401, 403 (no longer allowed to edit the dataset: parts are kept), 404, 409 (sts mode or
 * session not active), 429 (RATE_LIMIT_SIGN_PER_MINUTE, Retry-After), 502.
 */
export const POST = withCaller<{ id: string }>(async (req, { caller, params }) => {
  await consumeRateLimit("sign", caller.id);
  const { partNumbers, checksums } = await parseJson(req, signPartsSchema);
  return signParts(caller, params.id, partNumbers, checksums);
});

/** Every other method: 405 JSON. */
export const GET = methodNotAllowed("POST");
export { GET as PUT, GET as PATCH, GET as DELETE };
