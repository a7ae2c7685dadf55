/**
 * Creating a dataset from the portal (issue 12): /api/datasets and /api/datasets/name-check called as route
 * handlers with a CKAN API token (Bearer), against demo CKAN's package_create (CKAN 2.10 auth, name rules and
 * 409 field errors) and the selected database. Who may create comes from CKAN organization_list_for_user
 * with permission create_dataset; the dataset is a draft in CKAN; each creation writes one audit row; its
 * first completed upload makes it active. Peers: demo CKAN, the database, Ceph RGW (for that upload).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { POST as createRoute } from "@/app/api/datasets/route";
import { GET as nameCheckRoute } from "@/app/api/datasets/name-check/route";
import { getDb } from "@/lib/db";
import { creatableOrganizations } from "@/lib/datasets/create";
import { completeUpload } from "@/lib/uploads/complete";
import { createUpload } from "@/lib/uploads/create";
import { recordParts } from "@/lib/uploads/parts";
import { DEMO_TOKENS } from "@/scripts/ckan-demo/seed";
import { callerFor, startIntegrationEnv, TEST_DB_NAME, type DemoCkan } from "./support/env";
import { sha256, tempS3, testBytes, uploadAllParts } from "./support/s3";

let env: Awaited<ReturnType<typeof startIntegrationEnv>>;
let ckan: DemoCkan;

beforeAll(async () => {
  env = await startIntegrationEnv();
  ckan = env.ckan;
});
afterAll(async () => {
  await env?.close();
});

const BASE = "http://portal.test:3000";
const noParams = { params: Promise.resolve({}) };

async function create(token: string, body: Record<string, unknown>) {
  const req = new NextRequest(`${BASE}/api/datasets`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const res = await createRoute(req, noParams);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function nameCheck(token: string, name: string) {
  const req = new NextRequest(`${BASE}/api/datasets/name-check?${new URLSearchParams({ name })}`, { headers: { authorization: `Bearer ${token}` } });
  const res = await nameCheckRoute(req, noParams);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const unique = (prefix: string) => `${prefix}-${Date.now()}-${Math.round(Math.random() * 1e6)}`;

function packageCreateCalls(): number {
  return ckan.state.calls.filter((c) => c.action === "package_create").length;
}

async function creationAudits(packageId: string) {
  const rows = await getDb().auditEvent.findMany({ where: { type: "dataset.created" }, include: { user: true } });
  return rows.filter((r) => JSON.parse(r.detail).packageId === packageId);
}

describe(`who may create a dataset (${TEST_DB_NAME})`, () => {
  it("comes from CKAN organization_list_for_user with create_dataset: an editor gets their organization, a sysadmin every one, a user without a role none", async () => {
    expect((await creatableOrganizations(callerFor(ckan, "editor_user"))).map((o) => o.name)).toEqual(["test-org"]);
    expect((await creatableOrganizations(callerFor(ckan, "ckan_admin"))).map((o) => o.name)).toEqual(["other-org", "test-org"]);
    expect(await creatableOrganizations(callerFor(ckan, "plain_user"))).toEqual([]);
    const asked = ckan.state.calls.filter((c) => c.action === "organization_list_for_user").slice(-3);
    expect(asked.map((c) => c.params.permission)).toEqual(["create_dataset", "create_dataset", "create_dataset"]);
  });

  it("a user with no create_dataset role gets 403 and CKAN's package_create is never called", async () => {
    const before = packageCreateCalls();
    const res = await create(DEMO_TOKENS.plain_user, { title: "Nope", name: unique("nope"), organization: "test-org", visibility: "private" });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
    expect(res.body.error.message).toMatch(/editors and admins/);
    expect(packageCreateCalls()).toBe(before);
  });

  it("an editor of one organization cannot create in another (403)", async () => {
    const res = await create(DEMO_TOKENS.editor_user, { title: "Elsewhere", name: unique("elsewhere"), organization: "other-org", visibility: "public" });
    expect([res.status, res.body.error.code]).toEqual([403, "forbidden"]);
    expect(ckan.state.getDataset("other-org")).toBeUndefined();
  });
});

describe(`the live name check (${TEST_DB_NAME})`, () => {
  it.each([
    ["a", "too_short"],
    ["Bad Name!", "characters"],
    ["new", "reserved"],
    ["x".repeat(101), "too_long"],
  ])("%j breaks CKAN's name rules (%s), answered without asking CKAN", async (name, problem) => {
    const calls = ckan.state.calls.length;
    const res = await nameCheck(DEMO_TOKENS.editor_user, name);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name, available: false, problem });
    expect(ckan.state.calls.length).toBe(calls);
  });

  it("a name CKAN already holds is taken — also a private dataset the caller cannot see; a new one is available", async () => {
    expect((await nameCheck(DEMO_TOKENS.editor_user, "test-dataset")).body).toMatchObject({ available: false, problem: "taken", message: "That URL is already in use." });
    const outsider = unique("outsider");
    const token = ckan.state.addUser({ name: outsider });
    expect((await nameCheck(token, "private-dataset")).body).toMatchObject({ available: false, problem: "taken" });
    expect((await nameCheck(DEMO_TOKENS.editor_user, unique("free-name"))).body).toMatchObject({ available: true, problem: null });
  });

  it("answers 400 validation_failed without a name", async () => {
    const missing = await nameCheckRoute(new NextRequest(`${BASE}/api/datasets/name-check`, { headers: { authorization: `Bearer ${DEMO_TOKENS.editor_user}` } }), noParams);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("validation_failed");
  });
});

describe(`creating a dataset (${TEST_DB_NAME})`, () => {
  it("an editor's dataset is a draft in CKAN with the form's fields, one dataset.created audit row; its first completed upload makes it active", async () => {
    const name = unique("monthly-figures");
    const res = await create(DEMO_TOKENS.editor_user, {
      title: "Monthly figures", name, description: "Figures, month by month.", organization: "f1b320fb-a460-46a9-9336-ab3d0a8eb2a4",
      visibility: "private", license: "cc-by",
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name, title: "Monthly figures", state: "draft", uploadUrl: `/datasets/${name}/upload` });
    const stored = ckan.state.getDataset(name)!;
    expect(stored).toMatchObject({ state: "draft", private: true, title: "Monthly figures", notes: "Figures, month by month.", licenseId: "cc-by" });
    expect(ckan.state.getOrganization(stored.ownerOrg!)!.name).toBe("test-org");
    expect(ckan.state.getUser(stored.creatorUserId)!.name).toBe("editor_user");
    // CKAN 2.10 drops `state` on package_create for non-sysadmins (ckan/ckan#5497): the portal patched it to draft.
    const creates = ckan.state.calls.filter((c) => c.action === "package_create" && c.params.name === name);
    expect(creates.map((c) => [c.user, c.params.state, c.status])).toEqual([["editor_user", "draft", 200]]);
    const audits = await creationAudits(stored.id);
    expect(audits).toHaveLength(1);
    expect(audits[0]!.user!.name).toBe("editor_user");
    expect(JSON.parse(audits[0]!.detail)).toMatchObject({ name, private: true, licenseId: "cc-by", state: "draft", draftBy: "package_patch" });

    const caller = callerFor(ckan, "editor_user");
    const bytes = testBytes(1000, 3);
    const created = await createUpload(caller, { datasetId: name, fileName: "first.csv", size: bytes.length, contentType: "text/csv" }, { ip: null, userAgent: null });
    const parts = await uploadAllParts(tempS3(created.credentials!), created, bytes);
    await recordParts(caller, created.sessionId, parts);
    await completeUpload(caller, created.sessionId, { sha256: sha256(bytes) });
    expect(ckan.state.getDataset(name)!.state).toBe("active");
    expect(ckan.state.getDataset(name)!.resources).toHaveLength(1);
  });

  it("a sysadmin's draft comes from package_create itself (CKAN keeps `state` for sysadmins)", async () => {
    const name = unique("admin-made");
    const res = await create(DEMO_TOKENS.ckan_admin, { title: "Admin made", name, organization: "other-org", visibility: "public" });
    expect(res.status).toBe(200);
    expect(ckan.state.getDataset(name)).toMatchObject({ state: "draft", private: false, licenseId: null });
    const audits = await creationAudits(ckan.state.getDataset(name)!.id);
    expect(JSON.parse(audits[0]!.detail)).toMatchObject({ draftBy: "package_create", state: "draft" });
  });

  it("a name already in use: CKAN's 409 comes back as 400 validation_failed with the error on the name field; nothing created, no audit row", async () => {
    const before = await getDb().auditEvent.count({ where: { type: "dataset.created" } });
    const datasets = ckan.state.datasets.size;
    const res = await create(DEMO_TOKENS.editor_user, { title: "Test Dataset", name: "test-dataset", organization: "test-org", visibility: "public" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details).toEqual([{ path: "name", message: "That URL is already in use." }]);
    expect(ckan.state.calls.at(-1)).toMatchObject({ action: "package_create", status: 409 });
    expect(ckan.state.datasets.size).toBe(datasets);
    expect(await getDb().auditEvent.count({ where: { type: "dataset.created" } })).toBe(before);
  });

  it("a name breaking CKAN's rules is refused by the portal (400 on the name field) before CKAN is asked", async () => {
    const before = packageCreateCalls();
    const res = await create(DEMO_TOKENS.editor_user, { title: "Bad", name: "Bad Name!", organization: "test-org", visibility: "public" });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ path: "name", message: "Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_" });
    expect(packageCreateCalls()).toBe(before);
  });
});
