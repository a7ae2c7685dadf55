/**
 * zod schemas for the parts of CKAN action-API results the portal uses, and the types
 * the client returns. Shapes follow real CKAN 2.10.10 answers (shared/fixtures/ckan-2.10/)
 * and `ckan/lib/dictization/model_dictize.py`. Schemas are loose: unknown keys are kept on
 * raw records and never cause a failure; only the fields we rely on are checked.
 *
 * Naming: identity, permission and package summaries are camelCase objects built by the
 * client. Resources keep CKAN's own snake_case field names, because they carry arbitrary
 * extras and are written back with the same names (`resource_create` / `resource_patch`).
 */
import { z } from "zod";

/** Envelope of every action-API answer (`ckan/views/api.py`, `action()`). */
export const envelopeSchema = z.looseObject({
  help: z.string().optional(),
  success: z.boolean(),
  result: z.unknown().optional(),
  error: z.looseObject({ __type: z.string().optional(), message: z.unknown().optional() }).optional(),
});

const nullableString = z.string().nullable().default(null);

/** `user_show` result (user_dictize). `email`/`apikey` only for the user and sysadmins. */
export const userSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  fullname: nullableString,
  display_name: nullableString,
  sysadmin: z.boolean(),
  state: z.string().optional(),
});

/** A resource as CKAN returns it (resource_dictize); extras appear as extra top-level keys. */
export const resourceSchema = z.looseObject({
  id: z.string(),
  package_id: z.string(),
  url: z.string(),
  name: nullableString,
  description: nullableString,
  format: nullableString,
  mimetype: nullableString,
  /** Bytes (CKAN stores an integer; null when unknown). */
  size: z.number().nullable().default(null),
  hash: nullableString,
  /** Naive UTC timestamps as CKAN prints them, e.g. "2026-11-29T12:45:33.186055". */
  created: nullableString,
  last_modified: nullableString,
  metadata_modified: nullableString,
  position: z.number().nullable().default(null),
  url_type: nullableString,
  state: z.string().optional(),
});
export type CkanResource = z.output<typeof resourceSchema>;

const organizationRefSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  title: nullableString,
});

/** `package_show` result and `package_search` results (package_dictize). */
export const packageSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  title: nullableString,
  private: z.boolean(),
  owner_org: nullableString,
  organization: organizationRefSchema.nullable().default(null),
  resources: z.array(resourceSchema).default([]),
  url: nullableString,
  notes: nullableString,
  state: z.string().optional(),
  type: z.string().optional(),
  metadata_modified: nullableString,
});

export const packageSearchSchema = z.looseObject({
  count: z.number().int(),
  results: z.array(packageSchema),
});

/** `organization_list_for_user` items (group_list_dictize with capacity). */
export const organizationForUserSchema = z.array(
  z.looseObject({ id: z.string(), name: z.string(), title: nullableString, capacity: z.string() }),
);

/** `package_collaborator_list_for_user` items. */
export const collaborationSchema = z.array(
  z.looseObject({ package_id: z.string(), capacity: z.string(), modified: nullableString }),
);

/** `license_list` items (License.license_dictize); the portal reads id and title. */
export const licenseListSchema = z.array(z.looseObject({ id: z.string(), title: nullableString, url: nullableString.optional() }));

/** A license as the portal offers it. */
export interface CkanLicense {
  id: string;
  /** Falls back to the id when CKAN has no title. */
  title: string;
}

/** `status_show` result. */
export const statusSchema = z.looseObject({
  ckan_version: z.string(),
  site_url: nullableString,
  site_title: nullableString.optional(),
  extensions: z.array(z.string()).optional(),
});
export type CkanStatus = z.output<typeof statusSchema>;

/** The calling user (or a named user) as the portal needs it. */
export interface CkanUser {
  id: string;
  name: string;
  /** CKAN's display_name: the full name, or the user name when there is none. */
  displayName: string;
  sysadmin: boolean;
}

export interface CkanOrganizationRef {
  id: string;
  name: string;
  title: string;
}

export interface CkanPackage {
  id: string;
  name: string;
  /** Falls back to the name when CKAN has no title. */
  title: string;
  private: boolean;
  /** Owning organization id, null for unowned datasets. */
  ownerOrg: string | null;
  organization: CkanOrganizationRef | null;
  resources: CkanResource[];
  /** The dataset's "source" URL field (not its CKAN page), often null. */
  url: string | null;
  notes: string | null;
  state: string | null;
  metadataModified: string | null;
}

export interface CkanOrganizationMembership extends CkanOrganizationRef {
  /** "admin" | "editor" | "member" (sysadmins get "admin" for every organization). */
  capacity: string;
}

export interface CkanCollaboration {
  packageId: string;
  /** "member" | "editor" | "admin" (admin only with ckan.auth.allow_admin_collaborators). */
  capacity: string;
}

export interface CkanSearchResult {
  /** Total matches, independent of rows/start. */
  count: number;
  results: CkanPackage[];
}

export function toUser(raw: z.output<typeof userSchema>): CkanUser {
  return {
    id: raw.id,
    name: raw.name,
    displayName: raw.display_name || raw.fullname || raw.name,
    sysadmin: raw.sysadmin,
  };
}

export function toPackage(raw: z.output<typeof packageSchema>): CkanPackage {
  const org = raw.organization;
  return {
    id: raw.id,
    name: raw.name,
    title: raw.title || raw.name,
    private: raw.private,
    ownerOrg: raw.owner_org || null,
    organization: org ? { id: org.id, name: org.name, title: org.title || org.name } : null,
    resources: raw.resources,
    url: raw.url,
    notes: raw.notes,
    state: raw.state ?? null,
    metadataModified: raw.metadata_modified,
  };
}
