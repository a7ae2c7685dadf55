/**
 * Post-completion integrity (CASES 38), the pure parts: the fingerprint of a HeadObject answer, what
 * counts as a change, the multipart ETag the parts must make, and the refusal a browser or API client sees.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api/errors";
import { downloadErrorResponse } from "@/lib/downloads/error-page";
import { describeMismatch, fingerprintOf, type ObjectFingerprint } from "@/lib/storage/fingerprint";
import { completionMismatch, expectedMultipartEtag, integrityRefusalMessage } from "@/lib/uploads/integrity";

const md5 = (s: string) => createHash("md5").update(s).digest("hex");
const base: ObjectFingerprint = { size: 10, etag: "abc-2", lastModified: new Date("2026-11-29T10:00:00.000Z"), versionId: null, checksum: null };

describe("fingerprints", () => {
  it("read a HeadObject answer: ETag without quotes, S3's 'null' version as none, the strongest checksum", () => {
    expect(fingerprintOf({ ContentLength: 5, ETag: '"abc-2"', VersionId: "null", ChecksumCRC32C: "AAAA", ChecksumSHA256: "BBBB" })).toEqual({
      size: 5, etag: "abc-2", lastModified: null, versionId: null, checksum: "SHA256:BBBB",
    });
    expect(fingerprintOf({ ContentLength: 0, VersionId: "v1" })).toMatchObject({ etag: null, versionId: "v1", checksum: null });
  });

  it("match when nothing changed (Last-Modified compared to the second) and name every difference otherwise", () => {
    expect(describeMismatch(base, { ...base, lastModified: new Date("2026-11-29T10:00:00.999Z") })).toBeNull();
    expect(describeMismatch(base, null)).toBe("the object no longer exists at its key");
    expect(describeMismatch(base, { ...base, size: 11, etag: "def" })).toBe("the object was replaced after completion: size 10 → 11 bytes; ETag abc-2 → def");
    expect(describeMismatch({ ...base, versionId: "v1", checksum: "CRC32C:x" }, { ...base, versionId: "v2", checksum: "CRC32C:y" })).toBe(
      "the object was replaced after completion: VersionId v1 → v2; checksum CRC32C:x → CRC32C:y",
    );
    expect(describeMismatch(base, { ...base, lastModified: new Date("2026-11-29T10:00:01.000Z") })).toMatch(/Last-Modified/);
    // A field the store did not report at completion is not compared.
    expect(describeMismatch({ ...base, etag: null }, { ...base, etag: "whatever" })).toBeNull();
  });
});

describe("the multipart ETag the parts make", () => {
  const parts = [md5("part one"), md5("part two")];
  const expected = `${createHash("md5").update(Buffer.concat(parts.map((p) => Buffer.from(p, "hex")))).digest("hex")}-2`;

  it("is the MD5 of the concatenated binary part MD5s, then -N (quotes ignored); unknown for non-MD5 part ETags", () => {
    expect(expectedMultipartEtag(parts.map((p) => `"${p}"`))).toBe(expected);
    expect(expectedMultipartEtag(["not-an-md5", parts[1]])).toBeNull();
    expect(expectedMultipartEtag([])).toBeNull();
  });

  it("tells a replaced object at completion: a single-PUT ETag, or another multipart ETag", () => {
    expect(completionMismatch(2, expected, parts)).toBeNull();
    // A store that answers a plain MD5 for a multipart object (s3rver) cannot be checked this way.
    expect(completionMismatch(2, md5("evil"), parts)).toBeNull();
    expect(completionMismatch(2, `${md5("evil")}-2`, parts)).toMatch(/the uploaded parts make/);
    expect(completionMismatch(0, md5(""), [])).toBeNull(); // a 0-byte file is one PutObject by the portal
  });
});

describe("a refused download", () => {
  const err = new ApiError("object_changed", integrityRefusalMessage("the object was replaced after completion: size 10 → 11 bytes"));

  it("is JSON {error: {code, message}} with 409 for API clients", async () => {
    const res = downloadErrorResponse(err, "application/json");
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: { code: "object_changed", message: err.message } });
  });

  it("is a readable HTML page with the same status for a browser, the message escaped", async () => {
    const res = downloadErrorResponse(new ApiError("object_changed", "<b>x</b> & y"), "text/html,application/xhtml+xml,*/*;q=0.8");
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    expect(html).toContain("<h1>This file cannot be downloaded</h1>");
    expect(html).toContain("&#60;b&#62;x&#60;/b&#62; &#38; y");
    expect(html).not.toContain("<b>x</b>");
  });
});
