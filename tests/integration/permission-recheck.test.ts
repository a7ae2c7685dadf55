/**
 * Permission is checked again with CKAN at every credential refresh and sign batch: a user removed
 * from the organization mid-upload is refused with a clear message, and the parts already sent stay
 * in S3 (and in the session) so the upload can resume once access is restored. Ceph RGW, demo CKAN, SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ListPartsCommand } from "@aws-sdk/client-s3";
import { ApiError } from "@/lib/api/errors";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { abortUpload } from "@/lib/uploads/abort";
import { completeUpload } from "@/lib/uploads/complete";
import { createUpload } from "@/lib/uploads/create";
import { grantCredentials, signParts } from "@/lib/uploads/credentials";
import { recordParts } from "@/lib/uploads/parts";
import { callerFor, startIntegrationEnv, type DemoCkan } from "./support/env";
import { portalS3, tempS3, testBytes, uploadAllParts } from "./support/s3";
import { apiErrorOf } from "./support/errors";

const MiB = 1024 * 1024;
let env: Awaited<ReturnType<typeof startIntegrationEnv>>;
let ckan: DemoCkan;

beforeAll(async () => {
  // Bound 0: every decision asks CKAN, so a change in CKAN shows at the very next call (the bound itself
  // is tested with an injected clock in authz-freshness.test.ts).
  env = await startIntegrationEnv({ CKAN_AUTHZ_MAX_AGE_SECONDS: "0" });
  ckan = env.ckan;
});
afterAll(async () => env?.close());

/** A fresh user who is an editor of test-org. */
function newOrgEditor(prefix: string) {
  const name = `${prefix}-${Date.now()}`;
  const token = ckan.state.addUser({ name });
  ckan.state.addMember("test-org", name, "editor");
  return { name, caller: callerFor(ckan, name, token) };
}

async function storedParts(bucket: string, key: string, uploadId: string): Promise<number[]> {
  const out = await portalS3().send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
  return (out.Parts ?? []).map((p) => p.PartNumber!);
}

describe("permission re-check at credential refresh (sts)", () => {
  it("a user removed from the organization mid-upload is refused with a clear message; the parts are kept and the upload resumes after re-adding", async () => {
    const { name, caller } = newOrgEditor("leaver");
    const bytes = testBytes(6 * MiB, 21);
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "half-way.bin", size: bytes.length, contentType: "" }, { ip: null, userAgent: null });
    const s3 = tempS3(created.credentials!);
    const [first, second] = await uploadAllParts(s3, created, bytes);
    await recordParts(caller, created.sessionId, [first]);

    ckan.state.removeMember("test-org", name);
    const err = await apiErrorOf(grantCredentials(caller, created.sessionId));
    expect(err.code).toBe("permission_withdrawn");
    expect(err.status).toBe(403);
    expect(err.message).toBe(
      'CKAN no longer allows you to add files to the dataset "Test Dataset", so this upload cannot continue. The parts sent so far are kept: ask an editor or admin of its organization to restore your access, then resume (or cancel the upload to remove them).',
    );

    // Nothing was thrown away: S3 still holds both parts, the session its recorded part and status.
    expect(await storedParts(created.bucket, created.key, created.uploadId!)).toEqual([1, 2]);
    const row = await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId }, include: { parts: true } });
    expect(row.status).toBe("UPLOADING");
    expect(row.parts.map((p) => p.partNumber)).toEqual([1]);
    const types = (await getDb().auditEvent.findMany({ where: { sessionId: created.sessionId }, orderBy: { createdAt: "asc" } })).map((e) => e.type);
    expect(types.at(-1)).toBe("credentials.refused");

    // Access restored: fresh credentials, the remaining part is recorded and the upload completes.
    ckan.state.addMember("test-org", name, "editor");
    const { credentials } = await grantCredentials(caller, created.sessionId);
    expect(credentials.accessKeyId).not.toBe(created.credentials!.accessKeyId);
    await recordParts(caller, created.sessionId, [second]);
    expect((await completeUpload(caller, created.sessionId, {})).status).toBe("completed");
  });

  it("a collaborator whose collaboration is removed is refused the same way", async () => {
    const name = `collab-${Date.now()}`;
    const token = ckan.state.addUser({ name });
    ckan.state.addCollaborator("private-dataset", name, "editor");
    const caller = callerFor(ckan, name, token);
    const created = await createUpload(caller, { datasetId: "private-dataset", fileName: "c.bin", size: 10, contentType: "" }, { ip: null, userAgent: null });
    ckan.state.removeCollaborator("private-dataset", name);
    const err = await apiErrorOf(grantCredentials(caller, created.sessionId));
    expect([err.code, err.message]).toEqual(["permission_withdrawn", expect.stringContaining('no longer allows you to add files to the dataset "Private Dataset"')]);
    await abortUpload(caller, created.sessionId);
  });

  it("only the owner (or a portal admin) may refresh a session's credentials", async () => {
    const owner = callerFor(ckan, "editor_user");
    const created = await createUpload(owner, { datasetId: "test-dataset", fileName: "owned.bin", size: 10, contentType: "" }, { ip: null, userAgent: null });
    const other = newOrgEditor("same-org-editor").caller; // may edit the dataset, but not this session
    const err = await apiErrorOf(grantCredentials(other, created.sessionId));
    expect([err.code, err.message]).toEqual(["forbidden", "This upload session belongs to another user."]);
    expect((await grantCredentials(callerFor(ckan, "ckan_admin"), created.sessionId)).credentials.accessKeyId).toBeTruthy();
    await abortUpload(owner, created.sessionId);
  });
});

describe("permission re-check at sign (presigned mode)", () => {
  it("a user removed from the organization gets 403 for the next batch of part URLs; the upload stays", async () => {
    process.env.CREDENTIALS_MODE = "presigned";
    resetConfigForTests();
    try {
      const { name, caller } = newOrgEditor("presigned-leaver");
      const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "p.bin", size: 6 * MiB, contentType: "" }, { ip: null, userAgent: null });
      const first = await signParts(caller, created.sessionId, [1]);
      const put = await fetch(first.parts[0].url, { method: "PUT", body: Buffer.from(testBytes(5 * MiB, 1)) });
      expect(put.status).toBe(200);
      ckan.state.removeMember("test-org", name);
      const err = await apiErrorOf(signParts(caller, created.sessionId, [2]));
      expect([err.code, err.message]).toEqual(["permission_withdrawn", expect.stringContaining("The parts sent so far are kept")]);
      expect(await storedParts(created.bucket, created.key, created.uploadId!)).toEqual([1]);
      await abortUpload(caller, created.sessionId);
    } finally {
      process.env.CREDENTIALS_MODE = "sts";
      resetConfigForTests();
    }
  });
});
