/**
 * Seed data of the demo CKAN. DEFAULT_SEED mirrors the site the fixtures in
 * shared/fixtures/ckan-2.10/ were captured from (same names, and the same ids where a
 * fixture shows one), plus `collab_editor`, `other-org` / `other-dataset`, and a `draft-dataset` and a
 * `deleted-dataset` of test-org (CKAN's other two package states).
 *
 * The tokens are fixed so the demo can print them and docs can quote them. They are demo
 * secrets only: never configure a real CKAN with them.
 */
import type { CollaboratorCapacity, OrgCapacity } from "./model";
import type { DatasetInput, DemoState, OrganizationInput, ResourceInput, UserInput } from "./state";

export interface DemoSeed {
  users: UserInput[];
  organizations: Array<OrganizationInput & { members?: Array<{ user: string; capacity: OrgCapacity }> }>;
  datasets: Array<
    DatasetInput & {
      resources?: ResourceInput[];
      collaborators?: Array<{ user: string; capacity: CollaboratorCapacity }>;
    }
  >;
}

/** API token of each seeded user. */
export const DEMO_TOKENS = {
  ckan_admin: "0gjL1-ijVRpdK1nw79irpllJWqyoayhzZeKXj3ebqjU_DDIy",
  editor_user: "z_OZvC8OGGTQaYHo55cPzjbF4T7Uy1pOlni_PKYR2lznuNOa",
  plain_user: "Fp0qLu2Q9LixTUHndCboo48h9zsQuQUs5IGMvNT7MB07oM5A",
  collab_editor: "pI2yGlVAaYvHzgbHWehEsxF794c2scr4QawHc5yauJAfPXaR",
} as const satisfies Record<string, string>;

export type DemoUserName = keyof typeof DEMO_TOKENS;

export const DEFAULT_SEED: DemoSeed = {
  users: [
    { name: "ckan_admin", fullname: "CKAN Admin", sysadmin: true, id: "867d0836-0eeb-411b-860a-2935118288c1", token: DEMO_TOKENS.ckan_admin },
    { name: "editor_user", fullname: "Editor User", id: "974be5a7-ce3b-40dd-bed6-2fbde4837bd9", token: DEMO_TOKENS.editor_user },
    { name: "plain_user", fullname: "Plain User", id: "fb86e5c8-5870-4cde-afb8-c557a8e7c3ac", token: DEMO_TOKENS.plain_user },
    { name: "collab_editor", fullname: "Collaborator Editor", id: "31790870-f74a-42f4-9144-a45cddddd2c3", token: DEMO_TOKENS.collab_editor },
  ],
  organizations: [
    {
      name: "test-org",
      title: "Test Org",
      id: "f1b320fb-a460-46a9-9336-ab3d0a8eb2a4",
      members: [
        { user: "ckan_admin", capacity: "admin" },
        { user: "editor_user", capacity: "editor" },
      ],
    },
    {
      name: "other-org",
      title: "Other Org",
      id: "d1310d92-aee0-4427-938e-272094835749",
      members: [{ user: "ckan_admin", capacity: "admin" }],
    },
  ],
  datasets: [
    {
      name: "test-dataset",
      title: "Test Dataset",
      notes: "A public dataset of test-org with one resource.",
      owner_org: "test-org",
      id: "ddb8eabc-eadb-4c81-ac4c-029911054d45",
      creator: "editor_user",
      resources: [
        {
          id: "720fc352-cac1-41cb-aaad-1146fd3609ef",
          name: "data.csv",
          url: "http://example.org/data.csv",
          format: "CSV",
          mimetype: "text/csv",
          description: "patched res",
        },
      ],
    },
    {
      name: "private-dataset",
      title: "Private Dataset",
      notes: "A private dataset of test-org.",
      owner_org: "test-org",
      private: true,
      id: "78803070-ddeb-4580-8146-f0ddabee9f31",
      creator: "editor_user",
      collaborators: [
        { user: "plain_user", capacity: "member" },
        { user: "collab_editor", capacity: "editor" },
      ],
    },
    {
      name: "other-dataset",
      title: "Other Dataset",
      notes: "A public dataset of other-org.",
      owner_org: "other-org",
      id: "8f536af8-ef4a-4817-bbad-81aba4242638",
      creator: "ckan_admin",
    },
    {
      // Created in CKAN's web form without files: hidden from search until "Finish" (or the portal's first upload).
      name: "draft-dataset",
      title: "Draft Dataset",
      notes: "A draft dataset of test-org (not finished in CKAN's form).",
      owner_org: "test-org",
      state: "draft",
      id: "5b0c1f1e-8d0a-4a53-9d35-3c4f3e2f7a10",
      creator: "editor_user",
    },
    {
      // package_delete keeps the row: package_show still answers, with state "deleted".
      name: "deleted-dataset",
      title: "Deleted Dataset",
      notes: "A dataset of test-org deleted in CKAN.",
      owner_org: "test-org",
      state: "deleted",
      id: "0d6f7c2a-61a4-4a8e-8f0b-7b1f0c9e5d21",
      creator: "editor_user",
    },
  ],
};

/** No users, organizations or datasets. */
export const EMPTY_SEED: DemoSeed = { users: [], organizations: [], datasets: [] };

/** Load a seed into the state (users first, then organizations, then datasets). */
export function applySeed(state: DemoState, seed: DemoSeed): void {
  for (const user of seed.users) state.addUser(user);
  for (const { members = [], ...org } of seed.organizations) {
    state.addOrganization(org);
    for (const m of members) state.addMember(org.name, m.user, m.capacity);
  }
  for (const { resources = [], collaborators = [], ...dataset } of seed.datasets) {
    state.addDataset(dataset);
    for (const resource of resources) state.addResource(dataset.name, resource);
    for (const c of collaborators) state.addCollaborator(dataset.name, c.user, c.capacity);
  }
}
