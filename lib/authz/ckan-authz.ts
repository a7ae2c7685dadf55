import "server-only";
import type { Caller } from "@/lib/auth";
import { canEditDataset, createCkanClient, isCkanError, type CkanPackage, type CkanUser } from "@/lib/ckan";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { cachedAnswer, tokenKey } from "./answer-cache";

/**
 * Every authorization decision of the portal comes from CKAN, asked with the caller's own token,
 * or from a cached answer younger than `CKAN_AUTHZ_MAX_AGE_SECONDS` (see answer-cache.ts and
 * docs/security.md). Nothing is taken from the sign-in cookie except who the caller is: the
 * sysadmin flag stored in the JWT at sign-in is never used to grant anything.
 */

/** `{fresh: true}` bypasses the cache (completion asks CKAN at that moment). */
export interface AuthzOptions {
  fresh?: boolean;
}

function ckanFor(caller: Pick<Caller, "ckanToken">) {
  const config = getConfig();
  return createCkanClient({ baseUrl: config.CKAN_URL, token: caller.ckanToken, tokenHeader: config.CKAN_API_TOKEN_HEADER });
}

/**
 * The caller as CKAN sees them now: `user_show` without id (the token's owner), with `sysadmin`.
 * @throws CkanError "not_found" when CKAN no longer accepts the token (it runs it as anonymous), others as usual.
 */
export function currentCkanUser(caller: Pick<Caller, "ckanToken">, opts: AuthzOptions = {}): Promise<CkanUser> {
  return cachedAnswer(
    `user:${tokenKey(caller.ckanToken)}`,
    getConfig().CKAN_AUTHZ_MAX_AGE_SECONDS,
    async () => {
      const user = await ckanFor(caller).currentUser();
      await recordSysadminStatus(user);
      return user;
    },
    opts,
  );
}

/**
 * Keeps the audit record's `User.sysadmin` (shown on the admin session page) equal to CKAN's latest
 * answer: one conditional UPDATE, which changes a row only when the status changed since it was last
 * seen (a sign-in, or an earlier fresh `user_show`). Never used to grant anything; a failed write is
 * not an authorization failure, so it is swallowed.
 */
async function recordSysadminStatus(user: CkanUser): Promise<void> {
  await getDb()
    .user.updateMany({ where: { ckanId: user.id, sysadmin: !user.sysadmin }, data: { sysadmin: user.sysadmin } })
    .catch(() => undefined);
}

/**
 * Whether the caller is a portal admin now: named in PORTAL_ADMINS (a config list, no CKAN call), or a
 * CKAN sysadmin according to `user_show` (cached at most CKAN_AUTHZ_MAX_AGE_SECONDS). A token CKAN no
 * longer accepts is not an admin.
 * @throws CkanError when CKAN cannot answer (unreachable, 5xx): admin rights fail closed.
 */
export async function isPortalAdminNow(caller: Pick<Caller, "name" | "ckanToken">, opts: AuthzOptions = {}): Promise<boolean> {
  if (getConfig().PORTAL_ADMINS.includes(caller.name)) return true;
  try {
    return (await currentCkanUser(caller, opts)).sysadmin;
  } catch (err) {
    if (isCkanError(err, "not_found") || isCkanError(err, "authorization")) return false;
    throw err;
  }
}

/** A dataset as CKAN shows it to the caller, and whether CKAN's rules let them edit it. */
export interface DatasetAnswer {
  pkg: CkanPackage;
  /** package_update rights: sysadmin (fresh `user_show`), organization editor/admin, or editing collaborator. */
  canEdit: boolean;
}

/**
 * `package_show` plus the edit check (lib/ckan/permissions.ts, with the sysadmin flag from a
 * fresh-enough `user_show`), as one cached answer per (token, dataset id or name).
 * @throws CkanError from package_show ("not_found", "authorization" for a private dataset the caller cannot read) or the permission calls.
 */
export function datasetAnswer(caller: Pick<Caller, "ckanToken">, idOrName: string, opts: AuthzOptions = {}): Promise<DatasetAnswer> {
  const maxAge = getConfig().CKAN_AUTHZ_MAX_AGE_SECONDS;
  return cachedAnswer(
    `dataset:${tokenKey(caller.ckanToken)}:${idOrName}`,
    maxAge,
    async () => {
      const ckan = ckanFor(caller);
      // The user answer is asked afresh with the dataset: a combined answer is only as young as its oldest part.
      const [pkg, user] = await Promise.all([ckan.packageShow(idOrName), currentCkanUser(caller, { fresh: true })]);
      return { pkg, canEdit: await canEditDataset(ckan, user, pkg) };
    },
    opts,
  );
}
