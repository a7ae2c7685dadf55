import "server-only";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { canEditDataset, CkanError, createCkanClient, type CkanClient, type CkanPackage } from "@/lib/ckan";
import { CKAN_DOWN_KINDS, ckanFailureMessage } from "@/lib/ckan/errors";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";

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
 * Loads dataset `idOrName` as the caller and proves they may add files to it.
 * @returns the CKAN package.
 * @throws ApiError 404 when it does not exist or is private and invisible to the caller (CASES 23),
 *   403 when they may see but not edit it, 502 when CKAN fails.
 */
export async function loadEditableDataset(caller: Caller, idOrName: string): Promise<CkanPackage> {
  const ckan = ckanAs(caller);
  let pkg: CkanPackage;
  try {
    pkg = await ckan.packageShow(idOrName);
  } catch (err) {
    if (err instanceof CkanError && (err.kind === "not_found" || err.kind === "authorization")) {
      throw new ApiError("not_found", `Dataset "${idOrName}" was not found.`);
    }
    ckanApiError(err, `Dataset "${idOrName}"`);
  }
  let allowed: boolean;
  try {
    allowed = await canEditDataset(ckan, caller, pkg);
  } catch (err) {
    ckanApiError(err, "Your permissions");
  }
  if (!allowed) {
    throw new ApiError("forbidden", `You may not add files to the dataset "${pkg.title || pkg.name}". Ask an editor or admin of its organization for access.`);
  }
  return pkg;
}

/** Upserts the caller's User row (audit cache of CKAN identity). @returns the row id. */
export async function ensureUserRow(caller: Caller): Promise<string> {
  const now = new Date();
  const row = await getDb().user.upsert({
    where: { ckanId: caller.id },
    create: { ckanId: caller.id, name: caller.name, displayName: caller.displayName, sysadmin: caller.sysadmin, lastSeenAt: now },
    update: { name: caller.name, displayName: caller.displayName, sysadmin: caller.sysadmin, lastSeenAt: now },
  });
  return row.id;
}

/** Upserts the Dataset row for `pkg` as it is now. @returns the row id. */
export async function ensureDatasetRow(pkg: CkanPackage): Promise<string> {
  const data = {
    name: pkg.name,
    title: pkg.title || pkg.name,
    organizationId: pkg.organization?.id ?? pkg.ownerOrg ?? null,
    organizationName: pkg.organization?.name ?? null,
    organizationTitle: pkg.organization?.title ?? null,
    private: pkg.private,
  };
  const row = await getDb().dataset.upsert({ where: { ckanId: pkg.id }, create: { ckanId: pkg.id, ...data }, update: data });
  return row.id;
}

/** Portal admins: CKAN sysadmins plus the user names in PORTAL_ADMINS. */
export function isPortalAdmin(caller: Pick<Caller, "name" | "sysadmin">): boolean {
  return caller.sysadmin || getConfig().PORTAL_ADMINS.includes(caller.name);
}
