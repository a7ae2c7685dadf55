/**
 * The authorization matrix: every role × every page and route, against the real portal (sts mode,
 * Ceph RGW, demo CKAN). Roles act on the private dataset `private-dataset` of test-org (collaborators:
 * plain_user as member, collab_editor as editor) and on sessions owned by collab_editor. Only a
 * session's owner, or a portal admin (a CKAN sysadmin or a PORTAL_ADMINS user), may act on it, and
 * CKAN must still allow editing the dataset whenever new credentials are handed out.
 *
 * Table-driven: add a row to ROUTES (e.g. the admin pages) with its eight expected statuses.
 */
import { expect, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { clientFor, PERSONA_NAMES, type Persona } from "../support/personas";

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
    expect: [401, 403, 403, 200, 403, 403, 200, 200],
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
