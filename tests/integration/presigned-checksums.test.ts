/**
 * Presigned mode with per-part checksums (CASES 21): the sign route signs the browser's CRC32C into
 * the URL and returns the headers to send; Ceph RGW accepts those PUTs, and parts without a checksum
 * carry no checksum header at all.
 */
import { crc32 } from "hash-wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hexToBase64 } from "@/lib/uploader/checksum";
import { completeUpload } from "@/lib/uploads/complete";
import { createUpload } from "@/lib/uploads/create";
import { signParts } from "@/lib/uploads/credentials";
import { recordParts } from "@/lib/uploads/parts";
import { callerFor, startIntegrationEnv } from "./support/env";
import { getObjectBytes, sha256, testBytes } from "./support/s3";

const MiB = 1024 * 1024;
let env: Awaited<ReturnType<typeof startIntegrationEnv>>;

beforeAll(async () => {
  env = await startIntegrationEnv({ CREDENTIALS_MODE: "presigned" });
});
afterAll(async () => env?.close());

describe("presigned part URLs with checksums (CASES 21)", () => {
  it("signs a part's CRC32C into its URL, and the store takes both kinds of parts", async () => {
    const caller = callerFor(env.ckan, "editor_user");
    const bytes = testBytes(6 * MiB, 61);
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: "signed-crc.bin", size: bytes.length, contentType: "" }, { ip: null, userAgent: "vitest" });
    expect(created.mode).toBe("presigned");
    const part1 = Buffer.from(bytes.subarray(0, 5 * MiB));
    const part2 = Buffer.from(bytes.subarray(5 * MiB));
    const crc = hexToBase64(await crc32(part1, 0x82f63b78));
    const { parts } = await signParts(caller, created.sessionId, [1, 2], [{ partNumber: 1, algorithm: "CRC32C", value: crc }]);
    const [p1, p2] = parts;
    expect(p1.headers).toEqual({ "x-amz-checksum-crc32c": crc, "x-amz-sdk-checksum-algorithm": "CRC32C" });
    expect(new URL(p1.url).searchParams.get("X-Amz-SignedHeaders")).toContain("x-amz-checksum-crc32c");
    expect(p1.url).not.toMatch(/x-amz-checksum-crc32c=/i); // a header, not hoisted into the query
    expect(p2.headers).toEqual({});

    // The signature covers the checksum header: leaving it out is refused.
    const unsigned = await fetch(p1.url, { method: "PUT", body: part1 });
    expect(unsigned.status).toBe(403);

    const r1 = await fetch(p1.url, { method: "PUT", body: part1, headers: p1.headers });
    const r2 = await fetch(p2.url, { method: "PUT", body: part2, headers: p2.headers });
    expect([r1.status, r2.status]).toEqual([200, 200]);
    await recordParts(caller, created.sessionId, [
      { partNumber: 1, size: part1.length, etag: r1.headers.get("etag")! },
      { partNumber: 2, size: part2.length, etag: r2.headers.get("etag")! },
    ]);
    expect((await completeUpload(caller, created.sessionId, { sha256: sha256(bytes) })).status).toBe("completed");
    expect(sha256((await getObjectBytes(created.key)).bytes)).toBe(sha256(bytes));
  });
});
