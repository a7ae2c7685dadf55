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
} as const;

/** The CKAN user name listed in PORTAL_ADMINS by the matrix's stack (no rights in CKAN itself). */
export const PORTAL_ADMIN_PERSONA = "portal_admin_user";

/** Adds `nobody_user` (no memberships), `org_admin_user` (admin of test-org) and `portal_admin_user` (no CKAN rights). */
export function addSecurityPersonas(state: DemoState): void {
  state.addUser({ name: "nobody_user", fullname: "Nobody User", token: PERSONA_TOKENS.nobody_user });
  state.addUser({ name: "org_admin_user", fullname: "Org Admin User", token: PERSONA_TOKENS.org_admin_user });
  state.addMember("test-org", "org_admin_user", "admin");
  state.addUser({ name: PORTAL_ADMIN_PERSONA, fullname: "Portal Admin User", token: PERSONA_TOKENS.portal_admin_user });
}
