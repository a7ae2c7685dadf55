import "server-only";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { datasetAnswer, isPortalAdminNow, type AuthzOptions, type DatasetAnswer } from "@/lib/authz/ckan-authz";
import { CkanError, createCkanClient, type CkanClient, type CkanPackage } from "@/lib/ckan";
import { CKAN_DOWN_KINDS, ckanFailureMessage } from "@/lib/ckan/errors";
import { getConfig } from "@/lib/config";
import type { User } from "@/lib/generated/sqlite/client";
import { LRUCache } from "lru-cache";
import { getDb, type Db } from "@/lib/db";

/** A CKAN client acting as the caller (their own API token, in the configured header). */
export function ckanAs(caller: Pick<Caller, "ckanToken">): CkanClient {
  const config = getConfig();
  return createCkanClient({ baseUrl: config.CKAN_URL, token: caller.ckanToken, tokenHeader: config.CKAN_API_TOKEN_HEADER });
}

/**
 * Maps a CKAN failure to the API error the caller sees (502 names CKAN; never the token). CKAN not
 * working at all (not its API, unreachable, 5xx) is rethrown as the CkanError itself: routes answer it
 * with 502 `ckan_failed` (lib/api/errors.ts) and pages show it through app/error.tsx (its digest).
 */
export function ckanApiError(err: unknown, what: string): never {
  if (err instanceof CkanError) {
    if (CKAN_DOWN_KINDS.includes(err.kind)) throw err;
    if (err.kind === "not_found") throw new ApiError("not_found", `${what} was not found in CKAN.`);
    if (err.kind === "authorization") throw new ApiError("forbidden", `CKAN refused: ${err.message}`);
    if (err.kind === "validation") throw new ApiError("ckan_failed", `CKAN rejected the request: ${err.message}`);
    throw new ApiError("ckan_failed", ckanFailureMessage(err));
  }
  throw err;
}

/**
 * Loads dataset `idOrName` as the caller and proves they may add files to it now: CKAN's
 * `package_show` and package_update rules with a fresh sysadmin flag, asked with the caller's token
 * or cached at most CKAN_AUTHZ_MAX_AGE_SECONDS (`fresh: true` always asks; lib/authz/ckan-authz.ts).
 * Dataset state (CKAN `package_show` `state`): `active` and `draft` accept uploads; `deleted` does not.
 * @returns the CKAN package.
 * @throws ApiError 404 when it does not exist or is private and invisible to the caller (CASES 23),
 *   410 `dataset_deleted` when it was deleted in CKAN (CASES 37), 403 when they may see but not edit it,
 *   502 when CKAN fails.
 */
export async function loadEditableDataset(caller: Caller, idOrName: string, opts: AuthzOptions = {}): Promise<CkanPackage> {
  let answer: DatasetAnswer;
  try {
    answer = await datasetAnswer(caller, idOrName, opts);
  } catch (err) {
    if (err instanceof CkanError && (err.kind === "not_found" || err.kind === "authorization") && err.action === "package_show") {
      throw new ApiError("not_found", `Dataset "${idOrName}" was not found.`);
    }
    if (err instanceof CkanError && err.kind === "not_found" && err.action === "user_show") {
      throw new ApiError("unauthenticated", "CKAN no longer accepts your API token (it was revoked or expired). Sign in again with a new token.");
    }
    ckanApiError(err, `Dataset "${idOrName}"`);
  }
  const { pkg, canEdit } = answer;
  if (pkg.state === "deleted") {
    throw new ApiError(
      "dataset_deleted",
      `The dataset "${pkg.title || pkg.name}" was deleted in CKAN, so it accepts no uploads. An editor of its organization can restore it in CKAN (or a sysadmin from the trash).`,
      { title: pkg.title || pkg.name },
    );
  }
  if (!canEdit) {
    throw new ApiError("forbidden", `You may not add files to the dataset "${pkg.title || pkg.name}". Ask an editor or admin of its organization for access.`);
  }
  return pkg;
}

/**
 * Upserts the caller's User row (audit cache of CKAN identity). @returns the row id.
 * `sysadmin` is written only when the row is created (from the sign-in's `user_show`); afterwards
 * only a fresh CKAN answer changes it (lib/authz/ckan-authz.ts), never the sign-in cookie.
 * Written at most once per {@link ROW_REFRESH_MS} per user and identity (name, display name) in this
 * process: every upload route calls this, and a write transaction per request was a large share of a
 * small file's cost (issue 12). So `lastSeenAt` is exact to a minute; a changed name is written at once.
 */
export async function ensureUserRow(caller: Caller): Promise<string> {
  const db = getDb();
  const key = `${caller.id}\u0000${caller.name}\u0000${caller.displayName ?? ""}`;
  const known = rowCache(db).get(`user\u0000${key}`);
  if (known) return known;
  const now = new Date();
  const row = await db.user.upsert({
    where: { ckanId: caller.id },
    create: { ckanId: caller.id, name: caller.name, displayName: caller.displayName, sysadmin: caller.sysadmin, lastSeenAt: now },
    update: { name: caller.name, displayName: caller.displayName, lastSeenAt: now },
  });
  rowCache(db).set(`user\u0000${key}`, row.id);
  return row.id;
}

/** How stale `User.lastSeenAt` may get before a request of the same user writes it again (ms). */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

/**
 * {@link ensureUserRow} for a request that has already read the caller's row (`known`, e.g. the owner of
 * the session it acts on; issue 11): when that row is the caller's, its name and display name are
 * current and it was seen less than {@link LAST_SEEN_RESOLUTION_MS} ago, its id is returned without a
 * write — part reports come every few seconds, and each upsert was a write transaction. Otherwise upserts.
 * @returns the row id.
 */
export async function touchUserRow(caller: Caller, known: Pick<User, "id" | "ckanId" | "name" | "displayName" | "lastSeenAt">, now = new Date()): Promise<string> {
  const fresh = now.getTime() - known.lastSeenAt.getTime() < LAST_SEEN_RESOLUTION_MS;
  if (known.ckanId === caller.id && known.name === caller.name && known.displayName === caller.displayName && fresh) return known.id;
  return ensureUserRow(caller);
}

/**
 * Upserts the Dataset row for `pkg` as it is now. @returns the row id. Skipped when this process wrote
 * the very same fields for this dataset within {@link ROW_REFRESH_MS} (any change is written at once).
 */
export async function ensureDatasetRow(pkg: CkanPackage): Promise<string> {
  const data = {
    name: pkg.name,
    title: pkg.title || pkg.name,
    organizationId: pkg.organization?.id ?? pkg.ownerOrg ?? null,
    organizationName: pkg.organization?.name ?? null,
    organizationTitle: pkg.organization?.title ?? null,
    private: pkg.private,
  };
  const db = getDb();
  const key = `dataset\u0000${pkg.id}\u0000${JSON.stringify(data)}`;
  const known = rowCache(db).get(key);
  if (known) return known;
  const row = await db.dataset.upsert({ where: { ckanId: pkg.id }, create: { ckanId: pkg.id, ...data }, update: data });
  rowCache(db).set(key, row.id);
  return row.id;
}

/** How long a User/Dataset row written by this process is taken as current, in ms (1 minute). */
export const ROW_REFRESH_MS = 60_000;

/** Row ids written recently, per database client (a new client — tests' resetDbForTests — starts empty). */
const rowCaches = new WeakMap<Db, LRUCache<string, string>>();
function rowCache(db: Db): LRUCache<string, string> {
  let c = rowCaches.get(db);
  if (!c) rowCaches.set(db, (c = new LRUCache<string, string>({ max: 10_000, ttl: ROW_REFRESH_MS })));
  return c;
}

/**
 * Portal admins: the user names in PORTAL_ADMINS, plus CKAN sysadmins as CKAN says now (`user_show`,
 * cached at most CKAN_AUTHZ_MAX_AGE_SECONDS; never the flag kept in the sign-in cookie).
 * @throws CkanError when CKAN cannot answer (admin rights fail closed).
 */
export function isPortalAdmin(caller: Pick<Caller, "name" | "ckanToken">): Promise<boolean> {
  return isPortalAdminNow(caller);
}
