/**
 * Typed CKAN Action API client (server side only). One instance per CKAN token.
 * API reference: https://docs.ckan.org/en/2.10/api/ ; behaviour checked against
 * CKAN 2.10.10 answers in shared/fixtures/ckan-2.10/.
 */
import type { z } from "zod";
import { CkanError } from "./errors";
import { resourceBody, type ResourceCreateInput, type ResourcePatchInput } from "./resource-input";
import { callAction, isReadAction, type ActionParams, type FetchLike, type TransportOptions } from "./transport";
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from "undici";
import {
  collaborationSchema, licenseListSchema, organizationForUserSchema, packageSchema, packageSearchSchema, resourceSchema,
  statusSchema, toPackage, toUser, userSchema,
  type CkanCollaboration, type CkanLicense, type CkanOrganizationMembership, type CkanPackage, type CkanResource,
  type CkanSearchResult, type CkanStatus, type CkanUser,
} from "./types";

export interface CkanClientOptions {
  /** CKAN site root, e.g. "https://data.example.org" (http or https; a path prefix is kept). */
  baseUrl: string;
  /** API token of the acting user; omit for anonymous calls. Never logged or put in messages. */
  token?: string;
  /** Header that carries the raw token. Default "Authorization"; some sites use "X-CKAN-API-Key". */
  tokenHeader?: string;
  /** fetch implementation. Default globalThis.fetch (inject a fake in tests). */
  fetch?: FetchLike;
  /** Limit for one call, connect to last body byte, in milliseconds. Default 15000. */
  timeoutMs?: number;
}

export interface PackageSearchQuery {
  /** Solr query; CKAN uses dismax over the text field unless q contains ":". Default all. */
  q?: string;
  /** Solr filter query, e.g. `owner_org:("id1" OR "id2")`. */
  fq?: string;
  /** Page size (CKAN caps it at ckan.search.rows_max, default 1000). CKAN default 10. */
  rows?: number;
  /** Offset of the first result. */
  start?: number;
  /** e.g. "metadata_modified desc". CKAN default "score desc, metadata_modified desc". */
  sort?: string;
  /** Include private datasets the caller may read. Default false (CKAN's default). */
  includePrivate?: boolean;
}

export type CkanClient = ReturnType<typeof createCkanClient>;

/** Validate a result against a schema; a mismatch is an "invalid_response" CkanError. */
function parseResult<S extends z.ZodType>(action: string, schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `result${issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}: ${issue.message}`);
  throw new CkanError({
    kind: "invalid_response",
    action,
    status: 200,
    message: `CKAN ${action} returned an unexpected result (${issues.join("; ")})`,
  });
}

/** Dispatcher of CKAN writes: one new connection per request (undici: `pipelining: 0` disables keep-alive). */
let writeDispatcher: Agent | undefined;

/**
 * The CKAN client's default fetch. Reads use Node's global fetch (kept-alive connections; a read
 * written on a connection CKAN has just closed is asked again, see transport.ts). A write (POST of an
 * action that is not a read: `resource_create`, `resource_patch`, `package_patch`, …) goes on a new
 * connection, never a pooled one: a pooled connection can be closed by CKAN's server in the instant
 * the write is sent on it (gunicorn closes idle connections after 2 s, before undici's 4 s), and a
 * write that failed that way cannot safely be repeated. Costs one TCP (and TLS) handshake per write,
 * 1–2 writes per upload.
 */
export const defaultCkanFetch: FetchLike = (input, init) => {
  const action = input.split("?")[0]!.split("/").pop() ?? "";
  if ((init.method ?? "GET").toUpperCase() === "POST" && !isReadAction(decodeURIComponent(action))) {
    writeDispatcher ??= new Agent({ pipelining: 0 });
    return undiciFetch(input, { ...(init as UndiciRequestInit), dispatcher: writeDispatcher }) as unknown as Promise<Response>;
  }
  return globalThis.fetch(input, init);
};

export function createCkanClient(options: CkanClientOptions) {
  let parsedBase: URL;
  try {
    parsedBase = new URL(options.baseUrl);
  } catch {
    throw new TypeError("CKAN base URL is not a valid URL");
  }
  if (parsedBase.protocol !== "http:" && parsedBase.protocol !== "https:") {
    throw new TypeError("CKAN base URL must be http or https");
  }
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const transport: TransportOptions = {
    baseUrl,
    token: options.token,
    tokenHeader: options.tokenHeader ?? "Authorization",
    fetch: options.fetch ?? defaultCkanFetch,
    timeoutMs: options.timeoutMs ?? 15_000,
  };
  const get = (action: string, params?: ActionParams) => callAction(transport, action, params, "GET");
  const post = (action: string, params: ActionParams) => callAction(transport, action, params, "POST");

  return {
    /** The site root this client talks to, without a trailing slash. */
    baseUrl,

    /**
     * Call any action and return its raw `result` (unvalidated). Read actions may use GET,
     * writes must use POST (CKAN answers GET on a write with 400 "Bad request").
     * @throws CkanError
     */
    action: (name: string, params: ActionParams = {}, method: "GET" | "POST" = "GET") =>
      callAction(transport, name, params, method),

    /**
     * The owner of the token: `GET user_show` without `id` (CKAN 2.10+, logic/action/get.py
     * `user_show` falls back to the logged-in user). CKAN runs an unknown or revoked token as
     * anonymous, so an invalid token answers 404 Not Found Error.
     * @returns {id, name, displayName, sysadmin}
     * @throws CkanError kind "not_found" for an invalid token / anonymous; others as usual.
     */
    async currentUser(): Promise<CkanUser> {
      return toUser(parseResult("user_show", userSchema, await get("user_show")));
    },

    /** `GET user_show?id=` for a user id or name. @throws CkanError "not_found" if unknown. */
    async userShow(idOrName: string): Promise<CkanUser> {
      return toUser(parseResult("user_show", userSchema, await get("user_show", { id: idOrName })));
    },

    /**
     * `GET package_show?id=` (id or name). Private datasets the caller may not read answer
     * 403 Authorization Error ("not authorized to read package"), unknown ones 404.
     * @returns the dataset summary with its resources (snake_case CKAN resource records).
     * @throws CkanError "not_found" | "authorization" | ...
     */
    async packageShow(idOrName: string): Promise<CkanPackage> {
      return toPackage(parseResult("package_show", packageSchema, await get("package_show", { id: idOrName })));
    },

    /**
     * `GET package_search` (Solr). Only active datasets; private ones only with
     * `includePrivate` and only those the caller may read (CKAN adds permission labels).
     * @returns {count, results}: count is the total number of matches.
     * @throws CkanError "bad_request" for an invalid Solr query ("Search Query Error").
     */
    async packageSearch(query: PackageSearchQuery = {}): Promise<CkanSearchResult> {
      const raw = await get("package_search", {
        q: query.q,
        fq: query.fq,
        rows: query.rows,
        start: query.start,
        sort: query.sort,
        include_private: query.includePrivate ? "true" : undefined,
      });
      const parsed = parseResult("package_search", packageSearchSchema, raw);
      return { count: parsed.count, results: parsed.results.map(toPackage) };
    },

    /**
     * `GET organization_list_for_user?id=&permission=`: organizations where user `id` (name
     * or id; omitted = the token's user) holds a role with `permission`. Always pass
     * permission: CKAN's default is "manage_group". The portal uses "update_dataset" (roles
     * editor and admin). Sysadmins get every organization with capacity "admin".
     * @throws CkanError "not_found" for an unknown user id.
     */
    async organizationListForUser(args: { id?: string; permission: string }): Promise<CkanOrganizationMembership[]> {
      const raw = await get("organization_list_for_user", { id: args.id, permission: args.permission });
      return parseResult("organization_list_for_user", organizationForUserSchema, raw).map((org) => ({
        id: org.id,
        name: org.name,
        title: org.title || org.name,
        capacity: org.capacity,
      }));
    },

    /**
     * `GET package_collaborator_list_for_user?id=`: datasets where user `id` is a collaborator.
     * CKAN allows it only for the user themselves (and sysadmins), and only when
     * `ckan.auth.allow_dataset_collaborators` is on; otherwise 409 Validation Error
     * "Dataset collaborators not enabled" (a CkanError of kind "validation").
     * @throws CkanError "authorization" | "validation" | ...
     */
    async packageCollaboratorListForUser(args: { id: string; capacity?: string }): Promise<CkanCollaboration[]> {
      const raw = await get("package_collaborator_list_for_user", { id: args.id, capacity: args.capacity });
      return parseResult("package_collaborator_list_for_user", collaborationSchema, raw).map((c) => ({
        packageId: c.package_id,
        capacity: c.capacity,
      }));
    },

    /** `GET resource_show?id=`. @throws CkanError "not_found" | "authorization". */
    async resourceShow(id: string): Promise<CkanResource> {
      return parseResult("resource_show", resourceSchema, await get("resource_show", { id }));
    },

    /**
     * `POST resource_create`: register a file on dataset `package_id`. Sends url, name, format,
     * mimetype, size (bytes), hash, last_modified (see toCkanTimestamp) and any extras; never
     * `url_type`. CKAN checks `package_update` rights itself: expect "authorization" even when
     * canEditDataset said yes (rights can change).
     * @returns the created resource as CKAN stored it (with its new id).
     * @throws CkanError "authorization" | "not_found" (dataset) | "validation" (fieldErrors).
     */
    async resourceCreate(input: ResourceCreateInput): Promise<CkanResource> {
      return parseResult("resource_create", resourceSchema, await post("resource_create", resourceBody(input)));
    },

    /**
     * `POST resource_patch`: update the given fields of resource `id`, keeping the others
     * (CKAN merges with resource_show, then runs resource_update). Never sends `url_type`;
     * note a resource first uploaded into CKAN's own store keeps its url_type "upload".
     * @throws CkanError "authorization" | "not_found" | "validation".
     */
    async resourcePatch(input: ResourcePatchInput): Promise<CkanResource> {
      return parseResult("resource_patch", resourceSchema, await post("resource_patch", resourceBody(input)));
    },

    /**
     * `POST package_patch`: update the given fields of dataset `id` (id or name), keeping the others
     * (CKAN merges with package_show, then runs package_update). The portal sends only
     * `{id, state: "active"}` to finish a draft, as CKAN's own "Finish" step does; CKAN checks
     * package_update rights (ckan/logic/auth/update.py) and keeps `state` only for users allowed
     * `package_change_state` (editors, admins, sysadmins).
     * @returns the dataset as CKAN stored it.
     * @throws CkanError "authorization" | "not_found" | "validation".
     */
    async packagePatch(input: { id: string } & Record<string, unknown>): Promise<CkanPackage> {
      return toPackage(parseResult("package_patch", packageSchema, await post("package_patch", input)));
    },

    /**
     * `POST package_create` as the token's user (ckan/logic/action/create.py). CKAN's auth
     * (auth/create.py): sysadmins, or users with `create_dataset` (editor, admin) in `owner_org`.
     * Note CKAN ≤ 2.10 keeps `state` only for sysadmins (ignore_not_package_admin; ckan/ckan#5497):
     * anyone else's dataset is created `active` whatever `state` says — read the answer's `state`.
     * @param input CKAN field names: name (2–100 of a–z 0–9 - _), title, notes, owner_org, private,
     *   license_id, state.
     * @returns the dataset as CKAN stored it.
     * @throws CkanError "authorization" | "validation" (fieldErrors, e.g. name: ["That URL is already in use."]).
     */
    async packageCreate(input: { name: string; owner_org: string } & Record<string, unknown>): Promise<CkanPackage> {
      return toPackage(parseResult("package_create", packageSchema, await post("package_create", input)));
    },

    /** `GET license_list`: the site's licenses (ckan.licenses_group_url, else CKAN's default register). */
    async licenseList(): Promise<CkanLicense[]> {
      return parseResult("license_list", licenseListSchema, await get("license_list")).map((l) => ({ id: l.id, title: l.title || l.id }));
    },

    /** `GET status_show`: {ckan_version, site_url, site_title, extensions, ...}. Anonymous is fine. */
    async statusShow(): Promise<CkanStatus> {
      return parseResult("status_show", statusSchema, await get("status_show"));
    },

    /** The dataset's page on the CKAN site (for "back to CKAN" links). */
    datasetPageUrl(nameOrId: string): string {
      return `${baseUrl}/dataset/${encodeURIComponent(nameOrId)}`;
    },

    /** A resource's page on the CKAN site. */
    resourcePageUrl(datasetNameOrId: string, resourceId: string): string {
      return `${baseUrl}/dataset/${encodeURIComponent(datasetNameOrId)}/resource/${encodeURIComponent(resourceId)}`;
    },
  };
}
