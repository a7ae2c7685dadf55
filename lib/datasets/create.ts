import "server-only";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { CkanError, type CkanLicense, type CkanOrganizationMembership, type CkanPackage } from "@/lib/ckan";
import { getDb } from "@/lib/db";
import { writeAudit } from "@/lib/uploads/audit";
import { ckanApiError, ckanAs, ensureUserRow } from "@/lib/uploads/access";
import { DATASET_NAME_MESSAGES, datasetNameProblem, type DatasetNameProblem } from "./name-rules";
import { CKAN_FIELD_TO_FORM, createDatasetSchema, type CreateDatasetInput } from "./schemas";

/** CKAN permission a user needs in an organization to create datasets in it (editor, admin; ckan/authz.py). */
export const CREATE_DATASET_PERMISSION = "create_dataset";

/**
 * Organizations where the caller may create datasets: CKAN `organization_list_for_user` with
 * `permission=create_dataset` (editor and admin roles; sysadmins get every organization).
 * @returns [] for users with no such role.
 * @throws CkanError when CKAN fails (callers map it: pages show app/error.tsx, routes 502).
 */
export function creatableOrganizations(caller: Caller): Promise<CkanOrganizationMembership[]> {
  return ckanAs(caller).organizationListForUser({ id: caller.name, permission: CREATE_DATASET_PERMISSION });
}

/** The site's licenses (CKAN `license_list`), for the form's select. @throws CkanError. */
export function licenseOptions(caller: Caller): Promise<CkanLicense[]> {
  return ckanAs(caller).licenseList();
}

export interface NameCheck {
  name: string;
  /** True when CKAN's rules accept the name and no dataset holds it (as far as CKAN shows the caller). */
  available: boolean;
  /** Why not: a rule (lib/datasets/name-rules.ts) or "taken"; null when available. */
  problem: DatasetNameProblem | "taken" | null;
  /** English text of the problem (CKAN's words); null when available. The UI translates by `problem`. */
  message: string | null;
}

/**
 * Is `name` free and valid for a new dataset? CKAN's name rules are checked here (no CKAN call), then
 * `package_show?id=name` as the caller: 404 = free; an answer, or 403 (a private dataset the caller
 * cannot read still holds the name), = taken. CKAN's package_create stays the final judge (a name taken
 * in between answers 409, see createDataset).
 * @throws ApiError 502 when CKAN fails.
 */
export async function checkDatasetName(caller: Caller, name: string): Promise<NameCheck> {
  const rule = datasetNameProblem(name);
  if (rule) return { name, available: false, problem: rule, message: DATASET_NAME_MESSAGES[rule] };
  try {
    const pkg = await ckanAs(caller).packageShow(name);
    // package_show also finds a dataset by id; only a dataset *named* so holds the name.
    if (pkg.name !== name) return { name, available: true, problem: null, message: null };
  } catch (err) {
    if (err instanceof CkanError && err.kind === "not_found") return { name, available: true, problem: null, message: null };
    if (!(err instanceof CkanError && err.kind === "authorization")) ckanApiError(err, `Dataset "${name}"`);
  }
  return { name, available: false, problem: "taken", message: DATASET_NAME_MESSAGES.taken };
}

export interface CreatedDataset {
  id: string;
  name: string;
  title: string;
  /** CKAN's state after creation: "draft" (the first completed upload makes it active). */
  state: string | null;
  /** Portal page to upload the first files. */
  uploadUrl: string;
}

/** CKAN's 409 field errors → `validation_failed` with `details: [{path: formField, message}]`. */
function validationFromCkan(err: CkanError): ApiError {
  const details = Object.entries(err.fieldErrors ?? {}).flatMap(([field, messages]) =>
    messages.map((message) => ({ path: CKAN_FIELD_TO_FORM[field] ?? field, message })),
  );
  const first = details[0];
  return new ApiError("validation_failed", first ? `Invalid ${first.path}: ${first.message}` : `CKAN rejected the dataset: ${err.message}`, details);
}

/**
 * Creates a dataset in CKAN as the caller, as a `draft` (CKAN's own two-step form does the same; the
 * first completed upload makes it `active`: lib/uploads/complete.ts, ACTIVATE_DRAFT_DATASETS).
 * Steps: validate (schema) → the organization must be one of creatableOrganizations → CKAN
 * `package_create` with `state: "draft"` → when CKAN answers `active` (CKAN ≤ 2.10 keeps `state` on create
 * for sysadmins only: ckan/ckan#5497) `package_patch {state: "draft"}`, which editors may do
 * (package_change_state) → audit `dataset.created` (detail: packageId, name, organizationId, private,
 * licenseId, state, draftBy).
 * @returns the created dataset and its upload page.
 * @throws ZodError (→ 400) for bad input; ApiError 403 `forbidden` when the caller may not create datasets
 *   in that organization (or CKAN refuses), 400 `validation_failed` with `details` [{path, message}] for
 *   CKAN's 409 field errors (e.g. name "That URL is already in use."), 502 when CKAN fails.
 */
export async function createDataset(caller: Caller, raw: CreateDatasetInput): Promise<CreatedDataset> {
  const input = createDatasetSchema.parse(raw);
  const ckan = ckanAs(caller);
  let orgs: CkanOrganizationMembership[];
  try {
    orgs = await creatableOrganizations(caller);
  } catch (err) {
    ckanApiError(err, "Your organizations");
  }
  const org = orgs.find((o) => o.id === input.organization || o.name === input.organization);
  if (!org) {
    throw new ApiError(
      "forbidden",
      `You may not create datasets in the organization "${input.organization}": CKAN gives that right to its editors and admins. Ask an admin of the organization.`,
    );
  }
  let pkg: CkanPackage;
  try {
    pkg = await ckan.packageCreate({
      name: input.name,
      title: input.title,
      notes: input.description,
      owner_org: org.id,
      private: input.visibility === "private",
      ...(input.license ? { license_id: input.license } : {}),
      state: "draft",
    });
  } catch (err) {
    if (err instanceof CkanError && err.kind === "validation") throw validationFromCkan(err);
    ckanApiError(err, `The organization "${org.title}"`);
  }
  let draftBy: "package_create" | "package_patch" | null = pkg.state === "draft" ? "package_create" : null;
  let patchError: string | null = null;
  if (!draftBy) {
    try {
      pkg = await ckan.packagePatch({ id: pkg.id, state: "draft" });
      if (pkg.state === "draft") draftBy = "package_patch";
    } catch (err) {
      // The dataset exists either way: report what CKAN kept, never undo the creation.
      patchError = err instanceof CkanError ? `${err.kind}: ${err.message}` : (err as Error).message;
    }
  }
  const userId = await ensureUserRow(caller);
  await writeAudit(getDb(), {
    userId,
    actorName: caller.name,
    type: "dataset.created",
    detail: {
      packageId: pkg.id, name: pkg.name, title: pkg.title, organizationId: org.id, private: pkg.private,
      licenseId: input.license || null, state: pkg.state, draftBy, ...(patchError ? { draftError: patchError } : {}),
    },
  });
  return { id: pkg.id, name: pkg.name, title: pkg.title, state: pkg.state, uploadUrl: `/datasets/${encodeURIComponent(pkg.name)}/upload` };
}
