/**
 * Read actions of the demo CKAN (ckan/logic/action/get.py), answering like CKAN 2.10.
 */
import { organizationListItem, packageDict, resourceDict, userDict } from "./dictize";
import {
  boolParam, callerName, notAuthorized, notFound, searchQueryError, stringParam, validationError,
  type ActionContext, type ActionDefinition, type ActionParams,
} from "./errors";
import { LICENSES } from "./licenses";
import { rolesWithPermission } from "./model";
import { SearchQueryError, matchesFilter, matchesText, sortDatasets } from "./search";

const ROWS_MAX = 1000; // ckan.search.rows_max default
const DEFAULT_SORT = "score desc, metadata_modified desc";

function naturalNumber(params: ActionParams, key: string, fallback: number): number {
  const raw = params[key];
  if (raw === undefined || raw === null || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw validationError({ [key]: ["Must be a natural number"] });
  return value;
}

/** user_show: `id` (name or id) or, without it, the token's user; 404 when anonymous. */
function userShow({ state, user }: ActionContext, params: ActionParams) {
  const id = stringParam(params, "id");
  const target = id ? state.getUser(id) : user;
  if (!target) throw notFound();
  return userDict(state, target, user);
}

/** package_show: 404 unknown; 403 "not authorized to read package <id>" for private ones. */
function packageShow({ state, user }: ActionContext, params: ActionParams) {
  const id = stringParam(params, "id") ?? stringParam(params, "name_or_id");
  if (!id) throw validationError({ name_or_id: ["Missing value"] });
  const dataset = state.getDataset(id);
  if (!dataset) throw notFound();
  if (!state.canRead(dataset, user)) {
    throw notAuthorized(`User ${callerName(user)} not authorized to read package ${dataset.id}`);
  }
  return packageDict(state, dataset);
}

/** package_search: see search.ts for the supported q / fq / sort subset. */
function packageSearch({ state, user }: ActionContext, params: ActionParams) {
  const rows = Math.min(naturalNumber(params, "rows", 10), ROWS_MAX);
  const start = naturalNumber(params, "start", 0);
  const includePrivate = boolParam(params, "include_private");
  const q = stringParam(params, "q");
  const fq = stringParam(params, "fq");
  const sort = stringParam(params, "sort");
  try {
    // Search shows active datasets only (drafts need include_drafts, which the portal never sends; deleted ones never).
    const visible = [...state.datasets.values()].filter(
      (d) => d.state === "active" && (includePrivate ? state.canRead(d, user) : !d.private) && matchesText(d, q) && matchesFilter(state, d, fq),
    );
    const sorted = sortDatasets(visible, sort);
    return {
      count: sorted.length,
      facets: {},
      results: sorted.slice(start, start + rows).map((d) => packageDict(state, d)),
      sort: sort ?? DEFAULT_SORT,
      search_facets: {},
    };
  } catch (error) {
    if (error instanceof SearchQueryError) throw searchQueryError(error.message);
    throw error;
  }
}

/**
 * organization_list_for_user: organizations where user `id` (default: the caller) has a
 * role with `permission` (default "manage_group"); sysadmins get all, capacity "admin".
 */
function organizationListForUser({ state, user }: ActionContext, params: ActionParams) {
  const id = stringParam(params, "id");
  const target = id ? state.getUser(id) : user;
  if (id && !target) throw notFound();
  if (!target) return [];
  const orgs = [...state.organizations.values()].sort((a, b) => a.name.localeCompare(b.name));
  if (target.sysadmin) return orgs.map((org) => organizationListItem(org, "admin"));
  const roles = rolesWithPermission(stringParam(params, "permission") ?? "manage_group");
  return orgs.flatMap((org) => {
    const capacity = org.members.get(target.id);
    return capacity && roles.includes(capacity) ? [organizationListItem(org, capacity)] : [];
  });
}

/** package_collaborator_list_for_user: only for the user themselves or a sysadmin. */
function packageCollaboratorListForUser({ state, user }: ActionContext, params: ActionParams) {
  const id = stringParam(params, "id");
  if (!id) throw validationError({ id: ["Missing value"] });
  if (!user || !(user.sysadmin || id === user.id || id === user.name)) throw notAuthorized();
  if (!state.allowDatasetCollaborators) throw validationError({ message: "Dataset collaborators not enabled" });
  const target = state.getUser(id);
  if (!target) throw notAuthorized("Not allowed to retrieve collaborators");
  const capacity = stringParam(params, "capacity");
  return [...state.datasets.values()].flatMap((dataset) => {
    const collab = dataset.collaborators.get(target.id);
    if (!collab || (capacity && collab.capacity !== capacity)) return [];
    return [{ package_id: dataset.id, capacity: collab.capacity, modified: collab.modified }];
  });
}

/** resource_show: 404 unknown; 403 "not authorized to read resource <id>". */
function resourceShow({ state, user }: ActionContext, params: ActionParams) {
  const id = stringParam(params, "id");
  if (!id) throw validationError({ id: ["Missing value"] });
  const found = state.getResource(id);
  if (!found) throw notFound();
  if (!state.canRead(found.dataset, user)) {
    throw notAuthorized(`User ${callerName(user)} not authorized to read resource ${id}`);
  }
  return resourceDict(found.dataset, found.resource);
}

function statusShow({ origin }: ActionContext) {
  return {
    site_title: "Demo CKAN",
    site_description: "A local stand-in for CKAN's action API (upload portal demo and tests)",
    site_url: origin,
    ckan_version: "2.10.10",
    error_emails_to: null,
    locale_default: "en",
    extensions: ["demo"],
  };
}

function helpShow(_ctx: ActionContext, params: ActionParams) {
  const name = stringParam(params, "name");
  if (!name) throw validationError({ name: ["Missing value"] });
  return `Demo CKAN action ${name}: see https://docs.ckan.org/en/2.10/api/`;
}

/** license_list (get.py): the site's licenses, here CKAN's default register (ckan/model/license.py). */
function licenseList() {
  return LICENSES;
}

const read = (run: ActionDefinition["run"]): ActionDefinition => ({ sideEffectFree: true, run });

export const readActions: Record<string, ActionDefinition> = {
  user_show: read(userShow),
  package_show: read(packageShow),
  package_search: read(packageSearch),
  organization_list_for_user: read(organizationListForUser),
  package_collaborator_list_for_user: read(packageCollaboratorListForUser),
  resource_show: read(resourceShow),
  status_show: read(statusShow),
  help_show: read(helpShow),
  license_list: read(licenseList),
};
