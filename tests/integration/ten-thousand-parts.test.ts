/**
 * CASES 5: a 10,000-part upload completes — CompleteMultipartUpload with 10,000 ETags is accepted —
 * and resume lists all 10,000 parts (10 ListParts pages). Real code path against Ceph RGW: the
 * session service, STS credentials, the portal's recorded parts, CompleteMultipartUpload, HeadObject,
 * CKAN. A 10,000 × 5 MiB object (48.8 GiB) does not fit the test store, so RGW's minimum part size is
 * lowered to 1 KiB for this test through its admin socket (rgw_multipart_min_part_size; restored after)
 * and the session's plan is rewritten to 10,000 parts of 1 KiB.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UploadPartCommand } from "@aws-sdk/client-s3";
import { getDb } from "@/lib/db";
import { completeUpload } from "@/lib/uploads/complete";
import { createUpload } from "@/lib/uploads/create";
import { recordParts } from "@/lib/uploads/parts";
import { getUploadForResume } from "@/lib/uploads/resume";
import { runPool } from "@/lib/uploader/pool";
import { callerFor, startIntegrationEnv } from "./support/env";
import { getObjectBytes, sha256, tempS3, testBytes } from "./support/s3";

const PARTS = 10_000;
const PART = 1024;
let env: Awaited<ReturnType<typeof startIntegrationEnv>>;

/** Sets an option of the running RGW through its admin socket (RGW_DIR from scripts/rgw.sh). */
function rgwConfigSet(name: string, value: string): void {
  const dir = process.env.RGW_DIR;
  if (!dir) throw new Error("RGW_DIR is not set: start Ceph RGW with scripts/rgw.sh (npm test does)");
  execFileSync("ceph", ["--admin-daemon", path.join(dir, "run", "client.rgw.a.asok"), "config", "set", name, value], { stdio: "pipe" });
}

beforeAll(async () => {
  env = await startIntegrationEnv();
  rgwConfigSet("rgw_multipart_min_part_size", String(PART));
});
afterAll(async () => {
  rgwConfigSet("rgw_multipart_min_part_size", String(5 * 1024 * 1024));
  await env?.close();
});

describe("a file with 10,000 parts (CASES 5)", () => {
  it("is recorded, listed for resume in 10 pages, completed with 10,000 ETags and stored byte-identical", async () => {
    const caller = callerFor(env.ckan, "editor_user");
    const bytes = testBytes(PARTS * PART, 51);
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "ten-thousand.bin", size: bytes.length, contentType: "" }, { ip: null, userAgent: "vitest" });
    // The real plan is 2 × 5 MiB; this test stores the same bytes as 10,000 × 1 KiB instead.
    await getDb().uploadSession.update({ where: { id: created.sessionId }, data: { partSize: BigInt(PART), partCount: PARTS } });

    const s3 = tempS3(created.credentials!);
    const numbers = Array.from({ length: PARTS }, (_, i) => i + 1);
    const parts: Array<{ partNumber: number; size: number; etag: string }> = [];
    await runPool(numbers, async (n) => {
      const body = bytes.subarray((n - 1) * PART, n * PART);
      const out = await s3.send(new UploadPartCommand({ Bucket: created.bucket, Key: created.key, UploadId: created.uploadId!, PartNumber: n, Body: body, ContentLength: PART }));
      parts.push({ partNumber: n, size: PART, etag: out.ETag! });
    }, { concurrency: 16 });
    for (let i = 0; i < PARTS; i += 1000) await recordParts(caller, created.sessionId, parts.slice(i, i + 1000));

    const view = await getUploadForResume(caller, created.sessionId);
    expect(view.partsSource).toBe("list-parts");
    expect(view.recordedParts).toHaveLength(PARTS);
    expect(view.recordedParts.at(-1)?.partNumber).toBe(PARTS);

    const done = await completeUpload(caller, created.sessionId, { sha256: sha256(bytes) });
    expect(done.status).toBe("completed");
    const stored = await getObjectBytes(created.key);
    expect(stored.bytes.length).toBe(bytes.length);
    expect(sha256(stored.bytes)).toBe(sha256(bytes));
  }, 600_000);
});
