import { z } from "zod";
import { methodNotAllowed, withCaller } from "@/lib/api/handler";
import { checkDatasetName } from "@/lib/datasets/create";

const querySchema = z.object({ name: z.string().max(200) });

/**
 * `GET /api/datasets/name-check?name=…` → 200 `{name, available, problem, message}`: whether a new dataset
 * may take `name` — CKAN's name rules (2–100 characters of a–z, 0–9, "-", "_"; not new/edit/search) and
 * whether CKAN already has a dataset of that name (`problem: "taken"`). The /datasets/new form asks it as
 * the user types (debounced). Errors: 400 no name, 401, 502 CKAN failed.
 */
export const GET = withCaller(async (req, { caller }) => {
  const { name } = querySchema.parse(Object.fromEntries(req.nextUrl.searchParams));
  return checkDatasetName(caller, name);
});

/** Every other method: 405 JSON. */
export const POST = methodNotAllowed("GET");
export { POST as PUT, POST as PATCH, POST as DELETE };
