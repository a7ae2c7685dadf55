/**
 * Write actions of the demo CKAN: resource_create, resource_patch, package_patch, package_delete,
 * organization_member_delete and package_collaborator_delete, in CKAN 2.10's order
 * of checks (ckan/logic/action/create.py, patch.py; auth in ckan/logic/auth/create.py,
 * update.py): required ids → dataset lookup → read access → edit access → field validation.
 */
import { randomUUID } from "node:crypto";
import { packageDict, resourceDict } from "./dictize";
import {
  callerName, notAuthorized, notFound, stringParam, validationError,
  type ActionContext, type ActionDefinition, type ActionParams,
} from "./errors";
import { ckanTimestamp, rolesWithPermission, type DemoDataset, type DemoResource, type DemoUser } from "./model";
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

const DATASET_STATES: readonly string[] = ["active", "draft", "deleted"];

/**
 * package_patch (ckan/logic/action/patch.py): package_show merged with the given fields, then
 * package_update. Auth package_update ("User X not authorized to edit package <id>"); `state` is kept
 * for users allowed package_change_state (the same rule). The demo patches `state`, `title`, `notes`
 * and `private`; other keys are ignored.
 */
function packagePatch({ state, user }: ActionContext, params: ActionParams) {
  const id = stringParam(params, "id");
  if (!id) throw validationError({ id: ["Missing value"] });
  const dataset = state.getDataset(id);
  if (!dataset) throw notFound();
  if (!state.canEdit(dataset, user)) throw notAuthorized(`User ${callerName(user)} not authorized to edit package ${dataset.id}`);
  const next = params.state;
  if (next !== undefined && (typeof next !== "string" || !DATASET_STATES.includes(next))) {
    throw validationError({ state: [`Invalid state: ${String(next)}`] });
  }
  if (typeof next === "string") dataset.state = next as DemoDataset["state"];
  if (typeof params.title === "string") dataset.title = params.title;
  if (typeof params.notes === "string") dataset.notes = params.notes;
  if (typeof params.private === "boolean") dataset.private = params.private;
  dataset.metadataModified = ckanTimestamp();
  return packageDict(state, dataset);
}

/**
 * package_delete (ckan/logic/action/delete.py): the dataset stays, with `state: "deleted"` (package_show
 * still shows it to organization members, collaborators and sysadmins; search hides it). Auth is
 * package_update's. Result null.
 */
function packageDelete({ state, user }: ActionContext, params: ActionParams) {
  const id = stringParam(params, "id");
  if (!id) throw validationError({ id: ["Missing value"] });
  const dataset = state.getDataset(id);
  if (!dataset) throw notFound();
  if (!state.canEdit(dataset, user)) throw notAuthorized(`User ${callerName(user)} not authorized to edit package ${dataset.id}`);
  state.setDatasetState(dataset.id, "deleted");
  return null;
}

/**
 * organization_member_delete (delete.py `_group_or_org_member_delete` → member_delete): `id` (organization)
 * and `username` (or `user_id`). Auth member_create's: the `update` permission in the organization, i.e.
 * organization admins and sysadmins ("User X not authorized to edit group <id>"). Result null; removing a
 * non-member is a no-op, as in CKAN.
 */
function organizationMemberDelete({ state, user }: ActionContext, params: ActionParams) {
  const orgId = stringParam(params, "id");
  const userId = stringParam(params, "username") ?? stringParam(params, "user_id");
  if (!orgId) throw validationError({ id: ["Missing value"] });
  if (!userId) throw validationError({ object: ["Missing value"] });
  const org = state.getOrganization(orgId);
  if (!org) throw notFound("Group was not found.");
  const target = state.getUser(userId);
  if (!target) throw notFound("User was not found.");
  if (!user || !(user.sysadmin || org.members.get(user.id) === "admin")) {
    throw notAuthorized(`User ${callerName(user)} not authorized to edit group ${org.id}`);
  }
  state.removeMember(org.id, target.id);
  return null;
}

/**
 * package_collaborator_delete (delete.py): `id` (dataset) and `user_id`. Auth package_collaborator_create's:
 * sysadmins and admins of the owner organization ("User X not authorized to add collaborators to this
 * dataset"); 409 when collaborators are disabled; 404 when the user is no collaborator. Result null.
 */
function packageCollaboratorDelete({ state, user }: ActionContext, params: ActionParams) {
  const id = stringParam(params, "id");
  const userId = stringParam(params, "user_id");
  if (!id || !userId) throw validationError({ ...(id ? {} : { id: ["Missing value"] }), ...(userId ? {} : { user_id: ["Missing value"] }) });
  const dataset = state.getDataset(id);
  if (!dataset) throw notFound("Package not found");
  const orgAdmin = user !== null && dataset.ownerOrg !== null && state.orgCapacity(dataset.ownerOrg, user) === "admin";
  if (!user || !(user.sysadmin || orgAdmin)) throw notAuthorized(`User ${callerName(user)} not authorized to add collaborators to this dataset`);
  if (!state.allowDatasetCollaborators) throw validationError({ message: "Dataset collaborators not enabled" });
  const target = state.getUser(userId);
  if (!target) throw notFound("User not found");
  if (!dataset.collaborators.has(target.id)) throw notFound(`User ${userId} is not a collaborator on this dataset`);
  state.removeCollaborator(dataset.id, target.id);
  return null;
}

/** ckan/logic/validators.py name_validator + package_name_validator, in CKAN's order and words. */
function packageNameErrors(state: ActionContext["state"], name: string | undefined): string[] {
  if (!name) return ["Missing value"];
  if (["new", "edit", "search"].includes(name)) return ["That name cannot be used"];
  if (name.length < 2) return ["Must be at least 2 characters long"];
  if (name.length > 100) return ["Name must be a maximum of 100 characters long"];
  if (!/^[a-z0-9_-]*$/.test(name)) return ["Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_"];
  const existing = state.getDataset(name);
  if (existing && existing.name === name) return ["That URL is already in use."];
  return [];
}

/** Whether `user` holds `create_dataset` in organization `orgId` (ckan/authz.py has_user_permission_for_group_or_org). */
function canCreateIn(state: ActionContext["state"], orgId: string, user: DemoUser): boolean {
  const capacity = state.orgCapacity(orgId, user);
  return capacity !== null && rolesWithPermission("create_dataset").includes(capacity);
}

/**
 * package_create (create.py), CKAN 2.10 defaults (create_unowned_dataset and
 * create_dataset_if_not_in_organization off). Auth first (auth/create.py package_create): sysadmins
 * always; others need `create_dataset` (editor or admin) in some organization ("User X not authorized to
 * create packages") and in `owner_org` when given ("User X not authorized to add dataset to this
 * organization"). Then validation, all field errors at once (409): name (name_validator,
 * package_name_validator: "That URL is already in use."), owner_org ("An organization must be provided",
 * "Organization does not exist"). `state` is kept for sysadmins only: CKAN's ignore_not_package_admin
 * drops it for everyone else, so their dataset is created `active` (ckan/ckan#5497); the demo does the same.
 * The demo stores name, title, notes, owner_org, private and license_id; other keys are ignored.
 */
function packageCreate({ state, user }: ActionContext, params: ActionParams) {
  if (!user) throw notAuthorized("User  not authorized to create packages");
  const ownerParam = stringParam(params, "owner_org");
  const org = ownerParam ? state.getOrganization(ownerParam) : undefined;
  if (!user.sysadmin) {
    const inSomeOrg = [...state.organizations.values()].some((o) => canCreateIn(state, o.id, user));
    if (!inSomeOrg) throw notAuthorized(`User ${callerName(user)} not authorized to create packages`);
    if (ownerParam && !(org && canCreateIn(state, org.id, user))) {
      throw notAuthorized(`User ${callerName(user)} not authorized to add dataset to this organization`);
    }
  }
  const name = stringParam(params, "name");
  const errors: Record<string, string[]> = {};
  const nameErrors = packageNameErrors(state, name);
  if (nameErrors.length) errors.name = nameErrors;
  if (!ownerParam) errors.owner_org = ["An organization must be provided"];
  else if (!org) errors.owner_org = ["Organization does not exist"];
  const isPrivate = params.private === undefined ? false : params.private === true || String(params.private).toLowerCase() === "true";
  if (Object.keys(errors).length) throw validationError(errors);
  const requested = stringParam(params, "state");
  const keepState = user.sysadmin && (requested === "draft" || requested === "active");
  const dataset = state.addDataset({
    name: name!,
    title: stringParam(params, "title") ?? name!,
    notes: stringParam(params, "notes"),
    owner_org: org!.id,
    private: isPrivate,
    state: keepState ? (requested as DemoDataset["state"]) : "active",
    creator: user.id,
  });
  dataset.licenseId = stringParam(params, "license_id") ?? null;
  return packageDict(state, dataset);
}

const write = (run: ActionDefinition["run"]): ActionDefinition => ({ sideEffectFree: false, run });

export const writeActions: Record<string, ActionDefinition> = {
  resource_create: write(resourceCreate),
  resource_patch: write(resourcePatch),
  package_patch: write(packagePatch),
  package_create: write(packageCreate),
  package_delete: write(packageDelete),
  organization_member_delete: write(organizationMemberDelete),
  package_collaborator_delete: write(packageCollaboratorDelete),
};
