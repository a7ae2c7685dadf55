/**
 * In-memory state of the demo CKAN server: users and tokens, organizations and their
 * members, datasets, resources and collaborators, plus fault hooks for tests.
 * Permission rules follow ckan/logic/auth (package_show, package_update) and ckan/authz.py.
 */
import { randomUUID } from "node:crypto";
import {
  EDIT_CAPACITIES, ckanTimestamp, newToken,
  type CollaboratorCapacity, type DatasetState, type DemoCall, type DemoDataset, type DemoOrganization,
  type DemoResource, type DemoUser, type OrgCapacity,
} from "./model";

export interface UserInput { name: string; fullname?: string; sysadmin?: boolean; id?: string; email?: string; token?: string }
export interface OrganizationInput { name: string; title?: string; description?: string; id?: string }
export interface DatasetInput {
  name: string;
  title?: string;
  notes?: string;
  /** Owner organization name or id; null/omitted = unowned. */
  owner_org?: string | null;
  private?: boolean;
  /** Default "active". */
  state?: DatasetState;
  id?: string;
  /** User name or id of the creator; default: the first sysadmin. */
  creator?: string;
}
/** Resource fields as CKAN names them; `url` required, extras allowed. */
export type ResourceInput = Record<string, unknown> & { url: string; name?: string; id?: string };

/**
 * What a forced failure answers instead of CKAN's JSON (CASES 28), beside the HTTP status:
 * - `ckan` (default): CKAN's own error for the status (envelope, `__type`), or a proxy page for 502–504;
 * - `maintenance-page`, `login-page`, `proxy-page`: an HTML page (text/html), as a site in maintenance,
 *   a single-sign-on gateway or a reverse proxy in front of CKAN sends;
 * - `truncated-json`: the start of a CKAN answer cut off mid-object (application/json);
 * - `json-without-envelope`: a JSON object that is not CKAN's `{help, success, result}`.
 */
export type FaultAnswer = "ckan" | "maintenance-page" | "login-page" | "proxy-page" | "truncated-json" | "json-without-envelope";

export const FAULT_ANSWERS: readonly FaultAnswer[] = ["ckan", "maintenance-page", "login-page", "proxy-page", "truncated-json", "json-without-envelope"];

/** Matches every action in failNext(): for pages that call several actions. */
export const ANY_ACTION = "*";

interface Fault { status: number; answer: FaultAnswer; remaining: number }
interface Delay { ms: number; remaining: number }

const MAX_CALL_LOG = 1000;

export class DemoState {
  readonly users = new Map<string, DemoUser>();
  readonly organizations = new Map<string, DemoOrganization>();
  readonly datasets = new Map<string, DemoDataset>();
  /** token → user id */
  readonly tokens = new Map<string, string>();
  /** Recent API calls, oldest first (capped). */
  readonly calls: DemoCall[] = [];
  /** ckan.auth.allow_dataset_collaborators (CKAN's default is false; the demo enables it). */
  allowDatasetCollaborators = true;
  private readonly faults = new Map<string, Fault[]>();
  private readonly delays = new Map<string, Delay[]>();

  // ---- seeding and test helpers ------------------------------------------------------

  /** Add a user; returns their API token (the given one or a new random one). */
  addUser(input: UserInput): string {
    if (this.getUser(input.name)) throw new Error(`demo CKAN: user ${input.name} exists`);
    const user: DemoUser = {
      id: input.id ?? randomUUID(),
      name: input.name,
      fullname: input.fullname ?? null,
      email: input.email ?? `${input.name}@example.org`,
      sysadmin: input.sysadmin ?? false,
      created: ckanTimestamp(),
    };
    this.users.set(user.id, user);
    return this.addToken(user.name, input.token);
  }

  /** Issue another token for a user (name or id). */
  addToken(user: string, token: string = newToken()): string {
    this.tokens.set(token, this.requireUser(user).id);
    return token;
  }

  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  addOrganization(input: OrganizationInput): DemoOrganization {
    if (this.getOrganization(input.name)) throw new Error(`demo CKAN: organization ${input.name} exists`);
    const org: DemoOrganization = {
      id: input.id ?? randomUUID(),
      name: input.name,
      title: input.title ?? input.name,
      description: input.description ?? "",
      created: ckanTimestamp(),
      members: new Map(),
    };
    this.organizations.set(org.id, org);
    return org;
  }

  addMember(org: string, user: string, capacity: OrgCapacity): void {
    this.requireOrganization(org).members.set(this.requireUser(user).id, capacity);
  }

  /** Remove a user from an organization (as `member_delete` / `organization_member_delete` would). */
  removeMember(org: string, user: string): void {
    this.requireOrganization(org).members.delete(this.requireUser(user).id);
  }

  /** Remove a dataset collaborator (as `package_collaborator_delete` would). */
  removeCollaborator(dataset: string, user: string): void {
    this.requireDataset(dataset).collaborators.delete(this.requireUser(user).id);
  }

  /**
   * Test-only stand-in for `ckan sysadmin add|remove NAME` (CKAN 2.10 has no action for it): sets the
   * user's sysadmin flag. Existing tokens keep working, as in CKAN.
   */
  setSysadmin(user: string, sysadmin: boolean): void {
    this.requireUser(user).sysadmin = sysadmin;
  }

  /** Sets a dataset's state directly (no auth), e.g. `deleted` as package_delete would. */
  setDatasetState(dataset: string, state: DatasetState): void {
    const ds = this.requireDataset(dataset);
    ds.state = state;
    ds.metadataModified = ckanTimestamp();
  }

  addDataset(input: DatasetInput): DemoDataset {
    if (this.getDataset(input.name)) throw new Error(`demo CKAN: dataset ${input.name} exists`);
    const creator = input.creator
      ? this.requireUser(input.creator)
      : [...this.users.values()].find((u) => u.sysadmin);
    const now = ckanTimestamp();
    const dataset: DemoDataset = {
      id: input.id ?? randomUUID(),
      name: input.name,
      title: input.title ?? input.name,
      notes: input.notes ?? null,
      ownerOrg: input.owner_org ? this.requireOrganization(input.owner_org).id : null,
      private: input.private ?? false,
      state: input.state ?? "active",
      creatorUserId: creator?.id ?? "",
      metadataCreated: now,
      metadataModified: now,
      resources: [],
      collaborators: new Map(),
    };
    this.datasets.set(dataset.id, dataset);
    return dataset;
  }

  addCollaborator(dataset: string, user: string, capacity: CollaboratorCapacity): void {
    this.requireDataset(dataset).collaborators.set(this.requireUser(user).id, { capacity, modified: ckanTimestamp() });
  }

  /** Add a resource directly (no auth, no validation); returns the stored record. */
  addResource(dataset: string, input: ResourceInput): DemoResource {
    const ds = this.requireDataset(dataset);
    const now = ckanTimestamp();
    const resource: DemoResource = {
      cache_last_updated: null, cache_url: null, created: now, description: null, format: "", hash: "",
      last_modified: null, metadata_modified: now, mimetype: null, mimetype_inner: null, name: null,
      resource_type: null, size: null, state: "active", url_type: null,
      ...input,
      id: input.id ?? randomUUID(),
      package_id: ds.id,
    };
    ds.resources.push(resource);
    ds.metadataModified = now;
    return resource;
  }

  /**
   * The next `count` calls of `action` (or of any action: {@link ANY_ACTION}) answer HTTP `status`
   * with `answer` (default `ckan`: CKAN's error body; 500 = CKAN's internal error).
   */
  failNext(action: string, status: number, count = 1, answer: FaultAnswer = "ckan"): void {
    const list = this.faults.get(action) ?? [];
    list.push({ status, answer, remaining: count });
    this.faults.set(action, list);
  }

  /** The next `count` calls of `action` wait `ms` milliseconds before answering. */
  delayNext(action: string, ms: number, count = 1): void {
    const list = this.delays.get(action) ?? [];
    list.push({ ms, remaining: count });
    this.delays.set(action, list);
  }

  /** Consume a pending fault for `action` (used by the server). */
  takeFault(action: string): { status: number; answer: FaultAnswer } | null {
    const fault = this.take(this.faults, action) ?? this.take(this.faults, ANY_ACTION);
    return fault ? { status: fault.status, answer: fault.answer } : null;
  }

  /** Drop every pending fault (the fault control's reset, between end-to-end tests). */
  clearFaults(): void {
    this.faults.clear();
  }

  takeDelay(action: string): number {
    return this.take(this.delays, action)?.ms ?? 0;
  }

  private take<T extends { remaining: number }>(map: Map<string, T[]>, action: string): T | undefined {
    const list = map.get(action);
    const head = list?.[0];
    if (!list || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) list.shift();
    return head;
  }

  recordCall(call: DemoCall): void {
    this.calls.push(call);
    if (this.calls.length > MAX_CALL_LOG) this.calls.splice(0, this.calls.length - MAX_CALL_LOG);
  }

  // ---- lookups ---------------------------------------------------------------------------

  userForToken(token: string | undefined): DemoUser | null {
    const id = token ? this.tokens.get(token.trim()) : undefined;
    return (id && this.users.get(id)) || null;
  }

  /** First token of a user, e.g. for tests that add users with random tokens. */
  tokenOf(user: string): string | undefined {
    const id = this.getUser(user)?.id;
    for (const [token, userId] of this.tokens) if (userId === id) return token;
    return undefined;
  }

  getUser(nameOrId: string): DemoUser | undefined {
    return this.users.get(nameOrId) ?? [...this.users.values()].find((u) => u.name === nameOrId);
  }

  getOrganization(nameOrId: string): DemoOrganization | undefined {
    return this.organizations.get(nameOrId) ?? [...this.organizations.values()].find((o) => o.name === nameOrId);
  }

  getDataset(nameOrId: string): DemoDataset | undefined {
    return this.datasets.get(nameOrId) ?? [...this.datasets.values()].find((d) => d.name === nameOrId);
  }

  getResource(id: string): { dataset: DemoDataset; resource: DemoResource } | undefined {
    for (const dataset of this.datasets.values()) {
      const resource = dataset.resources.find((r) => r.id === id);
      if (resource) return { dataset, resource };
    }
    return undefined;
  }

  private requireUser(nameOrId: string): DemoUser {
    const user = this.getUser(nameOrId);
    if (!user) throw new Error(`demo CKAN: no user ${nameOrId}`);
    return user;
  }

  private requireOrganization(nameOrId: string): DemoOrganization {
    const org = this.getOrganization(nameOrId);
    if (!org) throw new Error(`demo CKAN: no organization ${nameOrId}`);
    return org;
  }

  private requireDataset(nameOrId: string): DemoDataset {
    const dataset = this.getDataset(nameOrId);
    if (!dataset) throw new Error(`demo CKAN: no dataset ${nameOrId}`);
    return dataset;
  }

  // ---- permissions (ckan/logic/auth/get.py package_show, update.py package_update) -------

  orgCapacity(orgId: string | null, user: DemoUser | null): OrgCapacity | null {
    if (!orgId || !user) return null;
    return this.organizations.get(orgId)?.members.get(user.id) ?? null;
  }

  collaboratorCapacity(dataset: DemoDataset, user: DemoUser | null): CollaboratorCapacity | null {
    if (!user || !this.allowDatasetCollaborators) return null;
    return dataset.collaborators.get(user.id)?.capacity ?? null;
  }

  /**
   * ckan/logic/auth/get.py package_show (2.10): a draft only with package_update rights; an active
   * public (or unowned) one for everyone; otherwise (private, or deleted) organization members with
   * `read` (any capacity) and collaborators; sysadmins always.
   */
  canRead(dataset: DemoDataset, user: DemoUser | null): boolean {
    if (user?.sysadmin) return true;
    if (dataset.state === "draft") return this.canEdit(dataset, user);
    if (dataset.state === "active" && !dataset.private) return true;
    if (!user) return false;
    const viaOrg = dataset.ownerOrg ? this.orgCapacity(dataset.ownerOrg, user) !== null : dataset.creatorUserId === user.id;
    return viaOrg || this.collaboratorCapacity(dataset, user) !== null;
  }

  canEdit(dataset: DemoDataset, user: DemoUser | null): boolean {
    if (!user) return false;
    if (user.sysadmin) return true;
    const orgRole = this.orgCapacity(dataset.ownerOrg, user);
    if (orgRole && EDIT_CAPACITIES.includes(orgRole)) return true;
    if (!dataset.ownerOrg && dataset.creatorUserId === user.id) return true;
    const collab = this.collaboratorCapacity(dataset, user);
    return collab !== null && EDIT_CAPACITIES.includes(collab);
  }
}
