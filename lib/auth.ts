import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getToken } from "next-auth/jwt";
import { cookies } from "next/headers";
import { getConfig } from "@/lib/config";
import { createCkanClient, CkanError } from "@/lib/ckan";
import { getDb } from "@/lib/db";
import { safeReturnUrl } from "@/lib/safe-redirect";
import { encodeReason } from "@/lib/i18n/sign-in-errors";

/** The signed-in CKAN user, as pages and route handlers see it. The CKAN token is server-side only. */
export interface Caller {
  /** CKAN user id (UUID). */
  id: string;
  name: string;
  displayName: string;
  sysadmin: boolean;
  /** The user's CKAN API token: read only by server code, never sent to the browser. */
  ckanToken: string;
}

/** User-facing message for a token CKAN does not recognise (CKAN runs it as anonymous: CASES 24). */
export const INVALID_TOKEN_MESSAGE =
  "CKAN did not accept this API token. It may be mistyped, expired or revoked: create a new one on your CKAN profile's API Tokens page.";

/**
 * Verifies a CKAN API token with `GET /api/3/action/user_show` (no id: CKAN 2.10+ returns the token's
 * user). An invalid token runs as anonymous and CKAN answers 404: that is reported as an invalid token.
 * @throws Error with a user-facing message (invalid token, or CKAN unreachable).
 */
export async function verifyCkanToken(token: string): Promise<Omit<Caller, "ckanToken">> {
  // CKAN tokens are JWTs (printable ASCII); anything else cannot even travel in an HTTP header.
  if (!/^[\x21-\x7e]{1,4096}$/.test(token)) throw new Error(INVALID_TOKEN_MESSAGE);
  const config = getConfig();
  const client = createCkanClient({ baseUrl: config.CKAN_URL, token, tokenHeader: config.CKAN_API_TOKEN_HEADER });
  try {
    return await client.currentUser();
  } catch (err) {
    if (err instanceof CkanError && (err.kind === "not_found" || err.kind === "authorization")) {
      throw new Error(INVALID_TOKEN_MESSAGE);
    }
    if (err instanceof CkanError && err.kind === "not_ckan") throw new Error(`${err.message}. The token could not be checked; try again later.`, { cause: err });
    if (err instanceof CkanError) throw new Error(`CKAN could not be reached to check the token (${err.kind}). Try again later.`, { cause: err });
    throw err;
  }
}

/**
 * The login form's code for a {@link verifyCkanToken} failure (`token_rejected`, `ckan_not_api` with the
 * URL/status/type, `ckan_unreachable`); the English message is logged. Unknown errors are rethrown.
 */
function signInFailureCode(err: unknown): string {
  if (!(err instanceof Error)) throw err;
  console.warn(`sign-in failed: ${err.message}`);
  if (err.message === INVALID_TOKEN_MESSAGE) return encodeReason({ code: "token_rejected", values: {} });
  if (err.cause instanceof CkanError) return encodeReason(err.cause.reason ?? { code: "ckan_failed", values: {} });
  throw err;
}

/** Records the user's sign-in (first and last seen) for audit. */
async function recordSignIn(user: Omit<Caller, "ckanToken">): Promise<void> {
  const now = new Date();
  const db = getDb();
  const row = await db.user.upsert({
    where: { ckanId: user.id },
    create: { ckanId: user.id, name: user.name, displayName: user.displayName, sysadmin: user.sysadmin, lastSeenAt: now },
    update: { name: user.name, displayName: user.displayName, sysadmin: user.sysadmin, lastSeenAt: now },
  });
  await db.auditEvent.create({ data: { userId: row.id, actorName: user.name, type: "user.signed_in" } });
}

/** Seconds since the epoch. */
const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * When a session signed in at `signedInAt` (seconds since the epoch) ends for good: sign-in time +
 * SESSION_MAX_AGE_HOURS, whatever renewals happened. Tokens from before this field use their `iat`.
 */
export function sessionHardExpiry(token: Record<string, unknown>): number {
  const signedInAt = Number(token.signedInAt ?? token.iat ?? 0);
  return signedInAt + Math.round(getConfig().SESSION_MAX_AGE_HOURS * 3600);
}

/**
 * next-auth options: one Credentials provider ("ckan-token"), encrypted JWT sessions that roll.
 * Lifetime (issue 10, CASES 31): each `GET /api/auth/session` re-issues the cookie for another
 * SESSION_IDLE_MINUTES (next-auth v4 does so on every call for JWT sessions); pages call it while the
 * user is active or an upload runs (components/session-keep-alive.tsx). The jwt callback ends the
 * session — next-auth then clears the cookie — once SESSION_MAX_AGE_HOURS have passed since sign-in,
 * or when CKAN no longer accepts the user's API token (checked at most every SESSION_CKAN_CHECK_MINUTES;
 * CKAN being unreachable does not end a session).
 */
export function authOptions(): NextAuthOptions {
  const config = getConfig();
  return {
    secret: config.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: Math.max(1, Math.round(config.SESSION_IDLE_MINUTES * 60)) },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        id: "ckan-token",
        name: "CKAN API token",
        credentials: { token: { label: "CKAN API token", type: "password" } },
        async authorize(credentials) {
          const token = credentials?.token?.trim();
          // next-auth hands the thrown message to the login form: a stable code that the form translates
          // (lib/i18n/sign-in-errors.ts); the English reason goes to the log.
          if (!token) throw new Error(encodeReason({ code: "token_missing", values: {} }));
          const user = await verifyCkanToken(token).catch((err: unknown) => {
            throw new Error(signInFailureCode(err), { cause: err });
          });
          await recordSignIn(user);
          return { id: user.id, name: user.name, displayName: user.displayName, sysadmin: user.sysadmin, ckanToken: token };
        },
      }),
    ],
    callbacks: {
      // callbackUrl and return links go only to the portal or to CKAN_URL (no open redirect).
      async redirect({ url, baseUrl }) {
        return safeReturnUrl(url, { portalOrigin: new URL(baseUrl).origin, ckanUrl: config.CKAN_URL });
      },
      async jwt({ token, user }) {
        const now = nowSeconds();
        if (user) {
          const u = user as unknown as Caller;
          token.sub = u.id;
          token.ckanName = u.name;
          token.displayName = u.displayName;
          token.sysadmin = u.sysadmin;
          token.ckanToken = u.ckanToken;
          token.signedInAt = now;
          token.ckanCheckedAt = now;
          return token;
        }
        // A renewal. Throwing makes next-auth clear the cookie: the session has ended.
        if (now >= sessionHardExpiry(token)) throw new Error("session reached SESSION_MAX_AGE_HOURS");
        const checkEvery = config.SESSION_CKAN_CHECK_MINUTES * 60;
        if (checkEvery > 0 && typeof token.ckanToken === "string" && now - Number(token.ckanCheckedAt ?? 0) >= checkEvery) {
          try {
            await verifyCkanToken(token.ckanToken);
            token.ckanCheckedAt = now;
          } catch (err) {
            if (err instanceof Error && err.message === INVALID_TOKEN_MESSAGE) throw new Error("CKAN no longer accepts the session's API token");
            // CKAN unreachable: keep the session and check again at the next renewal.
          }
        }
        return token;
      },
      async session({ session, token }) {
        // Only what the browser may see: never token.ckanToken.
        session.user = {
          id: String(token.sub),
          name: String(token.ckanName ?? ""),
          displayName: String(token.displayName ?? ""),
          sysadmin: Boolean(token.sysadmin),
        };
        return session;
      },
    },
  };
}

/**
 * The caller of the current request (server components and route handlers), decoded from the
 * encrypted next-auth session cookie, or null when signed out or the cookie is invalid.
 */
export async function getCaller(): Promise<Caller | null> {
  return (await readSession()).caller;
}

/** Names of next-auth's session cookie (plain and `__Secure-`, possibly split into `.0`, `.1` chunks). */
const SESSION_COOKIE = /^(__Secure-)?next-auth\.session-token(\.\d+)?$/;

/**
 * The caller of the current request, and whether the request carried a session cookie that is no
 * longer valid (expired, past SESSION_MAX_AGE_HOURS, or not decryptable): route handlers answer that
 * with 401 `session_expired` instead of `unauthenticated`.
 */
export async function readSession(): Promise<{ caller: Caller | null; expired: boolean }> {
  const jar = await cookies();
  const hadCookie = jar.getAll().some((c) => SESSION_COOKIE.test(c.name));
  const caller = await decodeCaller(jar);
  return { caller, expired: !caller && hadCookie };
}

async function decodeCaller(jar: Awaited<ReturnType<typeof cookies>>): Promise<Caller | null> {
  const cookieMap = Object.fromEntries(jar.getAll().map((c) => [c.name, c.value]));
  const token = await getToken({
    req: { cookies: cookieMap, headers: {} } as never,
    secret: getConfig().NEXTAUTH_SECRET,
    secureCookie: (process.env.NEXTAUTH_URL ?? "").startsWith("https://"),
  });
  if (!token?.sub || typeof token.ckanToken !== "string") return null;
  if (nowSeconds() >= sessionHardExpiry(token)) return null;
  return {
    id: token.sub,
    name: String(token.ckanName ?? ""),
    displayName: String(token.displayName ?? token.ckanName ?? ""),
    sysadmin: Boolean(token.sysadmin),
    ckanToken: token.ckanToken,
  };
}
