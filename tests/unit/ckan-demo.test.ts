/**
 * The demo CKAN server (scripts/ckan-demo) driven by the real client (lib/ckan), and its
 * answers compared in shape with real CKAN 2.10.10 answers (shared/fixtures/ckan-2.10/).
 */
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CkanError, canEditDataset, createCkanClient, listEditableDatasets, type CkanClient,
} from "@/lib/ckan";
import { DEMO_TOKENS, type DemoUserName } from "@/scripts/ckan-demo/seed";
import { startDemoCkan, type DemoCkan } from "@/scripts/ckan-demo/server";

const FIXTURE_DIR = path.resolve(__dirname, "../../../shared/fixtures/ckan-2.10");
const fixture = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, name), "utf8")) as { _http_status: number; response: Record<string, unknown> };

/** Each describe block gets a freshly seeded server, so no block sees another's writes. */
let demo: DemoCkan;
function useFreshDemo(): void {
  beforeAll(async () => {
    demo = await startDemoCkan({ port: 0 });
  });
  afterAll(async () => {
    await demo.close();
  });
}

const client = (token?: string, tokenHeader?: string): CkanClient =>
  createCkanClient({ baseUrl: demo.url, token, tokenHeader, timeoutMs: 5000 });
const as = (user: DemoUserName) => client(DEMO_TOKENS[user]);

async function caught(promise: Promise<unknown>): Promise<CkanError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(CkanError);
  return error as CkanError;
}

/** Raw HTTP to the demo, for shape comparisons. */
async function rawCall(action: string, init: { token?: string; params?: Record<string, string>; body?: unknown } = {}) {
  const url = new URL(`${demo.url}/api/3/action/${action}`);
  for (const [k, v] of Object.entries(init.params ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = init.token ? { Authorization: init.token } : {};
  const response = await fetch(url, init.body === undefined
    ? { headers }
    : { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(init.body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** Key → JSON type ("null", "string", "array"...), for comparing field sets and types. */
function signature(value: unknown): Record<string, string> {
  const type = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, type(v)]));
}
const keys = (value: unknown) => Object.keys(value as object);
const result = (body: Record<string, unknown>) => body.result as Record<string, unknown>;

describe("demo CKAN: identity", () => {
  useFreshDemo();

  it.each([
    ["ckan_admin", true],
    ["editor_user", false],
    ["plain_user", false],
    ["collab_editor", false],
  ] as const)("%s's token identifies them (sysadmin %s)", async (name, sysadmin) => {
    expect(await as(name).currentUser()).toMatchObject({ name, sysadmin });
  });

  it("accepts X-CKAN-API-Key, and treats unknown or Bearer tokens as anonymous (404)", async () => {
    expect((await client(DEMO_TOKENS.editor_user, "X-CKAN-API-Key").currentUser()).name).toBe("editor_user");
    expect(await caught(client("not-a-token").currentUser())).toMatchObject({ kind: "not_found", status: 404 });
    expect(await caught(client(`Bearer ${DEMO_TOKENS.editor_user}`).currentUser())).toMatchObject({ kind: "not_found" });
    expect(await caught(client().currentUser())).toMatchObject({ kind: "not_found", ckanType: "Not Found Error" });
  });

  it("shows another user by name", async () => {
    expect(await client().userShow("plain_user")).toMatchObject({ name: "plain_user", displayName: "Plain User" });
    expect(await caught(client().userShow("nobody"))).toMatchObject({ kind: "not_found" });
  });

  it("tests can add their own users and tokens", async () => {
    const name = `u_${randomUUID().slice(0, 8)}`;
    const token = demo.state.addUser({ name, fullname: "Random Tester" });
    expect(token.length).toBeGreaterThanOrEqual(40);
    expect(await client(token).currentUser()).toMatchObject({ name, displayName: "Random Tester", sysadmin: false });
    const second = demo.state.addToken(name);
    demo.state.revokeToken(token);
    expect(await caught(client(token).currentUser())).toMatchObject({ kind: "not_found" });
    expect((await client(second).currentUser()).name).toBe(name);
  });

  it("accepts reads by GET and by POST", async () => {
    const viaPost = (await as("editor_user").action("package_show", { id: "test-dataset" }, "POST")) as { name: string };
    expect(viaPost.name).toBe("test-dataset");
    expect((await as("editor_user").packageShow("test-dataset")).name).toBe("test-dataset");
  });

  it("reports its version", async () => {
    expect(await client().statusShow()).toMatchObject({ ckan_version: "2.10.10", site_url: demo.url });
  });
});

describe("demo CKAN: permissions of the seeded users", () => {
  useFreshDemo();

  const table: Array<[DemoUserName, Record<string, boolean>]> = [
    ["ckan_admin", { "test-dataset": true, "private-dataset": true, "other-dataset": true }],
    ["editor_user", { "test-dataset": true, "private-dataset": true, "other-dataset": false }],
    ["plain_user", { "test-dataset": false, "private-dataset": false, "other-dataset": false }],
    ["collab_editor", { "test-dataset": false, "private-dataset": true, "other-dataset": false }],
  ];

  it.each(table)("%s", async (name, expected) => {
    const ckan = as(name);
    const me = await ckan.currentUser();
    for (const [dataset, allowed] of Object.entries(expected)) {
      const pkg = await as("ckan_admin").packageShow(dataset);
      expect(await canEditDataset(ckan, me, pkg), `${name} on ${dataset}`).toBe(allowed);
    }
    const listed = await listEditableDatasets(ckan, me, { rows: 50 });
    const names = Object.entries(expected).filter(([, ok]) => ok).map(([d]) => d);
    expect(listed.results.map((d) => d.name).sort()).toEqual(names.sort());
    expect(listed.count).toBe(names.length);
  });

  it("lists organizations and collaborations like CKAN", async () => {
    expect(await as("editor_user").organizationListForUser({ id: "editor_user", permission: "update_dataset" })).toEqual([
      { id: "f1b320fb-a460-46a9-9336-ab3d0a8eb2a4", name: "test-org", title: "Test Org", capacity: "editor" },
    ]);
    expect(await as("plain_user").organizationListForUser({ id: "plain_user", permission: "update_dataset" })).toEqual([]);
    expect((await as("ckan_admin").organizationListForUser({ id: "ckan_admin", permission: "update_dataset" })).map((o) => o.capacity))
      .toEqual(["admin", "admin"]);
    expect(await as("plain_user").packageCollaboratorListForUser({ id: "plain_user" })).toEqual([
      { packageId: "78803070-ddeb-4580-8146-f0ddabee9f31", capacity: "member" },
    ]);
    expect(await caught(as("plain_user").packageCollaboratorListForUser({ id: "collab_editor" })))
      .toMatchObject({ kind: "authorization", status: 403 });
  });

  it("a test's own user becomes an editor through organization membership", async () => {
    const name = `org_${randomUUID().slice(0, 8)}`;
    const token = demo.state.addUser({ name });
    const org = demo.state.addOrganization({ name: `org-${name}`, title: "Random Org" });
    const ds = demo.state.addDataset({ name: `ds-${name}`, owner_org: org.name, private: true });
    const ckan = client(token);
    const me = await ckan.currentUser();
    expect(await canEditDataset(ckan, me, { id: ds.id, ownerOrg: org.id })).toBe(false);
    demo.state.addMember(org.name, name, "editor");
    expect(await canEditDataset(ckan, me, { id: ds.id, ownerOrg: org.id })).toBe(true);
    expect((await listEditableDatasets(ckan, me, { q: name })).results.map((d) => d.name)).toEqual([ds.name]);
  });

  it("collaborators disabled: the client treats it as no collaborations", async () => {
    demo.state.allowDatasetCollaborators = false;
    try {
      const ckan = as("collab_editor");
      expect(await canEditDataset(ckan, await ckan.currentUser(), { id: "78803070-ddeb-4580-8146-f0ddabee9f31", ownerOrg: null }))
        .toBe(false);
    } finally {
      demo.state.allowDatasetCollaborators = true;
    }
  });
});

describe("demo CKAN: private datasets", () => {
  useFreshDemo();

  it("answers 403 to anonymous callers, exactly like CKAN", async () => {
    const error = await caught(client().packageShow("private-dataset"));
    expect(error).toMatchObject({ kind: "authorization", status: 403, ckanType: "Authorization Error" });
    const real = fixture("error_private_package_show_anonymous.json").response.error as { message: string };
    expect(error.ckanMessage).toBe(real.message);
  });

  it("lets org members and collaborators (any capacity) read; hides it from search otherwise", async () => {
    expect((await as("plain_user").packageShow("private-dataset")).private).toBe(true);
    const stranger = demo.state.addUser({ name: `s_${randomUUID().slice(0, 8)}` });
    expect(await caught(client(stranger).packageShow("private-dataset"))).toMatchObject({ kind: "authorization" });
    const names = async (c: CkanClient) =>
      (await c.packageSearch({ includePrivate: true, rows: 100 })).results.map((d) => d.name);
    expect(await names(client(stranger))).not.toContain("private-dataset");
    expect(await names(as("plain_user"))).toContain("private-dataset");
    expect((await as("ckan_admin").packageSearch({ rows: 100 })).results.map((d) => d.name)).not.toContain("private-dataset");
  });
});

describe("demo CKAN: resource writes", () => {
  useFreshDemo();

  it("resource_patch replaces a file's fields and describes it as CKAN 2.10 does: same id, others kept, hash cleared with \"\", format cleaned", async () => {
    const ckan = as("editor_user");
    const created = await ckan.resourceCreate({ package_id: "test-dataset", url: "https://portal.test/download/a/old.csv", name: "Monthly", description: "Kept", size: 10, hash: "sha256:old", mimetype: "text/csv" });
    const patched = await ckan.resourcePatch({ id: created.id, url: "https://portal.test/download/b/new.nc", size: 20, hash: "", mimetype: "application/x-netcdf", format: "nc", last_modified: "2026-11-29T22:00:00.5" });
    expect(patched).toMatchObject({ id: created.id, name: "Monthly", description: "Kept", url: "https://portal.test/download/b/new.nc", size: 20, hash: "", mimetype: "application/x-netcdf", format: "NetCDF", last_modified: "2026-11-29T22:00:00.500000" });
    const described = await ckan.resourcePatch({ id: created.id, name: "Renamed", description: "" });
    expect(described).toMatchObject({ id: created.id, name: "Renamed", description: "", size: 20, format: "NetCDF", url: "https://portal.test/download/b/new.nc" });
    await expect(as("plain_user").resourcePatch({ id: created.id, name: "x" })).rejects.toMatchObject({ kind: "authorization" });
  });

  it("creates a resource for an org editor and echoes what it stored", async () => {
    const created = await as("editor_user").resourceCreate({
      package_id: "test-dataset",
      url: "https://bucket.s3.amazonaws.com/uploads/big.csv",
      name: "big.csv",
      size: 12_345_678_901,
      hash: "sha256:abc",
      mimetype: "text/csv",
      last_modified: new Date("2026-01-02T03:04:05.678Z"),
      portal_session: "s-1",
    });
    expect(created).toMatchObject({
      package_id: "ddb8eabc-eadb-4c81-ac4c-029911054d45", url: "https://bucket.s3.amazonaws.com/uploads/big.csv",
      name: "big.csv", size: 12_345_678_901, hash: "sha256:abc", mimetype: "text/csv", format: "CSV",
      last_modified: "2026-01-02T03:04:05.678000", url_type: null, portal_session: "s-1", state: "active",
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(created.position).toBeGreaterThanOrEqual(1);
    const pkg = await client().packageShow("test-dataset");
    expect(pkg.resources.map((r) => r.id)).toContain(created.id);

    const patched = await as("editor_user").resourcePatch({ id: created.id, size: 5, description: "v2" });
    expect(patched).toMatchObject({ id: created.id, size: 5, description: "v2", hash: "sha256:abc", url: created.url });
    expect(await caught(as("plain_user").resourcePatch({ id: created.id, size: 1 })))
      .toMatchObject({ kind: "authorization", status: 403 });
  });

  it("lets a collaborator editor write to the private dataset", async () => {
    const created = await as("collab_editor").resourceCreate({ package_id: "private-dataset", url: "https://s3/x.zip", name: "x.zip" });
    expect(created).toMatchObject({ format: "ZIP", mimetype: "application/zip", package_id: "78803070-ddeb-4580-8146-f0ddabee9f31" });
  });

  it.each([
    ["plain_user", "test-dataset", /User plain_user not authorized to create resources on dataset test-dataset/],
    ["plain_user", "private-dataset", /User plain_user not authorized to create resources/],
    ["editor_user", "other-dataset", /User editor_user not authorized to create resources/],
  ] as const)("refuses %s on %s", async (user, dataset, message) => {
    const error = await caught(as(user).resourceCreate({ package_id: dataset, url: "https://s3/x", name: "x" }));
    expect(error).toMatchObject({ kind: "authorization", status: 403, ckanType: "Authorization Error" });
    expect(error.message).toMatch(message);
  });

  it("refuses anonymous writes and unknown datasets", async () => {
    expect(await caught(client().resourceCreate({ package_id: "test-dataset", url: "https://s3/x", name: "x" })))
      .toMatchObject({ kind: "authorization", ckanMessage: "Access denied: User  not authorized to create resources on dataset test-dataset" });
    expect(await caught(as("ckan_admin").resourceCreate({ package_id: "nope", url: "https://s3/x", name: "x" })))
      .toMatchObject({ kind: "not_found", status: 404 });
  });

  it("validates like CKAN (409 with field errors)", async () => {
    const ckan = as("editor_user");
    expect(await caught(ckan.action("resource_create", { package_id: "test-dataset", name: "x" }, "POST")))
      .toMatchObject({ kind: "validation", status: 409, ckanType: "Validation Error", fieldErrors: { url: ["Missing value"] } });
    expect(await caught(ckan.action("resource_create", { url: "https://s3/x" }, "POST")))
      .toMatchObject({ kind: "validation", fieldErrors: { package_id: ["Missing value"] } });
    expect(await caught(ckan.action("resource_create", {
      package_id: "test-dataset", url: "https://s3/x", size: "big", last_modified: "2026-01-01T00:00:00Z",
    }, "POST"))).toMatchObject({
      kind: "validation", fieldErrors: { size: ["Invalid integer"], last_modified: ["Date format incorrect"] },
    });
  });

  it("rewrites the URL if url_type upload is sent, as CKAN would", async () => {
    const created = (await as("editor_user").action("resource_create", {
      package_id: "test-dataset", url: "https://s3/k/file.bin", url_type: "upload",
    }, "POST")) as { url: string };
    expect(created.url).toMatch(new RegExp(`^${demo.url}/dataset/.+/resource/.+/download/file\\.bin$`));
  });

  it("answers GET on a write and unknown actions with 400 Bad request", async () => {
    expect(await caught(as("editor_user").action("resource_create", { package_id: "x" }, "GET")))
      .toMatchObject({ kind: "bad_request", status: 400, ckanMessage: expect.stringMatching(/^Bad request - JSON Error/) });
    expect(await caught(client().action("no_such_action"))).toMatchObject({
      kind: "bad_request", status: 400, ckanMessage: "Bad request - Action name not known: no_such_action",
    });
  });
});

describe("demo CKAN: fault hooks", () => {
  useFreshDemo();

  it("failNext answers the next calls with the given status, then recovers", async () => {
    demo.state.failNext("package_show", 500, 2);
    for (let i = 0; i < 2; i++) {
      expect(await caught(client().packageShow("test-dataset")))
        .toMatchObject({ kind: "server", status: 500, ckanType: "Internal Server Error" });
    }
    expect((await client().packageShow("test-dataset")).name).toBe("test-dataset");
    demo.state.failNext("status_show", 503);
    expect(await caught(client().statusShow())).toMatchObject({ kind: "not_ckan", status: 503 });
  });

  it.each([
    ["maintenance-page", 503, "text/html"],
    ["login-page", 200, "text/html"],
    ["proxy-page", 502, "text/html"],
    ["truncated-json", 200, "application/json"],
    ["json-without-envelope", 200, "application/json"],
  ] as const)("failNext with answer %s stands in for a non-CKAN answer (HTTP %i, %s)", async (answer, status, type) => {
    demo.state.failNext("*", status, 1, answer);
    const error = await caught(client().packageShow("test-dataset"));
    expect(error).toMatchObject({ kind: "not_ckan", status });
    expect(error.message).toBe(`CKAN at ${demo.url} is not answering as a CKAN API (HTTP ${status}, ${type})`);
    expect((await client().packageShow("test-dataset")).name).toBe("test-dataset");
  });

  it("delayNext makes the client time out", async () => {
    demo.state.delayNext("status_show", 300);
    const slow = createCkanClient({ baseUrl: demo.url, timeoutMs: 50 });
    expect(await caught(slow.statusShow())).toMatchObject({ kind: "unreachable", status: 0 });
  });

  it("an unreachable demo is reported as such", async () => {
    const stopped = await startDemoCkan({ port: 0 });
    await stopped.close();
    expect(await caught(createCkanClient({ baseUrl: stopped.url }).statusShow())).toMatchObject({ kind: "unreachable" });
  });
});

describe("demo CKAN: pages", () => {
  useFreshDemo();

  it("serves dataset and resource pages for back-links", async () => {
    const page = await fetch(`${demo.url}/dataset/test-dataset`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Test Dataset");
    const res = await fetch(`${demo.url}/dataset/test-dataset/resource/720fc352-cac1-41cb-aaad-1146fd3609ef`);
    expect(await res.text()).toContain("http://example.org/data.csv");
    expect((await fetch(`${demo.url}/dataset/nope`)).status).toBe(404);
  });
});

describe("demo CKAN answers have the shape of CKAN 2.10.10 answers", () => {
  useFreshDemo();

  const editor = DEMO_TOKENS.editor_user;

  it("help URLs point at the demo itself", async () => {
    const { json } = await rawCall("status_show");
    expect(json.help).toBe(`${demo.url}/api/3/action/help_show?name=status_show`);
  });

  it.each([
    ["user_show.json", () => rawCall("user_show", { token: DEMO_TOKENS.ckan_admin, params: { id: "editor_user" } })],
    ["user_show_self_from_token.json", () => rawCall("user_show", { token: editor })],
    ["package_show.json", () => rawCall("package_show", { token: editor, params: { id: "test-dataset" } })],
    ["resource_create.json", () => rawCall("resource_create", {
      token: editor, body: { package_id: "test-dataset", url: "http://example.org/data.csv", name: "data.csv", format: "CSV" },
    })],
    ["resource_patch.json", () => rawCall("resource_patch", {
      token: editor, body: { id: "720fc352-cac1-41cb-aaad-1146fd3609ef", description: "patched res" },
    })],
    ["status and envelope of package_search.json", () => rawCall("package_search", { token: editor, params: { q: "*:*" } })],
  ])("%s: same envelope, same result fields and types", async (name, call) => {
    const real = fixture(name.replace(/^status and envelope of /, ""));
    const ours = await call();
    expect(ours.status).toBe(real._http_status);
    expect(keys(ours.json)).toEqual(keys(real.response));
    if (name.includes("package_search")) {
      const [r, o] = [result(real.response), result(ours.json)];
      expect(keys(o)).toEqual(keys(r));
      expect(signature((o.results as unknown[])[0])).toEqual(signature((r.results as unknown[])[0]));
      return;
    }
    expect(signature(result(ours.json))).toEqual(signature(result(real.response)));
  });

  it("package_show: organization and resource objects match", async () => {
    const real = result(fixture("package_show.json").response);
    const ours = result((await rawCall("package_show", { params: { id: "test-dataset" } })).json);
    expect(signature(ours.organization)).toEqual(signature(real.organization));
    const [ourRes, realRes] = [(ours.resources as unknown[])[0], (real.resources as unknown[])[0]];
    expect(signature(ourRes)).toEqual(signature(realRes));
  });

  it("organization_list_for_user and package_collaborator_list_for_user items match", async () => {
    const realOrgs = fixture("organization_list_for_user.json").response.result as unknown[];
    const ourOrgs = result(await rawCall("organization_list_for_user", { token: editor, params: { permission: "update_dataset" } }).then((r) => r.json)) as unknown as unknown[];
    expect(ourOrgs.map(signature)).toEqual(realOrgs.map(signature));
    const realCollabs = fixture("package_collaborator_list_for_user.json").response.result as unknown[];
    const ourCollabs = (await rawCall("package_collaborator_list_for_user", {
      token: DEMO_TOKENS.plain_user, params: { id: "plain_user" },
    })).json.result as unknown[];
    expect(ourCollabs.map(signature)).toEqual(realCollabs.map(signature));
  });

  it.each([
    ["user_show_anonymous.json", () => rawCall("user_show")],
    ["error_not_found.json", () => rawCall("package_show", { token: editor, params: { id: "no-such-dataset" } })],
    ["error_private_package_show_anonymous.json", () => rawCall("package_show", { params: { id: "private-dataset" } })],
    ["error_authorization_package_patch.json", () => rawCall("resource_create", {
      token: DEMO_TOKENS.plain_user, body: { package_id: "test-dataset", url: "http://example.org/x" },
    })],
    ["error_validation.json", () => rawCall("resource_create", { token: editor, body: { package_id: "test-dataset" } })],
  ])("%s: same status, envelope and error fields", async (name, call) => {
    const real = fixture(name);
    const ours = await call();
    expect(ours.status).toBe(real._http_status);
    expect(keys(ours.json)).toEqual(keys(real.response));
    const [ourError, realError] = [ours.json.error as Record<string, unknown>, real.response.error as Record<string, unknown>];
    if (name === "error_validation.json") {
      expect(keys(ourError).at(-1)).toBe("__type");
      for (const [field, messages] of Object.entries(ourError)) {
        if (field !== "__type") expect(messages).toEqual([expect.any(String)]);
      }
    } else {
      expect(keys(ourError)).toEqual(keys(realError));
    }
    expect(ourError.__type).toBe(realError.__type);
    if (name !== "error_authorization_package_patch.json") expect(ourError.message).toEqual(realError.message);
  });
});
