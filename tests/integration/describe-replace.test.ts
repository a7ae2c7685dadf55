/**
 * Describe and replace (issue 12), on Ceph RGW (sts) with the demo CKAN: the publisher's resource
 * fields go to CKAN before (session creation → resource_create) and after (PATCH → resource_patch);
 * a replacement upload patches the existing resource (same id; new url, size, hash, mimetype,
 * last_modified), keeps or deletes the earlier object per REPLACED_OBJECTS, and links old and new
 * in the sessions and the audit trail. Refusals: no permission, a resource of another dataset, a
 * resource this portal did not store (the message says what would happen).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { ApiError } from "@/lib/api/errors";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { decideDownload } from "@/lib/downloads/download";
import { completeUpload } from "@/lib/uploads/complete";
import { createUpload } from "@/lib/uploads/create";
import { describeResource } from "@/lib/uploads/describe";
import { verifyCompletedObjects } from "@/lib/uploads/integrity";
import { recordParts } from "@/lib/uploads/parts";
import type { CreateUploadInput } from "@/lib/uploads/schemas";
import { callerFor, startIntegrationEnv, type DemoCkan } from "./support/env";
import { getObjectBytes, portalS3, sha256, tempS3, testBytes, uploadAllParts } from "./support/s3";

const MiB = 1024 * 1024;
const CTX = { ip: null, userAgent: null };
const EXTERNAL_RESOURCE = "720fc352-cac1-41cb-aaad-1146fd3609ef"; // test-dataset's seeded http://example.org/data.csv
let env: Awaited<ReturnType<typeof startIntegrationEnv>>;
let ckan: DemoCkan;

beforeAll(async () => {
  env = await startIntegrationEnv();
  ckan = env.ckan;
});
afterAll(async () => env?.close());

/** Uploads `bytes` as editor_user (or `user`) with the given extra create fields and completes it. */
async function upload(fileName: string, bytes: Uint8Array, extra: Partial<CreateUploadInput> = {}, user = "editor_user") {
  const caller = callerFor(ckan, user);
  const created = await createUpload(caller, { datasetId: "test-dataset", fileName, size: bytes.length, contentType: "", ...extra }, CTX);
  const parts = await uploadAllParts(tempS3(created.credentials!), created, bytes);
  await recordParts(caller, created.sessionId, parts);
  const done = await completeUpload(caller, created.sessionId, { sha256: sha256(bytes) });
  return { caller, created, done };
}

function resource(id: string) {
  const found = ckan.state.getResource(id);
  if (!found) throw new Error(`no CKAN resource ${id}`);
  return found.resource as Record<string, unknown>;
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; status: number; message: string } | null> {
  return p.then(
    () => null,
    (e: unknown) => {
      if (!(e instanceof ApiError)) throw e;
      return { code: e.code, status: e.status, message: e.message };
    },
  );
}

async function objectExists(key: string): Promise<boolean> {
  return portalS3()
    .send(new HeadObjectCommand({ Bucket: process.env.S3_BUCKET!, Key: key }))
    .then(() => true, (e: { $metadata?: { httpStatusCode?: number } }) => {
      if (e.$metadata?.httpStatusCode === 404) return false;
      throw e;
    });
}

async function events(sessionId: string, type: string) {
  const rows = await getDb().auditEvent.findMany({ where: { sessionId, type }, orderBy: { createdAt: "asc" } });
  return rows.map((r) => JSON.parse(r.detail) as Record<string, unknown>);
}

describe("describe before and after", () => {
  it("sends the name, description and format given at session creation to resource_create", async () => {
    const { done, created } = await upload("2026-11 rainfall.csv", testBytes(1000, 1), { name: "Rainfall, November 2026", description: "Daily totals.\nSee the methods note.", format: "CSV" });
    const r = resource(done.resourceId!);
    expect(r).toMatchObject({ name: "Rainfall, November 2026", description: "Daily totals.\nSee the methods note.", format: "CSV", size: 1000 });
    const row = await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId } });
    expect(row).toMatchObject({ resourceName: "Rainfall, November 2026", resourceDescription: "Daily totals.\nSee the methods note.", resourceFormat: "CSV" });
    expect((await events(created.sessionId, "session.created"))[0]).toMatchObject({ resourceName: "Rainfall, November 2026", resourceFormat: "CSV" });
  });

  it("defaults: named after the file, format guessed from it (mime), no description", async () => {
    const { done, created } = await upload("grid.nc", testBytes(10, 2));
    // The portal sends "NC" (mime's extension for application/x-netcdf); CKAN's clean_format makes it its label "NetCDF".
    const sent = [...ckan.state.calls].reverse().find((c) => c.action === "resource_create" && String(c.params.url).includes(created.sessionId));
    expect(sent?.params).toMatchObject({ format: "NC", name: "grid.nc" });
    expect(resource(done.resourceId!)).toMatchObject({ name: "grid.nc", format: "NetCDF", mimetype: "application/x-netcdf" });
    expect(resource(done.resourceId!).description ?? null).toBeNull();
  });

  it("fields changed while uploading are used by the registration", async () => {
    const caller = callerFor(ckan, "editor_user");
    const bytes = testBytes(100, 3);
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "while.csv", size: bytes.length, contentType: "text/csv" }, CTX);
    const view = await describeResource(caller, created.sessionId, { name: "Named while uploading", description: "Set mid-upload" });
    expect(view.resourceFields).toEqual({ name: "Named while uploading", description: "Set mid-upload", format: null });
    await recordParts(caller, created.sessionId, await uploadAllParts(tempS3(created.credentials!), created, bytes));
    const done = await completeUpload(caller, created.sessionId, {});
    expect(resource(done.resourceId!)).toMatchObject({ name: "Named while uploading", description: "Set mid-upload", format: "CSV" });
    expect(await events(created.sessionId, "resource.described")).toEqual([expect.objectContaining({ patchedInCkan: false })]);
  });

  it("after completion, PATCH changes the CKAN resource with resource_patch as the user (other fields kept) and is audited", async () => {
    const { done, created, caller } = await upload("after.csv", testBytes(500, 4));
    const before = { ...resource(done.resourceId!) };
    const view = await describeResource(caller, created.sessionId, { description: "Described after the upload", format: "Text CSV" });
    const patch = [...ckan.state.calls].reverse().find((c) => c.action === "resource_patch");
    expect(patch).toMatchObject({ user: "editor_user", params: { id: done.resourceId, description: "Described after the upload", format: "Text CSV" } });
    expect(view.resourceFields).toMatchObject({ description: "Described after the upload", format: "Text CSV" });
    const after = resource(done.resourceId!);
    expect(after).toMatchObject({ id: done.resourceId, name: "after.csv", description: "Described after the upload", format: "Text CSV", size: 500, url: before.url, hash: before.hash });
    expect(await events(created.sessionId, "resource.described")).toEqual([expect.objectContaining({ patchedInCkan: true, resourceId: done.resourceId, description: "Described after the upload" })]);
  });

  it("refuses a user CKAN no longer lets edit the dataset (fresh check): 403, CKAN unchanged", async () => {
    const name = `leaver_${Date.now()}`;
    ckan.state.addUser({ name });
    ckan.state.addMember("test-org", name, "editor");
    const { done, created, caller } = await upload("leaver.csv", testBytes(10, 5), {}, name);
    ckan.state.removeMember("test-org", name);
    const refused = await refusal(describeResource(caller, created.sessionId, { name: "Should not stick" }));
    expect(refused).toMatchObject({ status: 403, code: "forbidden" });
    expect(resource(done.resourceId!).name).toBe("leaver.csv");
    // Another user may not describe someone else's upload either.
    const other = await refusal(describeResource(callerFor(ckan, "collab_editor"), created.sessionId, { name: "x" }));
    expect(other).toMatchObject({ status: 403 });
  });
});

describe("replace the file of a resource", () => {
  it("patches the same resource with the new url, size, hash, mimetype and last_modified; keeps the earlier object; links old and new", async () => {
    const first = await upload("monthly.csv", testBytes(6 * MiB, 10), { description: "Monthly figures" });
    const resourceId = first.done.resourceId!;
    const old = { ...resource(resourceId) };
    const oldRow = await getDb().uploadSession.findUniqueOrThrow({ where: { id: first.created.sessionId } });

    const newBytes = testBytes(6 * MiB + 123, 11);
    const second = await upload("monthly-december.csv", newBytes, { replaceResourceId: resourceId });
    expect(second.done.resourceId).toBe(resourceId);
    const now = resource(resourceId);
    expect(now).toMatchObject({ id: resourceId, name: "monthly.csv", description: "Monthly figures", size: newBytes.length, hash: `sha256:${sha256(newBytes)}`, mimetype: "text/csv", format: "CSV" });
    expect(now.url).toBe(`http://portal.test:3000/download/${second.created.sessionId}/monthly-december.csv`);
    expect(now.url).not.toBe(old.url);
    expect(now.last_modified).not.toBe(old.last_modified);
    expect(ckan.state.getDataset("test-dataset")!.resources.filter((r) => r.id === resourceId)).toHaveLength(1);

    // The new object holds the new bytes; the earlier one is kept (REPLACED_OBJECTS=keep, the default).
    expect(sha256((await getObjectBytes(second.created.key)).bytes)).toBe(sha256(newBytes));
    expect(await objectExists(oldRow.key)).toBe(true);

    // Sessions and audit link old and new.
    const newRow = await getDb().uploadSession.findUniqueOrThrow({ where: { id: second.created.sessionId } });
    expect(newRow).toMatchObject({ replacesResourceId: resourceId, previousSessionId: oldRow.id, previousObjectKey: oldRow.key, resourceId });
    expect((await getDb().uploadSession.findUniqueOrThrow({ where: { id: oldRow.id } })).replacedBySessionId).toBe(newRow.id);
    expect(await events(newRow.id, "resource.replaced")).toEqual([expect.objectContaining({ resourceId, previousSessionId: oldRow.id, previousObjectKey: oldRow.key, previousUrl: old.url, storedByPortal: true })]);
    expect(await events(oldRow.id, "object.replaced")).toEqual([expect.objectContaining({ resourceId, replacedBySessionId: newRow.id, newObjectKey: newRow.key, keep: true })]);

    // Integrity (issue 9) applies to the new object; the kept old one still verifies, so the sweeper flags nothing.
    expect(newRow.etag).toMatch(/-2$/);
    const sweep = await verifyCompletedObjects();
    expect(sweep.flagged).toEqual([]);
    const editor = callerFor(ckan, "editor_user");
    expect((await decideDownload(editor, newRow.id, "monthly-december.csv")).kind).toBe("redirect");
    expect((await decideDownload(editor, oldRow.id, "monthly.csv")).kind).toBe("redirect"); // old links keep working
  });

  it("with REPLACED_OBJECTS=delete the earlier object is deleted, audited, not served (410) and not flagged by the sweeper", async () => {
    process.env.REPLACED_OBJECTS = "delete";
    resetConfigForTests();
    try {
      const first = await upload("weekly.bin", testBytes(2000, 20));
      const second = await upload("weekly-2.bin", testBytes(3000, 21), { replaceResourceId: first.done.resourceId! });
      expect(second.done.resourceId).toBe(first.done.resourceId);
      expect(resource(first.done.resourceId!)).toMatchObject({ size: 3000 });
      expect(await objectExists(first.created.key)).toBe(false);
      expect(await objectExists(second.created.key)).toBe(true);
      const oldRow = await getDb().uploadSession.findUniqueOrThrow({ where: { id: first.created.sessionId } });
      expect(oldRow.objectDeletedAt).toBeInstanceOf(Date);
      expect(oldRow.replacedBySessionId).toBe(second.created.sessionId);
      expect(await events(oldRow.id, "object.deleted")).toEqual([expect.objectContaining({ key: oldRow.key, reason: "replaced", replacedBySessionId: second.created.sessionId })]);
      const sweep = await verifyCompletedObjects();
      expect(sweep.flagged).not.toContain(oldRow.id);
      expect((await getDb().uploadSession.findUniqueOrThrow({ where: { id: oldRow.id } })).integrityFailedAt).toBeNull();
      expect(await refusal(decideDownload(callerFor(ckan, "editor_user"), oldRow.id, "weekly.bin"))).toMatchObject({ status: 410, code: "object_replaced" });
    } finally {
      delete process.env.REPLACED_OBJECTS;
      resetConfigForTests();
    }
  });

  it("refuses before any multipart upload: no permission (403), a resource of another dataset (404)", async () => {
    const { done } = await upload("mine.csv", testBytes(10, 30));
    const before = await getDb().uploadSession.count();
    const plain = await refusal(createUpload(callerFor(ckan, "plain_user"), { datasetId: "test-dataset", fileName: "x.csv", size: 5, contentType: "", replaceResourceId: done.resourceId! }, CTX));
    expect(plain).toMatchObject({ status: 403, code: "forbidden" });
    // other-dataset belongs to other-org; ckan_admin may edit both, but a resource is replaced only through its own dataset.
    const other = ckan.state.addResource("other-dataset", { url: "http://example.org/other.csv", name: "other.csv" });
    const cross = await refusal(createUpload(callerFor(ckan, "editor_user"), { datasetId: "test-dataset", fileName: "x.csv", size: 5, contentType: "", replaceResourceId: other.id }, CTX));
    expect(cross).toMatchObject({ status: 404, code: "not_found" });
    expect(cross!.message).toMatch(/has no resource .*only a resource of this dataset can be replaced/);
    expect(await getDb().uploadSession.count()).toBe(before);
  });

  it("a resource this portal did not store: refused with what would happen, then replaced when confirmed (URL now the new upload)", async () => {
    const refused = await refusal(createUpload(callerFor(ckan, "editor_user"), { datasetId: "test-dataset", fileName: "data.csv", size: 5, contentType: "", replaceResourceId: EXTERNAL_RESOURCE }, CTX));
    expect(refused).toMatchObject({ status: 409, code: "not_stored_by_portal" });
    expect(refused!.message).toContain("was not stored by this portal (its URL is http://example.org/data.csv)");
    expect(refused!.message).toContain("the file at the old URL is not touched or deleted");

    const bytes = testBytes(77, 40);
    const done = await upload("data.csv", bytes, { replaceResourceId: EXTERNAL_RESOURCE, replaceExternal: true });
    expect(done.done.resourceId).toBe(EXTERNAL_RESOURCE);
    expect(resource(EXTERNAL_RESOURCE)).toMatchObject({ url: `http://portal.test:3000/download/${done.created.sessionId}/data.csv`, size: 77, hash: `sha256:${sha256(bytes)}`, name: "data.csv", description: "patched res" });
    expect(await events(done.created.sessionId, "resource.replaced")).toEqual([expect.objectContaining({ previousSessionId: null, previousUrl: "http://example.org/data.csv", storedByPortal: false })]);
  });
});
