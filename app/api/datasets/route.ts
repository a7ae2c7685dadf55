import { methodNotAllowed, parseJson, withCaller } from "@/lib/api/handler";
import { createDataset } from "@/lib/datasets/create";
import { createDatasetSchema } from "@/lib/datasets/schemas";

/**
 * `POST /api/datasets` `{title, name, description, organization (id or name), visibility: "private"|"public",
 * license (a license_list id, or "")}` → 200 `{id, name, title, state: "draft", uploadUrl}`: a CKAN dataset
 * created as the caller with package_create (state draft; lib/datasets/create.ts), audited `dataset.created`.
 * Errors: 400 `validation_failed` with `details: [{path, message}]` (the form's field names; CKAN's 409 field
 * errors such as name "That URL is already in use." included), 401, 403 `forbidden` (no create_dataset right
 * in that organization), 502 CKAN failed.
 */
export const POST = withCaller(async (req, { caller }) => {
  const input = await parseJson(req, createDatasetSchema);
  return createDataset(caller, input);
});

/** Every other method: 405 JSON. */
export const GET = methodNotAllowed("POST");
export { GET as PUT, GET as PATCH, GET as DELETE };
