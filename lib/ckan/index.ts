/**
 * CKAN Action API client: server-side only (holds user API tokens).
 * - createCkanClient: typed calls (identity, datasets, permissions lookups, resource writes)
 * - canEditDataset / listEditableDatasets: CKAN's package_update rules
 * - CkanError: the one error type, with `kind` for callers to map to HTTP answers
 */
export { createCkanClient, type CkanClient, type CkanClientOptions, type PackageSearchQuery } from "./client";
export { CkanError, isCkanError, type CkanErrorKind } from "./errors";
export {
  canEditDataset,
  editScope,
  editableDatasetsFilter,
  listEditableDatasets,
  solrQuote,
  EDITING_COLLABORATOR_CAPACITIES,
  type CkanIdentity,
  type DatasetOwnership,
  type EditableDatasetsQuery,
  type EditScope,
} from "./permissions";
export {
  toCkanTimestamp,
  type ResourceCreateInput,
  type ResourceFields,
  type ResourcePatchInput,
} from "./resource-input";
export { MAX_GET_URL_LENGTH, type FetchLike } from "./transport";
export type {
  CkanCollaboration,
  CkanLicense,
  CkanOrganizationMembership,
  CkanOrganizationRef,
  CkanPackage,
  CkanResource,
  CkanSearchResult,
  CkanStatus,
  CkanUser,
} from "./types";
