/**
 * CKAN decides for the whole life of an upload (issue 9): every authorization decision uses CKAN's
 * answer, asked afresh or cached no longer than CKAN_AUTHZ_MAX_AGE_SECONDS (default 60 s here, with the
 * cache's clock injected, so the bound is tested exactly and without waiting); completion always asks
 * afresh. Role changes are made through demo CKAN's real actions (organization_member_delete,
 * package_collaborator_delete, package_delete) and its stand-in for `ckan sysadmin remove`.
 * Peers: Ceph RGW, demo CKAN, the selected database.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HeadObjectCommand, ListPartsCommand } from "@aws-sdk/client-s3";
import { requireAdmin } from "@/lib/admin/access";
import { adminAbortUpload } from "@/lib/admin/actions";
import { clearAuthzCacheForTests, setAuthzClockForTests } from "@/lib/authz/answer-cache";
import { createCkanClient } from "@/lib/ckan";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { abortUpload } from "@/lib/uploads/abort";
import { ensureUserRow, loadEditableDataset } from "@/lib/uploads/access";
import { completeUpload } from "@/lib/uploads/complete";
import { createUpload } from "@/lib/uploads/create";
import { grantCredentials } from "@/lib/uploads/credentials";
import { recordParts } from "@/lib/uploads/parts";
import { getUploadForResume } from "@/lib/uploads/resume";
import { DEMO_TOKENS } from "@/scripts/ckan-demo/seed";
import { callerFor, startIntegrationEnv, TEST_DB_NAME, type DemoCkan } from "./support/env";
import { listMultipartUploads, portalS3, sha256, tempS3, testBytes, uploadAllParts } from "./support/s3";
import { apiErrorOf } from "./support/errors";

const MiB = 1024 * 1024;
const BOUND_MS = 60_000; // CKAN_AUTHZ_MAX_AGE_SECONDS default
const ctx = { ip: null, userAgent: null };
let env: Awaited<ReturnType<typeof startIntegrationEnv>>;
let ckan: DemoCkan;
let now = Date.parse("2026-11-29T12:00:00Z");

beforeAll(async () => {
  env = await startIntegrationEnv();
  ckan = env.ckan;
});
afterAll(async () => {
  setAuthzClockForTests(null);
  await env?.close();
});
beforeEach(() => {
  clearAuthzCacheForTests();
  setAuthzClockForTests(() => now);
});
afterEach(() => {
  delete process.env.CKAN_AUTHZ_MAX_AGE_SECONDS;
  delete process.env.ACTIVATE_DRAFT_DATASETS;
  resetConfigForTests();
});

/** Demo CKAN's action API as `user` (a seeded name), for the role changes tests make the way CKAN does. */
function ckanAsUser(user: keyof typeof DEMO_TOKENS) {
  return createCkanClient({ baseUrl: ckan.url, token: DEMO_TOKENS[user] });
}

/** A fresh user who is an editor of test-org. */
function newOrgEditor(prefix: string) {
  const name = `${prefix}-${Date.now()}-${Math.round(Math.random() * 1e6)}`;
  const token = ckan.state.addUser({ name });
  ckan.state.addMember("test-org", name, "editor");
  return { name, caller: callerFor(ckan, name, token) };
}

async function storedParts(bucket: string, key: string, uploadId: string): Promise<number[]> {
  const out = await portalS3().send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
  return (out.Parts ?? []).map((p) => p.PartNumber!);
}

async function objectExists(bucket: string, key: string): Promise<boolean> {
  return portalS3()
    .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
    .then(() => true, (e: { $metadata?: { httpStatusCode?: number } }) => (e.$metadata?.httpStatusCode === 404 ? false : Promise.reject(e)));
}

/** Starts an upload of two parts as `caller` to `dataset`, sends both parts to S3 and records the first. */
async function halfRecordedUpload(caller: ReturnType<typeof callerFor>, dataset: string, fileName: string) {
  const bytes = testBytes(6 * MiB, 9);
  const created = await createUpload(caller, { datasetId: dataset, fileName, size: bytes.length, contentType: "" }, ctx);
  const parts = await uploadAllParts(tempS3(created.credentials!), created, bytes);
  await recordParts(caller, created.sessionId, [parts[0]!]);
  return { created, parts, bytes };
}

describe(`a demoted sysadmin (${TEST_DB_NAME})`, () => {
  it("keeps no admin rights past the bound: the admin check, another organization's dataset and other users' sessions answer 403 — though the sign-in cookie still says sysadmin", async () => {
    const name = `demoted-${Date.now()}`;
    const token = ckan.state.addUser({ name, sysadmin: true });
    const caller = callerFor(ckan, name, token); // as decoded from the JWT: sysadmin: true
    const owner = callerFor(ckan, "editor_user");
    const someoneElses = await createUpload(owner, { datasetId: "test-dataset", fileName: "not-yours.bin", size: 10, contentType: "" }, ctx);

    await requireAdmin(caller);
    const userRowId = await ensureUserRow(caller); // as an upload start writes it
    expect((await getDb().user.findUniqueOrThrow({ where: { id: userRowId } })).sysadmin).toBe(true);
    expect((await loadEditableDataset(caller, "other-dataset")).name).toBe("other-dataset");
    expect((await getUploadForResume(caller, someoneElses.sessionId)).sessionId).toBe(someoneElses.sessionId);

    ckan.state.setSysadmin(name, false); // `ckan sysadmin remove NAME`
    now += BOUND_MS - 1; // within the bound a cached answer may still be used …
    await requireAdmin(caller);
    now += 1; // … and at the bound it may not.
    expect(caller.sysadmin).toBe(true);
    const admin = await apiErrorOf(requireAdmin(caller));
    expect([admin.status, admin.code]).toEqual([403, "forbidden"]);
    const dataset = await apiErrorOf(loadEditableDataset(caller, "other-dataset"));
    expect([dataset.status, dataset.code]).toEqual([403, "forbidden"]);
    const session = await apiErrorOf(getUploadForResume(caller, someoneElses.sessionId));
    expect([session.status, session.message]).toEqual([403, "This upload session belongs to another user."]);
    // The audit record of the user (admin session page) follows CKAN, not the sign-in cookie.
    await ensureUserRow(caller); // a later upload start does not write the cookie's flag back
    expect((await getDb().user.findUniqueOrThrow({ where: { id: userRowId } })).sysadmin).toBe(false);
    await abortUpload(owner, someoneElses.sessionId);
  });

  it("with CKAN_AUTHZ_MAX_AGE_SECONDS=0 loses them at the very next request", async () => {
    process.env.CKAN_AUTHZ_MAX_AGE_SECONDS = "0";
    resetConfigForTests();
    const name = `demoted-now-${Date.now()}`;
    const token = ckan.state.addUser({ name, sysadmin: true });
    const caller = callerFor(ckan, name, token);
    await requireAdmin(caller);
    ckan.state.setSysadmin(name, false);
    expect((await apiErrorOf(requireAdmin(caller))).status).toBe(403);
    expect((await apiErrorOf(loadEditableDataset(caller, "other-dataset"))).status).toBe(403);
  });
});

describe(`a user removed from the organization mid-upload (${TEST_DB_NAME})`, () => {
  it("cannot complete (asked afresh, no waiting for the bound): the session fails with permission_withdrawn, the parts stay in S3, nothing is registered; within the bound credentials and part records are refused too; the owner can abort", async () => {
    const { name, caller } = newOrgEditor("leaver");
    const { created, parts } = await halfRecordedUpload(caller, "test-dataset", "leaver.bin");
    await recordParts(caller, created.sessionId, [parts[1]!]); // every part is stored and recorded

    await ckanAsUser("ckan_admin").action("organization_member_delete", { id: "test-org", username: name }, "POST");
    const resourcesBefore = ckan.state.getDataset("test-dataset")!.resources.length;
    const refused = await apiErrorOf(completeUpload(caller, created.sessionId, {}));
    expect([refused.status, refused.code]).toEqual([403, "permission_withdrawn"]);
    expect(refused.message).toMatch(/^CKAN no longer allows you to add files to the dataset "Test Dataset".*The parts sent so far are kept/);

    const row = await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId } });
    expect([row.status, row.errorCode, row.errorMessage]).toEqual(["FAILED", "permission_withdrawn", refused.message]);
    expect(await storedParts(created.bucket, created.key, created.uploadId!)).toEqual([1, 2]);
    expect(await objectExists(created.bucket, created.key)).toBe(false);
    expect(ckan.state.getDataset("test-dataset")!.resources.length).toBe(resourcesBefore);
    const failed = await getDb().auditEvent.findFirstOrThrow({ where: { sessionId: created.sessionId, type: "session.failed" } });
    expect(JSON.parse(failed.detail)).toMatchObject({ stage: "authorize", reason: "forbidden" });

    now += BOUND_MS;
    expect((await apiErrorOf(grantCredentials(caller, created.sessionId))).code).toBe("permission_withdrawn");
    expect((await apiErrorOf(recordParts(caller, created.sessionId, [parts[1]!]))).code).toBe("permission_withdrawn");

    // Abort removes data only: the owner may do it without edit rights.
    expect((await abortUpload(caller, created.sessionId)).status).toBe("aborted");
    expect((await listMultipartUploads(created.key)).map((u) => u.uploadId)).not.toContain(created.uploadId);
  });

  it("a removed collaborator is refused at completion the same way, and an admin aborts the upload", async () => {
    const name = `collab-leaver-${Date.now()}`;
    const token = ckan.state.addUser({ name });
    ckan.state.addCollaborator("private-dataset", name, "editor");
    const caller = callerFor(ckan, name, token);
    const { created } = await halfRecordedUpload(caller, "private-dataset", "collab.bin");

    await ckanAsUser("ckan_admin").action("package_collaborator_delete", { id: "private-dataset", user_id: name }, "POST");
    const refused = await apiErrorOf(completeUpload(caller, created.sessionId, {}));
    expect([refused.status, refused.code]).toEqual([403, "permission_withdrawn"]);
    expect(await storedParts(created.bucket, created.key, created.uploadId!)).toEqual([1, 2]);

    const aborted = await adminAbortUpload(callerFor(ckan, "ckan_admin"), created.sessionId);
    expect(aborted.status).toBe("aborted");
    expect((await listMultipartUploads(created.key)).map((u) => u.uploadId)).not.toContain(created.uploadId);
    const types = (await getDb().auditEvent.findMany({ where: { sessionId: created.sessionId }, orderBy: { createdAt: "asc" } })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["session.failed", "admin.upload_aborted", "session.aborted"]));
  });

  it("within the bound, credentials are refused once the cached grant is older than CKAN_AUTHZ_MAX_AGE_SECONDS, and not a millisecond later", async () => {
    const { name, caller } = newOrgEditor("bound");
    const { created } = await halfRecordedUpload(caller, "test-dataset", "bound.bin");
    ckan.state.removeMember("test-org", name);
    now += BOUND_MS - 1;
    expect((await grantCredentials(caller, created.sessionId)).credentials.accessKeyId).toBeTruthy(); // the cached grant, younger than the bound
    now += 1;
    expect((await apiErrorOf(grantCredentials(caller, created.sessionId))).code).toBe("permission_withdrawn");
    await abortUpload(caller, created.sessionId);
  });
});

describe(`deleted datasets (${TEST_DB_NAME})`, () => {
  it("accept no uploads: 410 dataset_deleted for editors, 404 for users who may not see them", async () => {
    const err = await apiErrorOf(createUpload(callerFor(ckan, "editor_user"), { datasetId: "deleted-dataset", fileName: "x.bin", size: 10, contentType: "" }, ctx));
    expect([err.status, err.code, err.message]).toEqual([410, "dataset_deleted", expect.stringContaining('The dataset "Deleted Dataset" was deleted in CKAN, so it accepts no uploads')]);
    expect((await apiErrorOf(loadEditableDataset(callerFor(ckan, "plain_user"), "deleted-dataset"))).status).toBe(404);
  });

  it("a dataset deleted mid-upload (package_delete) refuses the completion with 410; the parts are kept and the session fails with permission_withdrawn", async () => {
    const name = `doomed-${Date.now()}`;
    ckan.state.addDataset({ name, title: "Doomed", owner_org: "test-org", creator: "editor_user" });
    const caller = callerFor(ckan, "editor_user");
    const { created, parts } = await halfRecordedUpload(caller, name, "doomed.bin");
    await recordParts(caller, created.sessionId, [parts[1]!]);
    await ckanAsUser("editor_user").action("package_delete", { id: name }, "POST");
    expect((await ckanAsUser("editor_user").packageShow(name)).state).toBe("deleted");

    const refused = await apiErrorOf(completeUpload(caller, created.sessionId, {}));
    expect([refused.status, refused.code]).toEqual([410, "dataset_deleted"]);
    const row = await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId } });
    expect([row.status, row.errorCode]).toEqual(["FAILED", "permission_withdrawn"]);
    expect(await storedParts(created.bucket, created.key, created.uploadId!)).toEqual([1, 2]);
    await abortUpload(caller, created.sessionId);
  });
});

describe(`draft datasets (${TEST_DB_NAME})`, () => {
  async function uploadTo(dataset: string) {
    const caller = callerFor(ckan, "editor_user");
    const bytes = testBytes(1024, 3);
    const created = await createUpload(caller, { datasetId: dataset, fileName: "first.csv", size: bytes.length, contentType: "text/csv" }, ctx);
    await recordParts(caller, created.sessionId, await uploadAllParts(tempS3(created.credentials!), created, bytes));
    return { sessionId: created.sessionId, done: await completeUpload(caller, created.sessionId, { sha256: sha256(bytes) }) };
  }

  it("the first completed upload makes a draft active (package_patch as the user), audited as dataset.activated", async () => {
    expect((await ckanAsUser("editor_user").packageShow("draft-dataset")).state).toBe("draft");
    const { sessionId, done } = await uploadTo("draft-dataset");
    expect([done.status, done.notice]).toEqual(["completed", undefined]);
    expect((await ckanAsUser("editor_user").packageShow("draft-dataset")).state).toBe("active");
    const patch = ckan.state.calls.filter((c) => c.action === "package_patch").at(-1);
    expect(patch).toMatchObject({ user: "editor_user", status: 200, params: { id: ckan.state.getDataset("draft-dataset")!.id, state: "active" } });
    const event = await getDb().auditEvent.findFirstOrThrow({ where: { sessionId, type: "dataset.activated" } });
    expect(JSON.parse(event.detail)).toMatchObject({ from: "draft", to: "active" });
  });

  it("stays a draft with ACTIVATE_DRAFT_DATASETS=false, and the user is told", async () => {
    process.env.ACTIVATE_DRAFT_DATASETS = "false";
    resetConfigForTests();
    const name = `draft-off-${Date.now()}`;
    ckan.state.addDataset({ name, title: "Draft Off", owner_org: "test-org", state: "draft", creator: "editor_user" });
    const { done } = await uploadTo(name);
    expect(done.status).toBe("completed");
    expect(done.notice).toMatch(/is still a draft in CKAN/);
    expect(done).toMatchObject({ noticeCode: "draft_kept", noticeValues: { title: "Draft Off" } });
    expect((await ckanAsUser("editor_user").packageShow(name)).state).toBe("draft");
    expect(ckan.state.calls.some((c) => c.action === "package_patch" && c.params.id === ckan.state.getDataset(name)!.id)).toBe(false);
  });

  it("when package_patch fails the upload still completes, the user is told and the failure is audited", async () => {
    const name = `draft-fail-${Date.now()}`;
    ckan.state.addDataset({ name, title: "Draft Fail", owner_org: "test-org", state: "draft", creator: "editor_user" });
    ckan.state.failNext("package_patch", 500);
    const { sessionId, done } = await uploadTo(name);
    expect(done.status).toBe("completed");
    expect(done.notice).toMatch(/^The file is registered, but CKAN did not make the draft dataset "Draft Fail" active/);
    expect(done).toMatchObject({ noticeCode: "draft_not_activated", noticeValues: { title: "Draft Fail", error: expect.any(String) } });
    expect((await ckanAsUser("editor_user").packageShow(name)).state).toBe("draft");
    expect(await getDb().auditEvent.count({ where: { sessionId, type: "dataset.activation_failed" } })).toBe(1);
  });
});
