/**
 * Records of the demo CKAN server and the small CKAN conventions they need
 * (timestamps, capacities, role permissions). Plain data; no HTTP here.
 */
import { randomBytes } from "node:crypto";

export type OrgCapacity = "admin" | "editor" | "member";
export type CollaboratorCapacity = "admin" | "editor" | "member";
/** CKAN's package states: `draft` (created in the web form, not finished), `active`, `deleted` (package_delete keeps the row). */
export type DatasetState = "active" | "draft" | "deleted";

export interface DemoUser {
  id: string;
  name: string;
  fullname: string | null;
  email: string;
  sysadmin: boolean;
  created: string;
}

export interface DemoOrganization {
  id: string;
  name: string;
  title: string;
  description: string;
  created: string;
  /** userId → capacity */
  members: Map<string, OrgCapacity>;
}

export interface DemoCollaborator {
  capacity: CollaboratorCapacity;
  modified: string;
}

/** A resource exactly as resource_show prints it (CKAN keys plus extras), minus position. */
export type DemoResource = Record<string, unknown> & { id: string; package_id: string };

export interface DemoDataset {
  id: string;
  name: string;
  title: string;
  notes: string | null;
  /** Owner organization id. */
  ownerOrg: string | null;
  private: boolean;
  state: DatasetState;
  /** license_id (an id of license_list, or free text); null = none. */
  licenseId?: string | null;
  creatorUserId: string;
  metadataCreated: string;
  metadataModified: string;
  resources: DemoResource[];
  /** userId → collaboration */
  collaborators: Map<string, DemoCollaborator>;
}

/** One API call as the demo saw it, for tests (e.g. "url_type was never sent"). */
export interface DemoCall {
  action: string;
  method: string;
  params: Record<string, unknown>;
  /** Name of the user the token resolved to; null = anonymous. */
  user: string | null;
  status: number;
}

/**
 * ckan/authz.py ROLE_PERMISSIONS: admin has every permission; `get_roles_with_permission`
 * returns the roles listing it plus admin.
 */
const ROLE_PERMISSIONS: Record<Exclude<OrgCapacity, "admin">, string[]> = {
  editor: ["read", "delete_dataset", "create_dataset", "update_dataset", "manage_group"],
  member: ["read", "manage_group"],
};

export function rolesWithPermission(permission: string): OrgCapacity[] {
  const roles: OrgCapacity[] = ["admin"];
  for (const [role, permissions] of Object.entries(ROLE_PERMISSIONS)) {
    if (permissions.includes(permission)) roles.push(role as OrgCapacity);
  }
  return roles;
}

export const ORG_CAPACITIES: readonly OrgCapacity[] = ["admin", "editor", "member"];
export const EDIT_CAPACITIES: readonly string[] = ["admin", "editor"];

/** CKAN's naive UTC timestamp with microseconds, e.g. "2026-11-29T12:45:33.186055". */
export function ckanTimestamp(date: Date = new Date()): string {
  return `${date.toISOString().slice(0, -1)}000`;
}

/** A fresh API token: 43 url-safe characters, like a long random secret. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}
