/**
 * Extra demo CKAN users for the authorization matrix (e2e/sts/authorization.spec.ts), added to a stack
 * started with DEMO_SECURITY_PERSONAS=1. With the seeded users they cover every role the portal
 * distinguishes: no rights, collaborator (member / editor), organization editor / admin, sysadmin, portal admin.
 */
import type { DemoState } from "./state";

/** API tokens of the extra users (test-only values, like DEMO_TOKENS). */
export const PERSONA_TOKENS = {
  nobody_user: "persona-nobody-0000000000000000000000000000000000",
  org_admin_user: "persona-orgadmin-00000000000000000000000000000000",
  portal_admin_user: "persona-portaladmin-000000000000000000000000000000",
  // The matrix's time dimension: users whose roles the tests take away (each test its own user).
  demoted_sysadmin: "persona-demotedsysadmin-00000000000000000000000000",
  leaving_editor: "persona-leavingeditor-0000000000000000000000000000",
  leaving_collaborator: "persona-leavingcollab-0000000000000000000000000000",
  withdrawn_editor: "persona-withdrawneditor-000000000000000000000000000",
} as const;

/** The CKAN user name listed in PORTAL_ADMINS by the matrix's stack (no rights in CKAN itself). */
export const PORTAL_ADMIN_PERSONA = "portal_admin_user";

/**
 * Adds `nobody_user` (no memberships), `org_admin_user` (admin of test-org), `portal_admin_user` (no CKAN
 * rights), and for the time dimension `demoted_sysadmin`, `leaving_editor` (editor of test-org) and
 * `leaving_collaborator` (editor collaborator on private-dataset); `withdrawn_editor` (editor of test-org)
 * for the UI of an upload refused with permission_withdrawn (e2e/sts/dataset-state.spec.ts).
 */
export function addSecurityPersonas(state: DemoState): void {
  state.addUser({ name: "nobody_user", fullname: "Nobody User", token: PERSONA_TOKENS.nobody_user });
  state.addUser({ name: "org_admin_user", fullname: "Org Admin User", token: PERSONA_TOKENS.org_admin_user });
  state.addMember("test-org", "org_admin_user", "admin");
  state.addUser({ name: PORTAL_ADMIN_PERSONA, fullname: "Portal Admin User", token: PERSONA_TOKENS.portal_admin_user });
  // Time dimension: a sysadmin to demote, an organization editor and a dataset collaborator to remove.
  state.addUser({ name: "demoted_sysadmin", fullname: "Demoted Sysadmin", sysadmin: true, token: PERSONA_TOKENS.demoted_sysadmin });
  state.addUser({ name: "leaving_editor", fullname: "Leaving Editor", token: PERSONA_TOKENS.leaving_editor });
  state.addMember("test-org", "leaving_editor", "editor");
  state.addUser({ name: "leaving_collaborator", fullname: "Leaving Collaborator", token: PERSONA_TOKENS.leaving_collaborator });
  state.addCollaborator("private-dataset", "leaving_collaborator", "editor");
  state.addUser({ name: "withdrawn_editor", fullname: "Withdrawn Editor", token: PERSONA_TOKENS.withdrawn_editor });
  state.addMember("test-org", "withdrawn_editor", "editor");
}
