import { describe, expect, it } from "vitest";
import type { S3Client } from "@aws-sdk/client-s3";
import { StorageError } from "@/lib/storage/errors";
import { abortMultipartUpload } from "@/lib/storage/multipart";

/** An S3 client whose every call fails the way a given store answers AbortMultipartUpload. */
function failingWith(name: string, status: number): S3Client {
  return { send: async () => Promise.reject(Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } })) } as unknown as S3Client;
}
const input = { bucket: "b", key: "k", uploadId: "2~u" };

describe("abortMultipartUpload outcomes", () => {
  it("reports a completed abort", async () => {
    expect(await abortMultipartUpload({ send: async () => ({}) } as unknown as S3Client, input)).toBe("aborted");
  });

  it.each([
    ["NoSuchUpload", 404, "gone"],
    ["NoSuchKey", 404, "gone"], // Ceph RGW after an abort
    ["MethodNotAllowed", 405, "unsupported"], // s3rver
    ["NotImplemented", 501, "unsupported"],
  ])("maps %s (HTTP %i) to %s", async (name, status, outcome) => {
    expect(await abortMultipartUpload(failingWith(name, status), input)).toBe(outcome);
  });

  it("throws a StorageError naming S3 for anything else", async () => {
    const err = await abortMultipartUpload(failingWith("AccessDenied", 403), input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).message).toBe("S3 AbortMultipartUpload failed: AccessDenied (HTTP 403)");
  });
});
