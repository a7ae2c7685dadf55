/**
 * The authorization matrix: every role × every page and route, against the real portal (sts mode,
 * Ceph RGW, demo CKAN). Roles act on the private dataset `private-dataset` of test-org (collaborators:
 * plain_user as member, collab_editor as editor) and on sessions owned by collab_editor. Only a
 * session's owner, or a portal admin (a CKAN sysadmin or a PORTAL_ADMINS user), may act on it, and
 * CKAN must still allow editing the dataset whenever new credentials are handed out.
 *
 * Table-driven: add a row to ROUTES (e.g. the admin pages) with its eight expected statuses.
 *
 * The time dimension (issue 9): each role change made in CKAN — `ckan sysadmin remove` (the demo's
 * stand-in), organization_member_delete, package_collaborator_delete, package_delete — shows in the very
 * next request of a session signed in before it (the stack runs with CKAN_AUTHZ_MAX_AGE_SECONDS=0; the
 * bound itself is tested with an injected clock in tests/integration/authz-freshness.test.ts).
 */
import { expect, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { PERSONA_TOKENS } from "../../scripts/ckan-demo/personas";
import { ckanAction, setSysadmin } from "../support/ckan";
import { openDb } from "../support/portal";
import { clientFor, clientWithToken, DEMO_TOKENS_FOR_TESTS, PERSONA_NAMES, type Persona } from "../support/personas";

const DATASET = "private-dataset";
const OWNER: Persona = "collaborator (editor)";

type Ctx = { as: APIRequestContext; owner: APIRequestContext };
interface Route {
  name: string;
  /** Performs the request as `as`; `owner` prepares what the request acts on. */
  call(c: Ctx): Promise<APIResponse>;
  /** Expected status per persona, in PERSONA_NAMES order. "login" = 307 redirect to /login; "s3" = 302 to the presigned S3 URL. */
  expect: Array<number | "login" | "s3">;
}

/** Starts an upload of `size` bytes as `ctx` in DATASET. @returns the session id. */
async function startUpload(ctx: APIRequestContext, fileName: string, size: number): Promise<string> {
  const res = await ctx.post("/api/uploads", { data: { datasetId: DATASET, fileName, size, contentType: "" } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { sessionId: string }).sessionId;
}

let shared = "";
let downloadable = "";

const ROUTES: Route[] = [
  // ---- pages
  { name: "GET / (datasets list)", call: ({ as }) => as.get("/"), expect: ["login", 200, 200, 200, 200, 200, 200, 200] },
  { name: `GET /datasets/${DATASET}/upload (deep link)`, call: ({ as }) => as.get(`/datasets/${DATASET}/upload`), expect: ["login", 404, 403, 200, 200, 200, 200, 404] },
  { name: "GET /uploads (my uploads)", call: ({ as }) => as.get("/uploads"), expect: ["login", 200, 200, 200, 200, 200, 200, 200] },
  // ---- API
  {
    name: "POST /api/uploads (start upload)",
    call: ({ as }) => as.post("/api/uploads", { data: { datasetId: DATASET, fileName: "matrix-start.bin", size: 10, contentType: "" } }),
    expect: [401, 404, 403, 200, 200, 200, 200, 404],
  },
  { name: "POST /api/uploads/{id}/credentials", call: ({ as }) => as.post(`/api/uploads/${shared}/credentials`), expect: [401, 403, 403, 200, 403, 403, 200, 403] },
  // sts mode: whoever passes the ownership check is told to sign in the browser (409).
  { name: "POST /api/uploads/{id}/sign", call: ({ as }) => as.post(`/api/uploads/${shared}/sign`, { data: { partNumbers: [1] } }), expect: [401, 403, 403, 409, 403, 403, 409, 409] },
  {
    name: "POST /api/uploads/{id}/parts",
    call: ({ as }) => as.post(`/api/uploads/${shared}/parts`, { data: { parts: [{ partNumber: 1, size: 10, etag: '"0123456789abcdef0123456789abcdef"' }] } }),
    // Recording parts asks CKAN too: the portal admin may act on the session but CKAN does not let them edit the dataset.
    expect: [401, 403, 403, 200, 403, 403, 200, 403],
  },
  {
    // A 0-byte upload completes with one PutObject; the portal admin has no CKAN rights, so CKAN refuses resource_create.
    name: "POST /api/uploads/{id}/complete",
    call: async ({ as, owner }) => as.post(`/api/uploads/${await startUpload(owner, "matrix-complete.txt", 0)}/complete`, { data: {} }),
    expect: [401, 403, 403, 200, 403, 403, 200, 403],
  },
  {
    name: "POST /api/uploads/{id}/abort",
    call: async ({ as, owner }) => as.post(`/api/uploads/${await startUpload(owner, "matrix-abort.bin", 10)}/abort`),
    expect: [401, 403, 403, 200, 403, 403, 200, 200],
  },
  // ---- admin pages and routes: CKAN sysadmins and PORTAL_ADMINS only
  { name: "GET /admin/uploads (audit list)", call: ({ as }) => as.get("/admin/uploads"), expect: ["login", 403, 403, 403, 403, 403, 200, 200] },
  { name: "GET /admin/uploads/{id} (session detail)", call: ({ as }) => as.get(`/admin/uploads/${shared}`), expect: ["login", 403, 403, 403, 403, 403, 200, 200] },
  { name: "GET /api/admin/uploads", call: ({ as }) => as.get("/api/admin/uploads"), expect: [401, 403, 403, 403, 403, 403, 200, 200] },
  { name: "GET /api/admin/uploads/export (CSV)", call: ({ as }) => as.get("/api/admin/uploads/export"), expect: [401, 403, 403, 403, 403, 403, 200, 200] },
  // The shared session is not `uploaded`: admins pass the check and are told so (409).
  { name: "POST /api/admin/uploads/{id}/retry-registration", call: ({ as }) => as.post(`/api/admin/uploads/${shared}/retry-registration`), expect: [401, 403, 403, 403, 403, 403, 409, 409] },
  {
    name: "POST /api/admin/uploads/{id}/abort",
    call: async ({ as, owner }) => as.post(`/api/admin/uploads/${await startUpload(owner, "matrix-admin-abort.bin", 10)}/abort`),
    expect: [401, 403, 403, 403, 403, 403, 200, 200],
  },
  { name: "GET /download/{id}/{name}", call: ({ as }) => as.get(`/download/${downloadable}/matrix%20download.csv`), expect: ["login", 404, "s3", "s3", "s3", "s3", "s3", 404] },
];

const clients = new Map<Persona, APIRequestContext>();

test.beforeAll(async ({}, info) => {
  const baseURL = String(info.project.use.baseURL);
  for (const p of PERSONA_NAMES) clients.set(p, await clientFor(baseURL, p));
  const owner = clients.get(OWNER)!;
  shared = await startUpload(owner, "matrix-shared.bin", 10);
  downloadable = await startUpload(owner, "matrix download.csv", 0);
  const done = await owner.post(`/api/uploads/${downloadable}/complete`, { data: {} });
  expect(done.status(), await done.text()).toBe(200);
});

test.afterAll(async () => {
  await Promise.all([...clients.values()].map((c) => c.dispose()));
});

for (const route of ROUTES) {
  test(`authorization matrix: ${route.name}`, async () => {
    const seen: Record<string, string | number> = {};
    const want: Record<string, string | number> = {};
    for (const [i, persona] of PERSONA_NAMES.entries()) {
      const res = await route.call({ as: clients.get(persona)!, owner: clients.get(OWNER)! });
      const location = res.headers()["location"] ?? "";
      let got: string | number = res.status();
      if (res.status() === 307 && /\/login\?callbackUrl=/.test(location)) got = "login";
      if (res.status() === 302 && /\/login\?callbackUrl=/.test(location)) got = "login";
      if (res.status() === 302 && /X-Amz-Signature=/.test(location) && !location.includes("/login")) got = "s3";
      seen[persona] = got;
      want[persona] = route.expect[i];
      if (res.status() >= 400 && res.url().includes("/api/")) {
        const body = (await res.json()) as { error?: { code?: string; message?: string } };
        expect(body.error?.code, `${persona}: JSON error body`).toMatch(/^[a-z_]+$/);
      }
    }
    expect(seen).toEqual(want);
  });
}

test("a new credential is refused once CKAN withdraws the right to edit, with a message that the parts are kept", async () => {
  // The portal admin may act on any session, but CKAN does not let them edit the dataset.
  const res = await clients.get("portal admin")!.post(`/api/uploads/${shared}/credentials`);
  expect(res.status()).toBe(403);
  expect((await res.json()).error.message).toMatch(/no longer allows you to add files .* The parts sent so far are kept/);
});

test.describe("time dimension: a role change in CKAN shows within CKAN_AUTHZ_MAX_AGE_SECONDS (0 here)", () => {
  const sysadminToken = DEMO_TOKENS_FOR_TESTS.ckan_admin;
  const baseURL = () => String(test.info().project.use.baseURL);
  const start = async (ctx: APIRequestContext, datasetId: string, fileName: string) => {
    const res = await ctx.post("/api/uploads", { data: { datasetId, fileName, size: 10, contentType: "" } });
    expect(res.status(), await res.text()).toBe(200);
    return ((await res.json()) as { sessionId: string }).sessionId;
  };
  const errorOf = async (res: APIResponse) => [res.status(), ((await res.json()) as { error: { code: string } }).error.code];

  test("a demoted sysadmin's old session: /admin/uploads, the admin API and another organization's dataset answer 403", async () => {
    const old = await clientWithToken(baseURL(), PERSONA_TOKENS.demoted_sysadmin, "demoted sysadmin");
    try {
      expect((await old.get("/admin/uploads")).status()).toBe(200);
      expect((await old.get("/api/admin/uploads")).status()).toBe(200);
      const before = await start(old, "other-dataset", "demoted-before.bin");
      await setSysadmin("demoted_sysadmin", false); // `ckan sysadmin remove demoted_sysadmin`
      expect((await old.get("/admin/uploads")).status()).toBe(403);
      expect((await old.get("/api/admin/uploads")).status()).toBe(403);
      expect((await old.get(`/admin/uploads/${before}`)).status()).toBe(403);
      expect(await errorOf(await old.post("/api/uploads", { data: { datasetId: "other-dataset", fileName: "demoted-after.bin", size: 10, contentType: "" } }))).toEqual([403, "forbidden"]);
      expect(await errorOf(await old.post(`/api/uploads/${before}/credentials`))).toEqual([403, "permission_withdrawn"]);
      expect((await old.get(`/datasets/other-dataset/upload`)).status()).toBe(403);
      expect((await old.post(`/api/uploads/${before}/abort`)).status()).toBe(200); // its own upload: cancelling needs no rights
    } finally {
      await setSysadmin("demoted_sysadmin", true);
      await old.dispose();
    }
  });

  test("an editor removed from the organization: credentials, parts and completion refused (permission_withdrawn), the session failed; the user cancels it", async () => {
    const user = await clientWithToken(baseURL(), PERSONA_TOKENS.leaving_editor, "leaving editor");
    try {
      const id = await start(user, "test-dataset", "leaving-editor.bin");
      expect((await user.post(`/api/uploads/${id}/credentials`)).status()).toBe(200);
      await ckanAction(sysadminToken, "organization_member_delete", { id: "test-org", username: "leaving_editor" });
      expect(await errorOf(await user.post(`/api/uploads/${id}/credentials`))).toEqual([403, "permission_withdrawn"]);
      expect(await errorOf(await user.post(`/api/uploads/${id}/parts`, { data: { parts: [{ partNumber: 1, size: 10, etag: '"0123456789abcdef0123456789abcdef"' }] } }))).toEqual([403, "permission_withdrawn"]);
      expect(await errorOf(await user.post(`/api/uploads/${id}/complete`, { data: {} }))).toEqual([403, "permission_withdrawn"]);
      const db = openDb("file:./.tmp/e2e-sts.db");
      try {
        const row = db.prepare("SELECT status, errorCode, errorMessage FROM UploadSession WHERE id = ?").get(id) as { status: string; errorCode: string; errorMessage: string };
        expect([row.status, row.errorCode]).toEqual(["FAILED", "permission_withdrawn"]);
        expect(row.errorMessage).toMatch(/CKAN no longer allows you to add files to the dataset "Test Dataset"/);
      } finally {
        db.close();
      }
      const aborted = await user.post(`/api/uploads/${id}/abort`);
      expect([aborted.status(), ((await aborted.json()) as { status: string }).status]).toEqual([200, "aborted"]);
    } finally {
      await user.dispose();
    }
  });

  test("a removed collaborator: refused at the next request; an admin aborts the failed upload through the admin API", async () => {
    const user = await clientWithToken(baseURL(), PERSONA_TOKENS.leaving_collaborator, "leaving collaborator");
    const admin = await clientWithToken(baseURL(), sysadminToken, "sysadmin");
    try {
      const id = await start(user, DATASET, "leaving-collaborator.bin");
      await ckanAction(sysadminToken, "package_collaborator_delete", { id: DATASET, user_id: "leaving_collaborator" });
      expect(await errorOf(await user.post(`/api/uploads/${id}/credentials`))).toEqual([403, "permission_withdrawn"]);
      expect(await errorOf(await user.post(`/api/uploads/${id}/complete`, { data: {} }))).toEqual([403, "permission_withdrawn"]);
      expect((await user.get(`/datasets/${DATASET}/upload`)).status()).toBe(404); // private: no longer visible at all
      const aborted = await admin.post(`/api/admin/uploads/${id}/abort`);
      expect([aborted.status(), ((await aborted.json()) as { status: string }).status]).toEqual([200, "aborted"]);
    } finally {
      await user.dispose();
      await admin.dispose();
    }
  });

  test("a dataset deleted in CKAN (package_delete): the deep link answers 404 saying so, the API 410 dataset_deleted", async () => {
    const editor = await clientWithToken(baseURL(), DEMO_TOKENS_FOR_TESTS.editor_user, "editor");
    try {
      const page = await editor.get("/datasets/deleted-dataset/upload");
      expect(page.status()).toBe(404);
      expect(await page.text()).toContain("was deleted in CKAN, so it accepts no uploads");
      expect(await errorOf(await editor.post("/api/uploads", { data: { datasetId: "deleted-dataset", fileName: "x.bin", size: 10, contentType: "" } }))).toEqual([410, "dataset_deleted"]);
    } finally {
      await editor.dispose();
    }
  });
});
