/**
 * Sign-in lifetime (issue 10 item 1, CASES 31): next-auth's jwt callback renews a session on each
 * `GET /api/auth/session`, ends it past SESSION_MAX_AGE_HOURS since sign-in, and ends it when CKAN no
 * longer accepts the user's API token (rechecked at most every SESSION_CKAN_CHECK_MINUTES), but not
 * when CKAN is merely unreachable.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { JWT } from "next-auth/jwt";
import { authOptions, sessionHardExpiry } from "@/lib/auth";
import { resetConfigForTests } from "@/lib/config";

const ENV = {
  CKAN_URL: "https://ckan.example.org",
  S3_BUCKET: "ckan-uploads",
  S3_ROLE_ARN: "arn:aws:iam::123456789012:role/ckan-upload",
  NEXTAUTH_SECRET: "s".repeat(32),
  SESSION_IDLE_MINUTES: "30",
  SESSION_MAX_AGE_HOURS: "24",
  SESSION_CKAN_CHECK_MINUTES: "10",
};
const saved: Record<string, string | undefined> = {};
const now = () => Math.floor(Date.now() / 1000);

beforeEach(() => {
  for (const [k, v] of Object.entries(ENV)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  resetConfigForTests();
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetConfigForTests();
  vi.unstubAllGlobals();
});

/** The jwt callback as next-auth calls it on a renewal. */
const renew = (token: JWT) => (authOptions().callbacks!.jwt as (p: { token: JWT }) => Promise<JWT>)({ token });

/** CKAN's `user_show` answering as for a valid token (200) or an unknown one (anonymous: 404). */
function ckanAnswers(status: 200 | 404 | "down") {
  const calls: string[] = [];
  vi.stubGlobal("fetch", async (url: string) => {
    calls.push(String(url));
    if (status === "down") throw new TypeError("fetch failed");
    const body = status === 200
      ? { help: "", success: true, result: { id: "u1", name: "editor_user", display_name: "Editor", sysadmin: false, state: "active" } }
      : { help: "", success: false, error: { __type: "Not Found Error", message: "Not found" } };
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  });
  return calls;
}

describe("session lifetime", () => {
  it("rolls: the cookie lifetime is the idle timeout (SESSION_IDLE_MINUTES), not a fixed 8 h", () => {
    expect(authOptions().session?.maxAge).toBe(30 * 60);
  });

  it("sign-in records when it happened; a renewal within the cap keeps the session", async () => {
    const jwt = authOptions().callbacks!.jwt as (p: { token: JWT; user?: unknown }) => Promise<JWT>;
    const token = await jwt({ token: {}, user: { id: "u1", name: "editor_user", displayName: "Editor", sysadmin: false, ckanToken: "tok" } });
    expect(token.signedInAt).toBeGreaterThanOrEqual(now() - 1);
    expect(await renew(token)).toBe(token);
  });

  it("ends past SESSION_MAX_AGE_HOURS since sign-in, however often it was renewed", async () => {
    const token: JWT = { sub: "u1", ckanToken: "tok", signedInAt: now() - 24 * 3600 - 1, ckanCheckedAt: now() };
    await expect(renew(token)).rejects.toThrow(/SESSION_MAX_AGE_HOURS/);
    expect(sessionHardExpiry({ signedInAt: 1_000 })).toBe(1_000 + 24 * 3600);
  });

  it("ends when CKAN no longer accepts the token (revoked: user_show runs as anonymous)", async () => {
    const calls = ckanAnswers(404);
    const token: JWT = { sub: "u1", ckanToken: "revoked", signedInAt: now() - 3600, ckanCheckedAt: now() - 11 * 60 };
    await expect(renew(token)).rejects.toThrow(/no longer accepts/);
    expect(calls.some((u) => u.includes("/api/3/action/user_show"))).toBe(true);
  });

  it("keeps the session when CKAN is unreachable, and checks again at the next renewal", async () => {
    ckanAnswers("down");
    const checkedAt = now() - 11 * 60;
    const token = await renew({ sub: "u1", ckanToken: "tok", signedInAt: now() - 3600, ckanCheckedAt: checkedAt });
    expect(token.ckanCheckedAt).toBe(checkedAt);
  });

  it("checks CKAN at most every SESSION_CKAN_CHECK_MINUTES", async () => {
    const calls = ckanAnswers(200);
    await renew({ sub: "u1", ckanToken: "tok", signedInAt: now() - 3600, ckanCheckedAt: now() - 60 });
    expect(calls).toEqual([]);
    const token = await renew({ sub: "u1", ckanToken: "tok", signedInAt: now() - 3600, ckanCheckedAt: now() - 11 * 60 });
    expect(calls).toHaveLength(1);
    expect(token.ckanCheckedAt).toBeGreaterThanOrEqual(now() - 1);
  });
});
