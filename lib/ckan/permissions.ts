/**
 * May this user edit (add resources to) this dataset, and which datasets may they edit?
 *
 * Mirrors CKAN's `package_update` auth (ckan/logic/auth/update.py, ckan/authz.py):
 * sysadmins may edit everything; others need a role with `update_dataset` (editor or admin)
 * in the dataset's owner organization, or a dataset-collaborator capacity of editor or admin
 * (`ckan.auth.allow_dataset_collaborators`). "member" collaborators may only read.
 * Unowned datasets (ckan.auth.create_unowned_dataset) are treated as not editable: the
 * portal cannot see that site setting. CKAN stays the final judge: resource_create may
 * still answer 403, and callers must handle it.
 *
 * The client must carry the user's own token: CKAN lets only the user themselves (or a
 * sysadmin) list their collaborations.
 */
import type { CkanClient } from "./client";
import { isCkanError } from "./errors";
import type { CkanSearchResult } from "./types";

/** Collaborator capacities that include package_update (authz.py, `is_authorized_...`). */
export const EDITING_COLLABORATOR_CAPACITIES: readonly string[] = ["editor", "admin"];

export interface CkanIdentity {
  id: string;
  name: string;
  sysadmin: boolean;
}

export interface DatasetOwnership {
  id: string;
  ownerOrg: string | null;
}

/** Where a non-sysadmin may edit: organization ids and single dataset ids. */
export interface EditScope {
  orgIds: string[];
  packageIds: string[];
}

/** Organizations where the user may update datasets (explicit permission, never the default). */
async function editableOrgIds(client: CkanClient, user: CkanIdentity): Promise<string[]> {
  const orgs = await client.organizationListForUser({ id: user.id, permission: "update_dataset" });
  return orgs.map((org) => org.id);
}

/**
 * Datasets where the user is an editing collaborator. A site with collaborators disabled
 * answers 409 "Dataset collaborators not enabled": that means "none", not a failure.
 */
async function editableCollaborations(client: CkanClient, user: CkanIdentity): Promise<string[]> {
  try {
    const list = await client.packageCollaboratorListForUser({ id: user.id });
    return list.filter((c) => EDITING_COLLABORATOR_CAPACITIES.includes(c.capacity)).map((c) => c.packageId);
  } catch (error) {
    if (isCkanError(error, "validation")) return [];
    throw error;
  }
}

/** The user's edit scope (two CKAN calls). Not meaningful for sysadmins. */
export async function editScope(client: CkanClient, user: CkanIdentity): Promise<EditScope> {
  const [orgIds, packageIds] = await Promise.all([editableOrgIds(client, user), editableCollaborations(client, user)]);
  return { orgIds, packageIds };
}

/**
 * True if `user` may edit dataset `pkg` (by CKAN's rules above).
 * @throws CkanError when CKAN cannot be asked (unreachable, server, authorization...).
 */
export async function canEditDataset(
  client: CkanClient,
  user: CkanIdentity,
  pkg: DatasetOwnership,
): Promise<boolean> {
  if (user.sysadmin) return true;
  if (pkg.ownerOrg && (await editableOrgIds(client, user)).includes(pkg.ownerOrg)) return true;
  return (await editableCollaborations(client, user)).includes(pkg.id);
}

/**
 * Quote a value as a Solr phrase: wrapped in double quotes, with `\` and `"` escaped, so ids
 * and names can never change the query structure.
 */
export function solrQuote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * Solr filter for datasets in the scope: `owner_org:("o1" OR "o2") OR id:("p1")`.
 * @returns null when the scope is empty (nothing to search).
 */
export function editableDatasetsFilter(scope: EditScope): string | null {
  const clause = (field: string, values: string[]) =>
    values.length ? `${field}:(${[...new Set(values)].map(solrQuote).join(" OR ")})` : null;
  const parts = [clause("owner_org", scope.orgIds), clause("id", scope.packageIds)].filter((p) => p !== null);
  return parts.length ? parts.join(" OR ") : null;
}

export interface EditableDatasetsQuery {
  /** Free text typed by the user; ":" is dropped so CKAN keeps its forgiving dismax parser. */
  q?: string;
  /** Page size, default 20. */
  rows?: number;
  /** Offset, default 0. */
  start?: number;
  /** Solr sort, default "metadata_modified desc". */
  sort?: string;
}

/**
 * Datasets the user may edit, one page at a time, newest first.
 * Sysadmins: package_search over everything (private included). Others: one package_search
 * with the scope filter (organizations with update_dataset, editing collaborations); no
 * search at all when the scope is empty.
 * @returns {count, results}: count is the total over all pages.
 * @throws CkanError
 */
export async function listEditableDatasets(
  client: CkanClient,
  user: CkanIdentity,
  query: EditableDatasetsQuery = {},
): Promise<CkanSearchResult> {
  const q = query.q?.replace(/:/g, " ").trim() || undefined;
  const page = {
    q,
    rows: query.rows ?? 20,
    start: query.start ?? 0,
    sort: query.sort ?? "metadata_modified desc",
    includePrivate: true,
  };
  if (user.sysadmin) return client.packageSearch(page);
  const fq = editableDatasetsFilter(await editScope(client, user));
  if (fq === null) return { count: 0, results: [] };
  return client.packageSearch({ ...page, fq });
}
