/**
 * Demo records → JSON exactly as CKAN 2.10 prints them (ckan/lib/dictization/model_dictize.py).
 * Field sets and order are copied from shared/fixtures/ckan-2.10/.
 */
import { createHash } from "node:crypto";
import type { DemoDataset, DemoOrganization, DemoResource, DemoUser } from "./model";
import { licenseTitle } from "./licenses";
import type { DemoState } from "./state";

/** user_dictize; `email` and `apikey` only for the user themselves and sysadmins. */
export function userDict(state: DemoState, user: DemoUser, viewer: DemoUser | null): Record<string, unknown> {
  const own = viewer !== null && (viewer.id === user.id || viewer.sysadmin);
  const created = [...state.datasets.values()].filter((d) => d.creatorUserId === user.id).length;
  const dict: Record<string, unknown> = {
    id: user.id,
    name: user.name,
    fullname: user.fullname,
    created: user.created,
    about: null,
    last_active: user.created,
    activity_streams_email_notifications: false,
    sysadmin: user.sysadmin,
    state: "active",
    image_url: null,
    display_name: user.fullname || user.name,
    email_hash: createHash("md5").update(user.email.trim().toLowerCase()).digest("hex"),
    number_created_packages: created,
  };
  if (own) {
    dict.apikey = null;
    dict.email = user.email;
  }
  dict.image_display_url = null;
  return dict;
}

/** The organization object embedded in a package. */
export function organizationRef(org: DemoOrganization): Record<string, unknown> {
  return {
    id: org.id,
    name: org.name,
    title: org.title,
    type: "organization",
    description: org.description,
    image_url: "",
    created: org.created,
    is_organization: true,
    approval_status: "approved",
    state: "active",
  };
}

/** An organization_list_for_user item. */
export function organizationListItem(org: DemoOrganization, capacity: string): Record<string, unknown> {
  return { ...organizationRef(org), capacity, display_name: org.title, image_display_url: "" };
}

export function resourceDict(dataset: DemoDataset, resource: DemoResource): Record<string, unknown> {
  const position = dataset.resources.findIndex((r) => r.id === resource.id);
  const { id, package_id, ...rest } = resource;
  const core = {
    cache_last_updated: rest.cache_last_updated ?? null,
    cache_url: rest.cache_url ?? null,
    created: rest.created,
    description: rest.description ?? null,
    format: rest.format ?? "",
    hash: rest.hash ?? "",
    id,
    last_modified: rest.last_modified ?? null,
    metadata_modified: rest.metadata_modified,
    mimetype: rest.mimetype ?? null,
    mimetype_inner: rest.mimetype_inner ?? null,
    name: rest.name ?? null,
    package_id,
    position,
    resource_type: rest.resource_type ?? null,
    size: rest.size ?? null,
    state: rest.state ?? "active",
    url: rest.url ?? "",
    url_type: rest.url_type ?? null,
  };
  return { ...core, ...rest, ...core };
}

/** package_dictize as package_show and package_search return it. */
export function packageDict(state: DemoState, dataset: DemoDataset): Record<string, unknown> {
  const org = dataset.ownerOrg ? state.organizations.get(dataset.ownerOrg) : undefined;
  return {
    author: null,
    author_email: null,
    creator_user_id: dataset.creatorUserId,
    id: dataset.id,
    isopen: false,
    license_id: dataset.licenseId ?? null,
    license_title: licenseTitle(dataset.licenseId),
    maintainer: null,
    maintainer_email: null,
    metadata_created: dataset.metadataCreated,
    metadata_modified: dataset.metadataModified,
    name: dataset.name,
    notes: dataset.notes,
    num_resources: dataset.resources.length,
    num_tags: 0,
    organization: org ? organizationRef(org) : null,
    owner_org: dataset.ownerOrg,
    private: dataset.private,
    state: dataset.state,
    title: dataset.title,
    type: "dataset",
    url: null,
    version: null,
    resources: dataset.resources.map((r) => resourceDict(dataset, r)),
    tags: [],
    extras: [],
    groups: [],
    relationships_as_subject: [],
    relationships_as_object: [],
  };
}
