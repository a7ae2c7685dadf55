import { describe, expect, it } from "vitest";
import { MAX_SAFE_NAME_BYTES, objectKey, safeFileName } from "@/lib/storage/keys";
import { objectUrl } from "@/lib/storage/object-url";

const utf8 = (s: string) => new TextEncoder().encode(s).length;
const SAFE = /^[\p{L}\p{N}\p{M}._-]+$/u;

describe("safeFileName (CASES 6)", () => {
  it.each([
    ["report & notes #1?.csv", "report_notes_1_.csv"],
    ["50% done+final;v2,.csv", "50_done_final_v2_.csv"],
    ["日本語データ.csv", "日本語データ.csv"],
    ["données été.xlsx", "données_été.xlsx"],
    ["../../etc/passwd", "etc_passwd"],
    ["C:\\Users\\me\\data.csv", "C_Users_me_data.csv"],
    [" . .. . ", "file"],
    ["...", "file"],
    ["rocket 🚀 launch.csv", "rocket_launch.csv"],
    [".hidden", "hidden"],
    ["a\u0000b\u001fc.txt", "abc.txt"],
  ])("%j → %j", (input, expected) => {
    expect(safeFileName(input)).toBe(expected);
  });

  it("keeps the NFC form of decomposed accents", () => {
    expect(safeFileName("e\u0301te\u0301.csv")).toBe("été.csv");
  });

  it("truncates a 300-byte name to at most 200 bytes, keeping the extension and whole characters", () => {
    const ascii = safeFileName(`${"a".repeat(296)}.csv`);
    expect(utf8(ascii)).toBeLessThanOrEqual(MAX_SAFE_NAME_BYTES);
    expect(ascii.endsWith(".csv")).toBe(true);
    const cjk = safeFileName(`${"データ".repeat(40)}.csv`); // 3 bytes a character
    expect(utf8(cjk)).toBeLessThanOrEqual(MAX_SAFE_NAME_BYTES);
    expect(cjk).toMatch(/^(データ|デー|デ)*\.csv$/u);
  });

  it("always yields one safe, non-empty segment", () => {
    for (const name of ["", "/", "\\", "..", "?", "#", "%", " ", "💾", "a/../../b", "CON", "x".repeat(5000)]) {
      const s = safeFileName(name);
      expect(s.length).toBeGreaterThan(0);
      expect(s).toMatch(SAFE);
      expect(s).not.toContain("..");
      expect(s.startsWith(".")).toBe(false);
    }
  });
});

describe("objectKey", () => {
  const base = { prefix: "uploads/", organization: "test-org", dataset: "test-dataset", sessionId: "2b1c8c1e-0000-4000-8000-000000000001" };

  it("is {prefix}{organization}/{dataset}/{sessionId}/{safe name}", () => {
    expect(objectKey({ ...base, fileName: "../../etc/passwd" })).toBe(`uploads/test-org/test-dataset/${base.sessionId}/etc_passwd`);
  });

  it("differs for the same file name in two sessions (CASES 7)", () => {
    const a = objectKey({ ...base, fileName: "data.csv" });
    const b = objectKey({ ...base, sessionId: "2b1c8c1e-0000-4000-8000-000000000002", fileName: "data.csv" });
    expect(a).not.toBe(b);
  });

  it("handles datasets without an organization and an empty prefix", () => {
    expect(objectKey({ ...base, prefix: "", organization: null, fileName: "a.txt" })).toBe(`_no-organization/test-dataset/${base.sessionId}/a.txt`);
  });

  it("stays under S3's 1,024-byte key limit for the longest inputs", () => {
    const key = objectKey({ ...base, prefix: "a/".repeat(50), organization: "o".repeat(100), dataset: "d".repeat(100), fileName: "é".repeat(1000) });
    expect(utf8(key)).toBeLessThanOrEqual(1024);
  });
});

describe("objectUrl", () => {
  const cfg = { S3_BUCKET: "bucket", S3_REGION: "eu-west-1", S3_FORCE_PATH_STYLE: false, S3_ENDPOINT: undefined, S3_PUBLIC_BASE_URL: undefined };

  it("uses S3_PUBLIC_BASE_URL when configured, percent-encoding each segment", () => {
    expect(objectUrl({ ...cfg, S3_PUBLIC_BASE_URL: "https://data.example.org/files" }, "u/日本.csv")).toBe("https://data.example.org/files/u/%E6%97%A5%E6%9C%AC.csv");
  });

  it("is virtual-hosted on AWS and path-style for a path-style endpoint", () => {
    expect(objectUrl(cfg, "k/a b.csv")).toBe("https://bucket.s3.eu-west-1.amazonaws.com/k/a%20b.csv");
    expect(objectUrl({ ...cfg, S3_ENDPOINT: "http://127.0.0.1:7480", S3_FORCE_PATH_STYLE: true }, "k/x")).toBe("http://127.0.0.1:7480/bucket/k/x");
    expect(objectUrl({ ...cfg, S3_ENDPOINT: "https://s3.example.net" }, "k/x")).toBe("https://bucket.s3.example.net/k/x");
  });
});
