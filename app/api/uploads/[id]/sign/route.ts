import { parseJson, withCaller } from "@/lib/api/handler";
import { signParts } from "@/lib/uploads/credentials";
import { signPartsSchema } from "@/lib/uploads/schemas";

/**
 * `POST /api/uploads/{id}/sign` `{partNumbers: number[] (1–100 of them), checksums?: [{partNumber, algorithm, value}]}` →
 * `{parts: [{partNumber, url, headers, expiresAt}]}`: short-lived presigned UploadPart URLs (presigned mode);
 * a part with a checksum gets it signed, and `headers` are the checksum headers to send.
 * Errors: 400, 401, 403, 404, 409 (sts mode or session not active), 502.
 */
export const POST = withCaller<{ id: string }>(async (req, { caller, params }) => {
  const { partNumbers, checksums } = await parseJson(req, signPartsSchema);
  return signParts(caller, params.id, partNumbers, checksums);
});
