/**
 * Contract tests of lib/ckan against real CKAN 2.10.10 answers (shared/fixtures/ckan-2.10/),
 * plus transport behaviour (token header, timeouts, broken answers) and permission decisions.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import {
  CkanError, canEditDataset, createCkanClient, editableDatasetsFilter, listEditableDatasets, solrQuote,
  toCkanTimestamp, type CkanClient, type FetchLike,
} from "@/lib/ckan";
import { packageSchema, toPackage, toUser, userSchema } from "@/lib/ckan/types";
import { ckanDownReasonFromDigest, ckanFailureMessage } from "@/lib/ckan/errors";

// ---- fake fetch: records every request, answers from a script or a fixture (no network) ----
const FIXTURE_DIR = path.resolve(__dirname, "../../../shared/fixtures/ckan-2.10");

interface Fixture {
  _request: { method: "GET" | "POST"; url: string; body: Record<string, unknown> | null; auth: string | null };
  _http_status: number;
  response: unknown;
}

function fixtureNames(): string[] {
  return fs.readdirSync(FIXTURE_DIR).filter((f) => f.endsWith(".json")).sort();
}

function loadFixture(name: string): Fixture {
  return JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, name), "utf8")) as Fixture;
}

interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: Record<string, unknown> | null;
  signal: AbortSignal | null;
}

interface FakeAnswer {
  status: number;
  /** JSON-encoded unless `raw` is given. */
  body?: unknown;
  raw?: string;
  /** Content-Type header; default application/json, null = none. */
  contentType?: string | null;
}

type Responder = (request: RecordedRequest) => FakeAnswer | Promise<FakeAnswer>;

/** A fetch that answers each action with `routes[action]`; unknown actions fail the test. */
function scriptedFetch(routes: Record<string, Responder>) {
  const requests: RecordedRequest[] = [];
  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input);
    const request: RecordedRequest = {
      method: init.method ?? "GET",
      url,
      headers: new Headers(init.headers),
      body: typeof init.body === "string" ? (JSON.parse(init.body) as Record<string, unknown>) : null,
      signal: init.signal ?? null,
    };
    requests.push(request);
    const action = url.pathname.split("/").pop() ?? "";
    const route = routes[action];
    if (!route) throw new Error(`fake fetch: no route for ${action}`);
    const answer = await route(request);
    const text = answer.raw ?? JSON.stringify(answer.body);
    const headers: Record<string, string> = answer.contentType === null ? {} : { "Content-Type": answer.contentType ?? "application/json" };
    return new Response(text === "" ? null : text, { status: answer.status, headers });
  };
  return { fetch, requests };
}

/** A fetch that answers every request with the fixture's status and body. */
function fixtureFetch(fixture: Fixture) {
  const action = new URL(fixture._request.url, "http://x").pathname.split("/").pop() ?? "";
  return scriptedFetch({ [action]: () => ({ status: fixture._http_status, body: fixture.response }) });
}

/** A CKAN success envelope, as CKAN 2.10 prints it. */
function ok(action: string, result: unknown): FakeAnswer {
  return { status: 200, body: { help: `http://ckan.test/api/3/action/help_show?name=${action}`, success: true, result } };
}

/** A CKAN error envelope. */
function fail(action: string, status: number, error: Record<string, unknown>): FakeAnswer {
  return {
    status,
    body: { help: `http://ckan.test/api/3/action/help_show?name=${action}`, error, success: false },
  };
}

// ---- tests -------------------------------------------------------------------------------

const BASE = "http://ckan.test";
const TOKEN = "tok-1234567890-abcdefghijklmnopqrstuvwxyz-SECRET";

async function caught(promise: Promise<unknown>): Promise<CkanError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(CkanError);
  return error as CkanError;
}

/** The request CKAN was probed with, compared with what the client sent. */
function expectSameRequest(fixture: Fixture, sent: RecordedRequest | undefined) {
  const probed = new URL(fixture._request.url, BASE);
  expect(sent).toBeDefined();
  expect(sent!.method).toBe(fixture._request.method);
  expect(sent!.url.pathname).toBe(probed.pathname);
  expect(Object.fromEntries(sent!.url.searchParams)).toEqual(Object.fromEntries(probed.searchParams));
  if (fixture._request.method === "POST") expect(sent!.body).toEqual(fixture._request.body);
}

interface Case {
  call: (client: CkanClient, fixture: Fixture) => Promise<unknown>;
  /** Assert on the result; omitted for error fixtures. */
  result?: (value: unknown, fixture: Fixture) => void;
  /** Error fixtures: the expected CkanError fields. */
  error?: Partial<Pick<CkanError, "kind" | "status" | "ckanType" | "fieldErrors">> & { message?: RegExp };
  /** The client sends exactly the fixture's request (method, path, query, body). */
  sameRequest?: boolean;
}

const raw = (f: Fixture) => (f.response as { result: unknown }).result;
const rawPost = (action: string) => (c: CkanClient, f: Fixture) => c.action(action, f._request.body ?? {}, "POST");
const rawGet = (c: CkanClient, f: Fixture) => {
  const url = new URL(f._request.url, BASE);
  return c.action(url.pathname.split("/").pop()!, Object.fromEntries(url.searchParams), "GET");
};
const equalsFixtureResult = (value: unknown, f: Fixture) => expect(value).toEqual(raw(f));
const EDITOR = { id: "974be5a7-ce3b-40dd-bed6-2fbde4837bd9", name: "editor_user", displayName: "Editor User", sysadmin: false };
const TEST_ORG = { id: "f1b320fb-a460-46a9-9336-ab3d0a8eb2a4", name: "test-org", title: "Test Org" };
const PRIVATE_ID = "78803070-ddeb-4580-8146-f0ddabee9f31";
const forbidden = (message: RegExp): Case["error"] => ({ kind: "authorization", status: 403, ckanType: "Authorization Error", message });

const CASES: Record<string, Case> = {
  "api_token_create.json": { call: rawPost("api_token_create"), result: equalsFixtureResult, sameRequest: true },
  "api_token_list.json": { call: rawGet, result: equalsFixtureResult, sameRequest: true },
  "error_anonymous.json": { call: rawPost("package_patch"), error: forbidden(/User {2}not authorized to edit package/), sameRequest: true },
  "error_authorization_api_token_list.json": { call: rawPost("api_token_list"), error: forbidden(/: Access denied$/), sameRequest: true },
  "error_authorization_member_create.json": { call: rawPost("organization_member_create"), error: forbidden(/editor_user not authorized to add members/), sameRequest: true },
  "error_authorization_package_patch.json": { call: rawPost("package_patch"), error: forbidden(/plain_user not authorized to edit package/), sameRequest: true },
  "error_invalid_token.json": { call: rawPost("package_patch"), error: forbidden(/User {2}not authorized/), sameRequest: true },
  "error_not_found.json": {
    call: (c) => c.packageShow("no-such-dataset"),
    error: { kind: "not_found", status: 404, ckanType: "Not Found Error", message: /package_show: Not Found Error: Not found/ },
    sameRequest: true,
  },
  "error_private_package_show_anonymous.json": {
    call: (c) => c.packageShow("private-dataset"),
    error: forbidden(new RegExp(`not authorized to read package ${PRIVATE_ID}`)),
    sameRequest: true,
  },
  "error_validation.json": {
    call: rawPost("package_create"),
    error: {
      kind: "validation", status: 409, ckanType: "Validation Error",
      fieldErrors: { name: ["Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_"] },
      message: /Validation Error: name: Must be purely lowercase/,
    },
    sameRequest: true,
  },
  "organization_create.json": { call: rawPost("organization_create"), result: equalsFixtureResult, sameRequest: true },
  "organization_list_for_user.json": {
    call: (c) => c.organizationListForUser({ permission: "update_dataset" }),
    result: (v) => expect(v).toEqual([{ ...TEST_ORG, capacity: "editor" }]),
    sameRequest: true,
  },
  "organization_list_for_user_by_id_as_sysadmin.json": {
    call: (c) => c.organizationListForUser({ id: "editor_user", permission: "update_dataset" }),
    result: (v) => expect(v).toEqual([{ ...TEST_ORG, capacity: "editor" }]),
    sameRequest: true,
  },
  "organization_list_for_user_plain.json": {
    call: (c) => c.organizationListForUser({ permission: "update_dataset" }),
    result: (v) => expect(v).toEqual([]),
    sameRequest: true,
  },
  "organization_member_create.json": { call: rawPost("organization_member_create"), result: equalsFixtureResult, sameRequest: true },
  "organization_show.json": { call: rawGet, result: equalsFixtureResult, sameRequest: true },
  "package_collaborator_create.json": { call: rawPost("package_collaborator_create"), result: equalsFixtureResult, sameRequest: true },
  "package_collaborator_list_for_user.json": {
    call: (c) => c.packageCollaboratorListForUser({ id: "plain_user" }),
    result: (v) => expect(v).toEqual([{ packageId: PRIVATE_ID, capacity: "member" }]),
    sameRequest: true,
  },
  "package_collaborator_list_for_user_empty.json": {
    call: (c) => c.packageCollaboratorListForUser({ id: "editor_user" }),
    result: (v) => expect(v).toEqual([]),
    sameRequest: true,
  },
  "package_create.json": {
    call: rawPost("package_create"),
    result: (v) => expect(toPackage(packageSchema.parse(v))).toMatchObject({ name: "test-dataset", ownerOrg: TEST_ORG.id, resources: [] }),
    sameRequest: true,
  },
  "package_patch.json": {
    call: rawPost("package_patch"),
    result: (v) => expect(toPackage(packageSchema.parse(v))).toMatchObject({ name: "test-dataset", notes: "patched" }),
    sameRequest: true,
  },
  "package_search.json": {
    call: (c) => c.packageSearch({ q: "*:*" }),
    result: (v) => {
      expect(v).toMatchObject({ count: 1, results: [{ name: "test-dataset", ownerOrg: TEST_ORG.id, private: false }] });
      expect((v as { results: Array<{ resources: unknown[] }> }).results[0]!.resources).toHaveLength(1);
    },
    sameRequest: true,
  },
  "package_show.json": {
    call: (c) => c.packageShow("test-dataset"),
    result: (v) =>
      expect(v).toEqual({
        id: "ddb8eabc-eadb-4c81-ac4c-029911054d45",
        name: "test-dataset",
        title: "Test Dataset",
        private: false,
        ownerOrg: TEST_ORG.id,
        organization: TEST_ORG,
        url: null,
        notes: "patched",
        state: "active",
        metadataModified: "2026-11-29T12:45:33.251850",
        resources: [
          expect.objectContaining({
            id: "720fc352-cac1-41cb-aaad-1146fd3609ef", package_id: "ddb8eabc-eadb-4c81-ac4c-029911054d45",
            name: "data.csv", url: "http://example.org/data.csv", format: "CSV", mimetype: "text/csv",
            size: null, hash: "", created: "2026-11-29T12:45:33.186055", position: 0, url_type: null,
          }),
        ],
      }),
    sameRequest: true,
  },
  "resource_create.json": {
    call: (c) => c.resourceCreate({ package_id: "test-dataset", url: "http://example.org/data.csv", name: "data.csv", format: "CSV" }),
    result: (v) => expect(v).toEqual(raw(loadFixture("resource_create.json"))),
    sameRequest: true,
  },
  "resource_patch.json": {
    call: (c) => c.resourcePatch({ id: "720fc352-cac1-41cb-aaad-1146fd3609ef", description: "patched res" }),
    result: (v) => expect(v).toMatchObject({ id: "720fc352-cac1-41cb-aaad-1146fd3609ef", description: "patched res", size: null }),
    sameRequest: true,
  },
  "user_create.json": {
    call: rawPost("user_create"),
    result: (v) => expect(toUser(userSchema.parse(v))).toEqual(EDITOR),
    sameRequest: true,
  },
  "user_show.json": { call: (c) => c.userShow("editor_user"), result: (v) => expect(v).toEqual(EDITOR), sameRequest: true },
  "user_show_anonymous.json": {
    call: (c) => c.currentUser(),
    error: { kind: "not_found", status: 404, ckanType: "Not Found Error" },
    sameRequest: true,
  },
  "user_show_self_from_token.json": { call: (c) => c.currentUser(), result: (v) => expect(v).toEqual(EDITOR), sameRequest: true },
};

describe("CKAN client against CKAN 2.10.10 fixtures", () => {
  it("has a case for every fixture file", () => {
    expect(Object.keys(CASES).sort()).toEqual(fixtureNames());
  });

  for (const name of fixtureNames()) {
    it(name, async () => {
      const fixture = loadFixture(name);
      const test = CASES[name];
      expect(test, `no case for ${name}`).toBeDefined();
      const { fetch, requests } = fixtureFetch(fixture);
      const token = fixture._request.auth ? TOKEN : undefined;
      const client = createCkanClient({ baseUrl: BASE, token, fetch });

      if (test!.error) {
        const error = await caught(test!.call(client, fixture));
        const { message, ...fields } = test!.error;
        expect(error).toMatchObject(fields);
        if (message) expect(error.message).toMatch(message);
        expect(error.message).not.toContain(TOKEN);
        if (!fields.fieldErrors) expect(error.fieldErrors).toBeUndefined();
      } else {
        test!.result!(await test!.call(client, fixture), fixture);
      }
      expect(requests).toHaveLength(1);
      expect(requests[0]!.headers.get("Authorization")).toBe(token ?? null);
      if (test!.sameRequest) expectSameRequest(fixture, requests[0]);
    });
  }
});

describe("CKAN client transport", () => {
  const userAnswer = () => ok("user_show", raw(loadFixture("user_show_self_from_token.json")));

  it("sends the raw token in Authorization (no Bearer) and none when anonymous", async () => {
    const { fetch, requests } = scriptedFetch({ user_show: userAnswer });
    await createCkanClient({ baseUrl: `${BASE}/`, token: TOKEN, fetch }).currentUser();
    await createCkanClient({ baseUrl: BASE, fetch }).currentUser();
    expect(requests[0]!.headers.get("Authorization")).toBe(TOKEN);
    expect(requests[0]!.url.href).toBe(`${BASE}/api/3/action/user_show`);
    expect(requests[1]!.headers.has("Authorization")).toBe(false);
  });

  it("uses X-CKAN-API-Key when configured, and keeps a base path", async () => {
    const { fetch, requests } = scriptedFetch({ user_show: userAnswer });
    const client = createCkanClient({ baseUrl: `${BASE}/data`, token: TOKEN, tokenHeader: "X-CKAN-API-Key", fetch });
    expect(await client.currentUser()).toEqual(EDITOR);
    expect(requests[0]!.headers.get("X-CKAN-API-Key")).toBe(TOKEN);
    expect(requests[0]!.headers.has("Authorization")).toBe(false);
    expect(requests[0]!.url.pathname).toBe("/data/api/3/action/user_show");
  });

  it("reports an unreachable CKAN with its host, never the token", async () => {
    const fetch = async () => {
      throw new TypeError(`fetch failed (${TOKEN})`, { cause: new Error("connect ECONNREFUSED 127.0.0.1:9") });
    };
    const error = await caught(createCkanClient({ baseUrl: "https://ckan.example.org", token: TOKEN, fetch }).currentUser());
    expect(error).toMatchObject({ kind: "unreachable", status: 0, action: "user_show", ckanType: null });
    expect(error.message).toMatch(/^CKAN at ckan\.example\.org is unreachable \(user_show\)/);
    expect(ckanDownReasonFromDigest(error.digest)).toEqual({ code: "ckan_unreachable", values: { host: "ckan.example.org" } });
    expect(error.message).not.toContain(TOKEN);
    expect(error.digest).not.toContain(TOKEN);
    expect(String((error.cause as Error).message)).not.toContain(TOKEN);
  });

  it("keeps the network error as cause", async () => {
    const refused = new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:9") });
    const error = await caught(createCkanClient({ baseUrl: BASE, token: TOKEN, fetch: async () => { throw refused; } }).statusShow());
    expect(error).toMatchObject({ kind: "unreachable", message: "CKAN at ckan.test is unreachable (status_show): fetch failed" });
    expect(error.cause).toBe(refused);
  });

  it("times out and aborts a request that never answers", async () => {
    let signal: AbortSignal | undefined;
    const fetch = (_url: string, init: RequestInit) => {
      signal = init.signal ?? undefined;
      return new Promise<Response>(() => undefined); // ignores the signal entirely
    };
    // Fake timers: the timeout fires at exactly 50 ms of the test's own clock, whatever the machine's load.
    vi.useFakeTimers();
    try {
      let settled = false;
      const pending = caught(createCkanClient({ baseUrl: BASE, token: TOKEN, fetch, timeoutMs: 50 }).packageShow("x")).finally(() => {
        settled = true;
      });
      await vi.advanceTimersByTimeAsync(49);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      const error = await pending;
      expect(error).toMatchObject({ kind: "unreachable", status: 0, action: "package_show" });
      expect(error.message).toBe("CKAN at ckan.test did not answer package_show within 50 ms");
      expect(ckanDownReasonFromDigest(error.digest)).toEqual({ code: "ckan_unreachable", values: { host: "ckan.test" } });
      expect(signal?.aborted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it("times out while the body is still arriving", async () => {
    const fetch = async () =>
      new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('{"help":')) }), { status: 200 });
    const error = await caught(createCkanClient({ baseUrl: BASE, fetch, timeoutMs: 50 }).statusShow());
    expect(error.kind).toBe("unreachable");
  });

  it.each([
    ["200 with HTML", 200, "<html>login</html>", "not_ckan"],
    ["404 with HTML (wrong base URL, not an invalid token)", 404, "<html>Not Found</html>", "not_ckan"],
    ["502 from a proxy", 502, "<html>Bad Gateway</html>", "not_ckan"],
    ["200 JSON without the envelope", 200, '{"id": 1}', "not_ckan"],
    ["200 envelope with a wrong result shape", 200, '{"success": true, "result": {"id": 5}}', "invalid_response"],
  ])("%s → %s", async (_label, status, body, kind) => {
    const { fetch } = scriptedFetch({ user_show: () => ({ status, raw: body }) });
    const error = await caught(createCkanClient({ baseUrl: BASE, token: TOKEN, fetch }).currentUser());
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
  });

  // CASES 28: whatever stands in front of CKAN, the message names CKAN_URL, the status and the content type.
  it.each([
    ["a maintenance page with 200", 200, "text/html; charset=utf-8", "<!doctype html><h1>Down for maintenance</h1>", "HTTP 200, text/html"],
    ["a maintenance page with 503", 503, "text/html", "<html><h1>Maintenance</h1></html>", "HTTP 503, text/html"],
    ["an SSO login page", 200, "text/html;charset=UTF-8", '<html><form action="/sso/login"></form></html>', "HTTP 200, text/html"],
    ["a proxy's 502 page", 502, "text/html", "<html><center><h1>502 Bad Gateway</h1></center><hr>nginx</html>", "HTTP 502, text/html"],
    ["truncated JSON", 200, "application/json;charset=utf-8", '{"help": "x", "success": true, "result": {"id": "3f', "HTTP 200, application/json"],
    ["JSON without the action envelope", 200, "application/json", '{"status": "ok"}', "HTTP 200, application/json"],
    ["a JSON array", 200, "application/json", "[1, 2]", "HTTP 200, application/json"],
    ["an empty body without a content type", 200, null, "", "HTTP 200, no content type"],
  ])("%s is not_ckan: 'CKAN at … is not answering as a CKAN API (%s …)'", async (_label, status, contentType, raw, detail) => {
    const { fetch } = scriptedFetch({ package_show: () => ({ status, raw, contentType }) });
    const error = await caught(createCkanClient({ baseUrl: `${BASE}/`, token: TOKEN, fetch }).packageShow("x"));
    expect(error).toMatchObject({ kind: "not_ckan", status, action: "package_show" });
    expect(error.message).toBe(`CKAN at ${BASE} is not answering as a CKAN API (${detail})`);
    expect(ckanFailureMessage(error)).toBe(error.message);
    // The page error boundary reads a code and its arguments from the digest (Next hides messages in
    // production), not the English text.
    const reason = { code: "ckan_not_api", values: { url: BASE, status: String(status), type: detail.replace(/^HTTP \d+, /, "") } };
    expect(error.reason).toEqual(reason);
    expect(ckanDownReasonFromDigest(error.digest)).toEqual(reason);
  });

  it("CKAN's own errors are not mistaken for a foreign answer, and carry no page digest", async () => {
    const { fetch } = scriptedFetch({
      package_show: () => fail("package_show", 403, { __type: "Authorization Error", message: "Access denied" }),
      nope: () => ({ status: 400, body: "Bad request - Action name not known: nope" }),
    });
    const client = createCkanClient({ baseUrl: BASE, token: TOKEN, fetch });
    const refused = await caught(client.packageShow("x"));
    expect(refused.kind).toBe("authorization");
    expect(ckanDownReasonFromDigest(refused.digest)).toBeNull();
    expect(refused.reason).toBeUndefined();
    expect((await caught(client.action("nope"))).kind).toBe("bad_request");
  });

  it("maps CKAN's other error answers", async () => {
    const { fetch } = scriptedFetch({
      nope: () => ({ status: 400, body: "Bad request - Action name not known: nope" }),
      package_search: () => fail("package_search", 400, { __type: "Search Query Error", message: "Search Query is invalid" }),
      status_show: () => fail("status_show", 500, { __type: "Internal Server Error", message: "Internal Server Error" }),
      package_collaborator_list_for_user: () =>
        fail("package_collaborator_list_for_user", 409, { message: "Dataset collaborators not enabled", __type: "Validation Error" }),
    });
    const client = createCkanClient({ baseUrl: BASE, token: TOKEN, fetch });
    expect(await caught(client.action("nope"))).toMatchObject({
      kind: "bad_request", status: 400, ckanType: null, ckanMessage: "Bad request - Action name not known: nope",
    });
    expect(await caught(client.packageSearch({ q: "a:" }))).toMatchObject({ kind: "bad_request", ckanType: "Search Query Error" });
    expect(await caught(client.statusShow())).toMatchObject({ kind: "server", status: 500, ckanType: "Internal Server Error" });
    expect(await caught(client.packageCollaboratorListForUser({ id: "u" }))).toMatchObject({
      kind: "validation", fieldErrors: {}, ckanMessage: "Dataset collaborators not enabled",
    });
  });

  it("redacts the token if CKAN echoes it", async () => {
    const { fetch } = scriptedFetch({
      package_show: () => fail("package_show", 409, { token: [`bad ${TOKEN}`], __type: "Validation Error" }),
    });
    const error = await caught(createCkanClient({ baseUrl: BASE, token: TOKEN, fetch }).packageShow("x"));
    expect(error.message).not.toContain(TOKEN);
    expect(JSON.stringify(error.fieldErrors)).not.toContain(TOKEN);
  });

  it("flattens nested validation errors", async () => {
    const { fetch } = scriptedFetch({
      package_show: () => fail("package_show", 409, { resources: [{}, { url: ["Missing value"] }], __type: "Validation Error" }),
    });
    const error = await caught(createCkanClient({ baseUrl: BASE, fetch }).packageShow("x"));
    expect(error.fieldErrors).toEqual({ "resources[1].url": ["Missing value"] });
  });

  it("reads status_show", async () => {
    const status = { site_title: "CKAN", site_url: "http://ckan.test", ckan_version: "2.10.10", extensions: ["activity"] };
    const { fetch, requests } = scriptedFetch({ status_show: () => ok("status_show", status) });
    expect(await createCkanClient({ baseUrl: BASE, fetch }).statusShow()).toMatchObject(status);
    expect(requests[0]!.method).toBe("GET");
  });

  it("writes resources by POST, without url_type, with a zone-free last_modified", async () => {
    const created = raw(loadFixture("resource_create.json"));
    const { fetch, requests } = scriptedFetch({ resource_create: () => ok("resource_create", created) });
    const client = createCkanClient({ baseUrl: BASE, token: TOKEN, fetch });
    await client.resourceCreate({
      package_id: "test-dataset", url: "https://s3/b/k", name: "k.csv", size: 42, hash: "sha256:00",
      last_modified: new Date("2026-01-02T03:04:05.678Z"), mimetype: "text/csv", portal_upload_id: "s1",
      ...({ url_type: "upload" } as object),
    });
    expect(requests[0]!.method).toBe("POST");
    expect(requests[0]!.headers.get("Content-Type")).toBe("application/json");
    expect(requests[0]!.body).toEqual({
      package_id: "test-dataset", url: "https://s3/b/k", name: "k.csv", size: 42, hash: "sha256:00",
      last_modified: "2026-01-02T03:04:05.678", mimetype: "text/csv", portal_upload_id: "s1",
    });
  });

  it("normalises timestamps the way CKAN's isodate accepts them", () => {
    expect(toCkanTimestamp("2026-01-02T03:04:05+02:00")).toBe("2026-01-02T01:04:05.000");
    expect(toCkanTimestamp("2026-01-02T03:04:05")).toBe("2026-01-02T03:04:05");
    expect(() => toCkanTimestamp(new Date(Number.NaN))).toThrow(TypeError);
  });

  it("switches a very long read to POST", async () => {
    const { fetch, requests } = scriptedFetch({ package_search: () => ok("package_search", { count: 0, results: [] }) });
    const fq = `id:(${Array.from({ length: 300 }, (_, i) => solrQuote(`00000000-0000-0000-0000-${String(i).padStart(12, "0")}`)).join(" OR ")})`;
    await createCkanClient({ baseUrl: BASE, fetch }).packageSearch({ fq, includePrivate: true, rows: 5 });
    expect(requests[0]!.method).toBe("POST");
    expect(requests[0]!.url.search).toBe("");
    expect(requests[0]!.body).toEqual({ fq, include_private: "true", rows: 5 });
  });

  it("rejects a base URL that is not http(s)", () => {
    expect(() => createCkanClient({ baseUrl: "ftp://ckan" })).toThrow(TypeError);
    expect(() => createCkanClient({ baseUrl: "not a url" })).toThrow(TypeError);
  });
});

describe("permissions", () => {
  const ORG_A = "f1b320fb-a460-46a9-9336-ab3d0a8eb2a4";
  const DS = { id: PRIVATE_ID, ownerOrg: ORG_A };
  const user = { id: "u-1", name: "someone", sysadmin: false };
  const org = (id: string, capacity: string) => ({ id, name: `org-${id}`, title: "Org", capacity });
  const collab = (packageId: string, capacity: string) => ({ package_id: packageId, capacity, modified: null });

  function ckan(orgs: unknown[], collabs: unknown[] | "disabled") {
    const script = scriptedFetch({
      organization_list_for_user: () => ok("organization_list_for_user", orgs),
      package_collaborator_list_for_user: () =>
        collabs === "disabled"
          ? fail("package_collaborator_list_for_user", 409, { message: "Dataset collaborators not enabled", __type: "Validation Error" })
          : ok("package_collaborator_list_for_user", collabs),
      package_search: () => ok("package_search", { count: 0, results: [] }),
    });
    return { ...script, client: createCkanClient({ baseUrl: BASE, token: TOKEN, fetch: script.fetch }) };
  }
  const actions = (requests: RecordedRequest[]) => requests.map((r) => r.url.pathname.split("/").pop());

  it("sysadmin may edit without asking CKAN", async () => {
    const { client, requests } = ckan([], []);
    expect(await canEditDataset(client, { ...user, sysadmin: true }, DS)).toBe(true);
    expect(requests).toHaveLength(0);
  });

  it("org editor may edit; asks with permission=update_dataset", async () => {
    const { client, requests } = ckan([org(ORG_A, "editor")], []);
    expect(await canEditDataset(client, user, DS)).toBe(true);
    expect(actions(requests)).toEqual(["organization_list_for_user"]);
    expect(Object.fromEntries(requests[0]!.url.searchParams)).toEqual({ id: "u-1", permission: "update_dataset" });
  });

  it.each([
    ["collaborator member", [collab(PRIVATE_ID, "member")], false],
    ["collaborator editor", [collab(PRIVATE_ID, "editor")], true],
    ["collaborator admin", [collab(PRIVATE_ID, "admin")], true],
    ["editor on another dataset", [collab("other", "editor")], false],
    ["no rights", [], false],
    ["collaborators disabled on the site", "disabled" as const, false],
  ])("%s → %s", async (_label, collabs, expected) => {
    const { client, requests } = ckan([org("other-org", "editor")], collabs);
    expect(await canEditDataset(client, user, DS)).toBe(expected);
    expect(actions(requests)).toEqual(["organization_list_for_user", "package_collaborator_list_for_user"]);
  });

  it("an unowned dataset needs a collaboration", async () => {
    const { client } = ckan([org(ORG_A, "admin")], []);
    expect(await canEditDataset(client, user, { id: "x", ownerOrg: null })).toBe(false);
  });

  it("lists editable datasets with a quoted owner_org / id filter", async () => {
    const { client, requests } = ckan([org(ORG_A, "editor"), org('we"ird\\', "admin")], [collab("p-1", "editor"), collab("p-2", "member")]);
    expect(await listEditableDatasets(client, user, { q: "climate: data", rows: 5 })).toEqual({ count: 0, results: [] });
    const search = requests.find((r) => r.url.pathname.endsWith("package_search"))!;
    expect(Object.fromEntries(search.url.searchParams)).toEqual({
      q: "climate  data",
      fq: `owner_org:("${ORG_A}" OR "we\\"ird\\\\") OR id:("p-1")`,
      rows: "5",
      start: "0",
      sort: "metadata_modified desc",
      include_private: "true",
    });
  });

  it("does not search when the user may edit nothing", async () => {
    const { client, requests } = ckan([], [collab("p-2", "member")]);
    expect(await listEditableDatasets(client, user)).toEqual({ count: 0, results: [] });
    expect(actions(requests)).not.toContain("package_search");
  });

  it("sysadmins search everything, private included", async () => {
    const { client, requests } = ckan([], []);
    await listEditableDatasets(client, { ...user, sysadmin: true });
    expect(actions(requests)).toEqual(["package_search"]);
    expect(requests[0]!.url.searchParams.get("fq")).toBeNull();
    expect(requests[0]!.url.searchParams.get("include_private")).toBe("true");
  });

  it("builds filters", () => {
    expect(editableDatasetsFilter({ orgIds: [], packageIds: [] })).toBeNull();
    expect(editableDatasetsFilter({ orgIds: ["a", "a"], packageIds: [] })).toBe('owner_org:("a")');
    expect(editableDatasetsFilter({ orgIds: [], packageIds: ["p"] })).toBe('id:("p")');
  });
});
