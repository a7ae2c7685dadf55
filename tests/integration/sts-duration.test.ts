/**
 * CASES 30 / issue 10 item 6, at run time against Ceph RGW (whose roles allow at most 3,600 s): an
 * AssumeRole refusal names the setting it comes from — never "STS AssumeRole failed: Unknown (HTTP
 * 400)" — both when an upload starts and when its credentials are refreshed, and nothing is left
 * behind: no session row, no multipart upload, no change to a running session.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toErrorResponse } from "@/lib/api/errors";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { StorageError } from "@/lib/storage/errors";
import { createUpload } from "@/lib/uploads/create";
import { grantCredentials } from "@/lib/uploads/credentials";
import { callerFor, startIntegrationEnv } from "./support/env";
import { listMultipartUploads } from "./support/s3";

let env: Awaited<ReturnType<typeof startIntegrationEnv>>;
let role = "";
const ROLE = () => role;

beforeAll(async () => {
  env = await startIntegrationEnv();
  role = process.env.S3_ROLE_ARN!;
});
afterAll(async () => env?.close());

/** Sets portal settings for the next calls (the config and the STS client are read per call). */
function settings(values: Record<string, string>): void {
  Object.assign(process.env, values);
  resetConfigForTests();
}

async function storageErrorOf(p: Promise<unknown>): Promise<StorageError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(StorageError);
  return err as StorageError;
}

const input = (fileName: string) => ({ datasetId: "test-dataset", fileName, size: 6 * 1024 * 1024, contentType: "" });

describe("an AssumeRole refusal names its setting (RGW)", () => {
  it("STS_DURATION_SECONDS=7200 at upload start: 502 naming the setting, the role and the fix; no session, no multipart upload", async () => {
    settings({ STS_DURATION_SECONDS: "7200" });
    const caller = callerFor(env.ckan, "editor_user");
    const err = await storageErrorOf(createUpload(caller, input("too-long.bin"), { ip: null, userAgent: "vitest" }));
    expect(err.setting).toBe("STS_DURATION_SECONDS");
    expect(err.message).toBe(
      `STS refused STS_DURATION_SECONDS=7200: it is above the maximum session duration of the role S3_ROLE_ARN=${ROLE()} (AssumeRole with 900 s works). ` +
        `Lower STS_DURATION_SECONDS (900 is AWS's minimum and the portal's default), or raise the role's maximum: aws iam update-role --role-name ${ROLE().split("/").pop()} --max-session-duration 7200 (STS answered Unknown (HTTP 400)).`,
    );
    const res = toErrorResponse(err);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: { code: "storage_failed", message: err.message } });
    expect(await getDb().uploadSession.count({ where: { fileName: "too-long.bin" } })).toBe(0);
    expect((await listMultipartUploads("uploads/")).filter((u) => u.key.endsWith("too-long.bin"))).toEqual([]);
  });

  it("a refresh after the setting changed names it too, and the running session is unchanged", async () => {
    settings({ STS_DURATION_SECONDS: "900" });
    const caller = callerFor(env.ckan, "editor_user");
    const created = await createUpload(caller, input("refresh.bin"), { ip: null, userAgent: "vitest" });
    const before = await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId }, include: { events: true } });
    settings({ STS_DURATION_SECONDS: "7200" });
    const err = await storageErrorOf(grantCredentials(caller, created.sessionId));
    expect(err.setting).toBe("STS_DURATION_SECONDS");
    expect(err.message).toMatch(/^STS refused STS_DURATION_SECONDS=7200: /);
    expect(await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId }, include: { events: true } })).toEqual(before);
    settings({ STS_DURATION_SECONDS: "900" });
    expect((await grantCredentials(caller, created.sessionId)).credentials.accessKeyId).toBeTruthy();
  });

  it("a role that does not exist names S3_ROLE_ARN", async () => {
    settings({ STS_DURATION_SECONDS: "900", S3_ROLE_ARN: "arn:aws:iam:::role/no-such-role" });
    try {
      const err = await storageErrorOf(createUpload(callerFor(env.ckan, "editor_user"), input("no-role.bin"), { ip: null, userAgent: "vitest" }));
      expect(err.setting).toBe("S3_ROLE_ARN");
      expect(err.message).toBe("STS found no role S3_ROLE_ARN=arn:aws:iam:::role/no-such-role (STS answered NotFound (HTTP 404)).");
    } finally {
      settings({ S3_ROLE_ARN: ROLE() });
    }
  });

  it("by default an upload credential lasts 900 s, AWS's minimum (issue 9: the window of a withdrawn user)", async () => {
    delete process.env.STS_DURATION_SECONDS;
    resetConfigForTests();
    const created = await createUpload(callerFor(env.ckan, "editor_user"), input("fifteen.bin"), { ip: null, userAgent: "vitest" });
    const lifetime = Date.parse(created.credentials!.expiration) - Date.now();
    expect(lifetime).toBeGreaterThan(800_000);
    expect(lifetime).toBeLessThanOrEqual(900_000 + 5_000);
  });
});
