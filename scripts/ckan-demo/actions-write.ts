/**
 * Write actions of the demo CKAN: resource_create and resource_patch, in CKAN 2.10's order
 * of checks (ckan/logic/action/create.py, patch.py; auth in ckan/logic/auth/create.py,
 * update.py): required ids → dataset lookup → read access → edit access → field validation.
 */
import { randomUUID } from "node:crypto";
import { resourceDict } from "./dictize";
import {
  callerName, notAuthorized, notFound, stringParam, validationError,
  type ActionContext, type ActionDefinition, type ActionParams,
} from "./errors";
import { ckanTimestamp, type DemoDataset, type DemoResource } from "./model";
import { normalizeResourceFields } from "./resource-fields";

/**
 * CKAN rewrites the URL of a resource with url_type "upload" to its own download route
 * (ckan/lib/uploader.py, resource_dictize). The demo does the same, so a client that sends
 * url_type "upload" by mistake sees its S3 URL replaced, as it would on a real site.
 */
function applyUploadUrl(origin: string, dataset: DemoDataset, resource: DemoResource): void {
  if (resource.url_type !== "upload") return;
  const file = String(resource.url ?? "").split("/").pop() || "file";
  resource.url = `${origin}/dataset/${dataset.id}/resource/${resource.id}/download/${file}`;
}

/** resource_create: see the module comment; answers the new resource. */
function resourceCreate({ state, user, origin }: ActionContext, params: ActionParams) {
  const packageId = stringParam(params, "package_id");
  if (!packageId) throw validationError({ package_id: ["Missing value"] });
  const dataset = state.getDataset(packageId);
  if (!dataset) throw notFound();
  if (!state.canRead(dataset, user)) {
    throw notAuthorized(`User ${callerName(user)} not authorized to read package ${dataset.id}`);
  }
  if (!state.canEdit(dataset, user)) {
    throw notAuthorized(`User ${callerName(user)} not authorized to create resources on dataset ${packageId}`);
  }
  const { fields, errors } = normalizeResourceFields(params, true);
  // Real CKAN defaults a missing url to ""; the portal always sends one, so the demo insists.
  if (!fields.url) errors.url = ["Missing value"];
  if (Object.keys(errors).length) throw validationError(errors);
  const resource = state.addResource(dataset.id, { ...fields, url: String(fields.url), id: randomUUID() });
  applyUploadUrl(origin, dataset, resource);
  return resourceDict(dataset, resource);
}

/** resource_patch: update the given fields of resource `id`; others are kept. */
function resourcePatch({ state, user, origin }: ActionContext, params: ActionParams) {
  const id = stringParam(params, "id");
  if (!id) throw validationError({ message: "Missing id, can not get Resource object" });
  const found = state.getResource(id);
  if (!found) throw notFound();
  const { dataset, resource } = found;
  if (!state.canEdit(dataset, user)) {
    throw notAuthorized(`User ${callerName(user)} not authorized to edit resource ${id}`);
  }
  const { fields, errors } = normalizeResourceFields(params, false);
  if (Object.keys(errors).length) throw validationError(errors);
  const now = ckanTimestamp();
  Object.assign(resource, fields, { metadata_modified: now });
  dataset.metadataModified = now;
  applyUploadUrl(origin, dataset, resource);
  return resourceDict(dataset, resource);
}

const write = (run: ActionDefinition["run"]): ActionDefinition => ({ sideEffectFree: false, run });

export const writeActions: Record<string, ActionDefinition> = {
  resource_create: write(resourceCreate),
  resource_patch: write(resourcePatch),
};
