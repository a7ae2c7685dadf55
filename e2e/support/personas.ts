/** Signed-in HTTP clients (no browser) for each role of the authorization matrix. */
import { expect, request, type APIRequestContext } from "@playwright/test";
import { PERSONA_TOKENS } from "../../scripts/ckan-demo/personas";
import { DEMO_TOKENS } from "../../scripts/ckan-demo/seed";

/** Every role the portal distinguishes, with the demo CKAN token that plays it (null: signed out). */
export const PERSONAS = {
  anonymous: null,
  "no rights": PERSONA_TOKENS.nobody_user,
  "collaborator (member)": DEMO_TOKENS.plain_user,
  "collaborator (editor)": DEMO_TOKENS.collab_editor,
  "organization editor": DEMO_TOKENS.editor_user,
  "organization admin": PERSONA_TOKENS.org_admin_user,
  sysadmin: DEMO_TOKENS.ckan_admin,
  "portal admin": PERSONA_TOKENS.portal_admin_user,
} as const;

export type Persona = keyof typeof PERSONAS;
/** The seeded users' tokens, for tests that sign in as a specific user. */
export const DEMO_TOKENS_FOR_TESTS = DEMO_TOKENS;
export const PERSONA_NAMES = Object.keys(PERSONAS) as Persona[];

/**
 * An HTTP client signed in through next-auth's own Credentials flow (GET /api/auth/csrf, then
 * POST /api/auth/callback/ckan-token), keeping the session cookie. Redirects are not followed.
 */
export async function clientFor(baseURL: string, persona: Persona): Promise<APIRequestContext> {
  return clientWithToken(baseURL, PERSONAS[persona], persona);
}

/** Like clientFor, for any CKAN token (null: signed out); `label` names it in assertion messages. */
export async function clientWithToken(baseURL: string, token: string | null, label = "user"): Promise<APIRequestContext> {
  const ctx = await request.newContext({ baseURL, maxRedirects: 0 });
  if (token === null) return ctx;
  const persona = label;
  const { csrfToken } = (await (await ctx.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const res = await ctx.post("/api/auth/callback/ckan-token", { form: { token, csrfToken, callbackUrl: "/", json: "true" } });
  expect(res.status(), `sign-in of ${persona}`).toBeLessThan(400);
  const cookies = (await ctx.storageState()).cookies.map((c) => c.name);
  expect(cookies, `session cookie of ${persona}`).toContain("next-auth.session-token");
  return ctx;
}
