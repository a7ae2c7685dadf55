/**
 * CASES 28 (issue 10, item 4) at the service layer, against Ceph RGW and the in-process demo CKAN made
 * to answer with something other than its action API (an HTML maintenance, login or proxy page,
 * truncated JSON, JSON without the envelope): every CKAN-backed operation — start, credential refresh,
 * resume, download, sign-in — fails with "CKAN at {CKAN_URL} is not answering as a CKAN API (HTTP
 * status, content type)", the API answer is 502 `ckan_failed` with that sentence, and no upload session
 * row, part or audit event changes. (The routes and pages themselves: e2e/faults/ckan-not-api.spec.ts.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { toErrorResponse } from "@/lib/api/errors";
import { verifyCkanToken } from "@/lib/auth";
import { CkanError, ckanDownReasonFromDigest } from "@/lib/ckan/errors";
import { getDb } from "@/lib/db";
import { decideDownload } from "@/lib/downloads/download";
import { completeUpload } from "@/lib/uploads/complete";
import { createUpload } from "@/lib/uploads/create";
import { grantCredentials } from "@/lib/uploads/credentials";
import { recordParts } from "@/lib/uploads/parts";
import { getUploadForResume } from "@/lib/uploads/resume";
import { DEMO_TOKENS } from "@/scripts/ckan-demo/seed";
import type { FaultAnswer } from "@/scripts/ckan-demo/state";
import { callerFor, startIntegrationEnv, type DemoCkan } from "./support/env";
import { tempS3, testBytes, uploadAllParts } from "./support/s3";

let env: Awaited<ReturnType<typeof startIntegrationEnv>>;
let ckan: DemoCkan;

beforeAll(async () => {
  // Ask CKAN at every decision (no cached answers), so each call below reaches the faulty CKAN.
  env = await startIntegrationEnv({ CKAN_AUTHZ_MAX_AGE_SECONDS: "0" });
  ckan = env.ckan;
});
afterAll(async () => env?.close());
afterEach(() => ckan.state.clearFaults());

const ANSWERS: Array<[Exclude<FaultAnswer, "ckan">, number, string]> = [
  ["maintenance-page", 503, "text/html"],
  ["login-page", 200, "text/html"],
  ["proxy-page", 502, "text/html"],
  ["truncated-json", 200, "application/json"],
  ["json-without-envelope", 200, "application/json"],
];

/** Everything a failed call could have changed: the session, its parts and its audit trail. */
async function snapshot(sessionId: string) {
  const db = getDb();
  return {
    session: await db.uploadSession.findUniqueOrThrow({ where: { id: sessionId } }),
    parts: await db.uploadPart.findMany({ where: { sessionId }, orderBy: { partNumber: "asc" } }),
    events: await db.auditEvent.findMany({ where: { sessionId }, orderBy: { createdAt: "asc" } }),
    sessions: await db.uploadSession.count(),
  };
}

/** The rejection of `p`, checked to be the not-CKAN answer; returns the API response it maps to. */
async function expectNotCkan(p: Promise<unknown>, message: string) {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err, String(err)).toBeInstanceOf(Error);
  expect((err as Error).message).toBe(message);
  const res = toErrorResponse(err);
  expect(res.status).toBe(502);
  expect(await res.json()).toEqual({ error: { code: "ckan_failed", message } });
}

describe("CKAN is not answering as its API", () => {
  it.each(ANSWERS)("%s (HTTP %i, %s): start, refresh, resume and download say so; nothing changes", async (answer, status, type) => {
    const message = `CKAN at ${ckan.url} is not answering as a CKAN API (HTTP ${status}, ${type})`;
    const caller = callerFor(ckan, "editor_user");
    // A running upload (one of two parts sent) and a completed one, made while CKAN is well.
    const running = await createUpload(caller, { datasetId: "test-dataset", fileName: `running-${answer}.bin`, size: 6 * 1024 * 1024, contentType: "" }, { ip: null, userAgent: "vitest" });
    const parts = await uploadAllParts(tempS3(running.credentials!), running, testBytes(6 * 1024 * 1024, 7));
    await recordParts(caller, running.sessionId, parts.slice(0, 1));
    const bytes = testBytes(1000, 8);
    const done = await createUpload(caller, { datasetId: "test-dataset", fileName: `done-${answer}.bin`, size: bytes.length, contentType: "" }, { ip: null, userAgent: "vitest" });
    await recordParts(caller, done.sessionId, await uploadAllParts(tempS3(done.credentials!), done, bytes));
    await completeUpload(caller, done.sessionId, {});
    const before = await snapshot(running.sessionId);

    ckan.state.failNext("*", status, 1000, answer);
    await expectNotCkan(createUpload(caller, { datasetId: "test-dataset", fileName: "never.bin", size: 10, contentType: "" }, { ip: null, userAgent: "vitest" }), message);
    await expectNotCkan(grantCredentials(caller, running.sessionId), message);
    await expectNotCkan(getUploadForResume(caller, running.sessionId), message);
    await expectNotCkan(decideDownload(caller, done.sessionId, `done-${answer}.bin`), message);
    await expectNotCkan(decideDownload(null, done.sessionId, `done-${answer}.bin`), message);
    expect(await snapshot(running.sessionId)).toEqual(before);
    expect(await getDb().uploadSession.count({ where: { fileName: "never.bin" } })).toBe(0);

    // Sign-in names it too (next-auth shows the thrown message on the sign-in form).
    const signIn = await verifyCkanToken(DEMO_TOKENS.editor_user).then(() => null, (e: unknown) => e as Error);
    expect(signIn?.message).toBe(`${message}. The token could not be checked; try again later.`);

    // Once CKAN answers again the upload goes on where it was (both parts are in S3, one was reported).
    ckan.state.clearFaults();
    expect((await getUploadForResume(caller, running.sessionId)).recordedParts.map((p) => p.partNumber)).toEqual([1, 2]);
  });

  it("the error carries the reason code for the page error boundary (digest), never the token", async () => {
    ckan.state.failNext("*", 200, 1, "login-page");
    const caller = callerFor(ckan, "editor_user");
    const err = await createUpload(caller, { datasetId: "test-dataset", fileName: "x.bin", size: 10, contentType: "" }, { ip: null, userAgent: null }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(CkanError);
    expect(ckanDownReasonFromDigest((err as CkanError).digest)).toEqual({ code: "ckan_not_api", values: { url: ckan.url, status: "200", type: "text/html" } });
    expect((err as CkanError).digest).not.toContain(caller.ckanToken);
  });
});
