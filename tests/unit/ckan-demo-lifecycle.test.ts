/**
 * Demo CKAN's actions for changes during an upload's life (issue 9), with CKAN 2.10's auth rules and
 * answer shapes: package_patch (fixture package_patch.json / error_authorization_package_patch.json),
 * package_delete (the dataset stays with state "deleted", shown to editors and sysadmins, hidden from
 * search), organization_member_delete, package_collaborator_delete, the seeded draft and deleted
 * datasets, and the test-only sysadmin switch (`ckan sysadmin remove`) with its opt-in HTTP control.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CkanError, createCkanClient } from "@/lib/ckan";
import { DEMO_TOKENS, type DemoUserName } from "@/scripts/ckan-demo/seed";
import { startDemoCkan, type DemoCkan } from "@/scripts/ckan-demo/server";

const FIXTURE_DIR = path.resolve(__dirname, "../../../shared/fixtures/ckan-2.10");
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, name), "utf8")) as { _http_status: number; response: Record<string, unknown> };

let demo: DemoCkan;
beforeEach(async () => {
  demo = await startDemoCkan({ port: 0, sysadminControl: true });
});
afterEach(async () => demo.close());

const as = (user: DemoUserName) => createCkanClient({ baseUrl: demo.url, token: DEMO_TOKENS[user], timeoutMs: 5000 });

async function post(action: string, user: DemoUserName | null, body: unknown) {
  const res = await fetch(`${demo.url}/api/3/action/${action}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(user ? { Authorization: DEMO_TOKENS[user] } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { success: boolean; result?: unknown; error?: Record<string, unknown> } };
}

async function kindOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(CkanError);
  return (err as CkanError).kind;
}

describe("demo CKAN: package_patch", () => {
  it("answers like CKAN 2.10 (fixture field set) and sets the state", async () => {
    const { status, json } = await post("package_patch", "editor_user", { id: "draft-dataset", state: "active" });
    expect(status).toBe(200);
    const real = fixture("package_patch.json").response.result as Record<string, unknown>;
    const got = json.result as Record<string, unknown>;
    expect(Object.keys(got).filter((k) => k !== "groups" && k !== "extras").sort()).toEqual(expect.arrayContaining(Object.keys(real).filter((k) => !["groups", "extras"].includes(k)).sort()));
    expect(got.state).toBe("active");
    expect((await as("editor_user").packageShow("draft-dataset")).state).toBe("active");
  });

  it("refuses users without package_update with CKAN's message", async () => {
    const { status, json } = await post("package_patch", "plain_user", { id: "test-dataset", notes: "nope" });
    const real = fixture("error_authorization_package_patch.json");
    expect(status).toBe(real._http_status);
    expect(json.error).toEqual(real.response.error);
  });
});

describe("demo CKAN: package_delete and the deleted state", () => {
  it("keeps the dataset with state deleted: shown to editors and sysadmins, hidden from search and from non-members", async () => {
    const { status, json } = await post("package_delete", "editor_user", { id: "test-dataset" });
    expect([status, json.success, json.result]).toEqual([200, true, null]);
    expect((await as("editor_user").packageShow("test-dataset")).state).toBe("deleted");
    expect((await as("ckan_admin").packageShow("test-dataset")).state).toBe("deleted");
    expect(await kindOf(as("plain_user").packageShow("test-dataset"))).toBe("authorization");
    expect((await as("ckan_admin").packageSearch({ includePrivate: true, rows: 100 })).results.map((d) => d.name)).not.toContain("test-dataset");
  });

  it("refuses users who may not edit the dataset", async () => {
    const { status, json } = await post("package_delete", "plain_user", { id: "test-dataset" });
    expect([status, json.error?.__type]).toEqual([403, "Authorization Error"]);
  });

  it("seeds a draft (visible only to editors) and a deleted dataset", async () => {
    expect((await as("editor_user").packageShow("draft-dataset")).state).toBe("draft");
    expect(await kindOf(as("plain_user").packageShow("draft-dataset"))).toBe("authorization");
    expect((await as("editor_user").packageShow("deleted-dataset")).state).toBe("deleted");
    const listed = (await as("ckan_admin").packageSearch({ includePrivate: true, rows: 100 })).results.map((d) => d.name);
    expect(listed).not.toContain("draft-dataset");
    expect(listed).not.toContain("deleted-dataset");
  });
});

describe("demo CKAN: membership changes", () => {
  it("organization_member_delete: organization admins and sysadmins only; the user loses update_dataset", async () => {
    const denied = await post("organization_member_delete", "editor_user", { id: "test-org", username: "editor_user" });
    expect([denied.status, denied.json.error]).toEqual([403, { __type: "Authorization Error", message: "Access denied: User editor_user not authorized to edit group f1b320fb-a460-46a9-9336-ab3d0a8eb2a4" }]);
    const ok = await post("organization_member_delete", "ckan_admin", { id: "test-org", username: "editor_user" });
    expect([ok.status, ok.json.result]).toEqual([200, null]);
    expect(await as("editor_user").organizationListForUser({ id: "editor_user", permission: "update_dataset" })).toEqual([]);
    expect((await post("organization_member_delete", "ckan_admin", { id: "no-such-org", username: "editor_user" })).status).toBe(404);
  });

  it("package_collaborator_delete: removes the collaboration; 404 for a non-collaborator", async () => {
    const ok = await post("package_collaborator_delete", "ckan_admin", { id: "private-dataset", user_id: "collab_editor" });
    expect([ok.status, ok.json.result]).toEqual([200, null]);
    expect(await as("collab_editor").packageCollaboratorListForUser({ id: "collab_editor" })).toEqual([]);
    const again = await post("package_collaborator_delete", "ckan_admin", { id: "private-dataset", user_id: "collab_editor" });
    expect([again.status, again.json.error?.message]).toEqual([404, "Not found: User collab_editor is not a collaborator on this dataset"]);
    expect((await post("package_collaborator_delete", "plain_user", { id: "private-dataset", user_id: "plain_user" })).status).toBe(403);
  });
});

describe("demo CKAN: the sysadmin switch (stand-in for `ckan sysadmin remove`)", () => {
  it("DemoState.setSysadmin and POST /_demo/sysadmin change what user_show says; the token keeps working", async () => {
    demo.state.setSysadmin("ckan_admin", false);
    expect((await as("ckan_admin").currentUser()).sysadmin).toBe(false);
    const res = await fetch(`${demo.url}/_demo/sysadmin`, { method: "POST", body: JSON.stringify({ user: "ckan_admin", sysadmin: true }) });
    expect(res.status).toBe(204);
    expect((await as("ckan_admin").currentUser()).sysadmin).toBe(true);
  });

  it("the HTTP control does not exist unless enabled", async () => {
    const plain = await startDemoCkan({ port: 0 });
    try {
      const res = await fetch(`${plain.url}/_demo/sysadmin`, { method: "POST", body: JSON.stringify({ user: "ckan_admin", sysadmin: false }) });
      expect([404, 405]).toContain(res.status);
      expect(plain.state.getUser("ckan_admin")!.sysadmin).toBe(true);
    } finally {
      await plain.close();
    }
  });
});
