import { describe, expect, it } from "vitest";
import { attachmentDisposition, encodeRfc5987 } from "@/lib/downloads/content-disposition";
import { downloadUrl, publicLinkMode, resourceUrlFor } from "@/lib/downloads/links";

describe("attachmentDisposition (CASES 6: quoted filename + RFC 5987 filename*)", () => {
  it.each([
    ["data.csv", `attachment; filename="data.csv"; filename*=UTF-8''data.csv`],
    ["report & notes #1?.csv", `attachment; filename="report & notes #1?.csv"; filename*=UTF-8''report%20%26%20notes%20%231%3F.csv`],
    ["50% done+final;v2,.csv", `attachment; filename="50_ done+final;v2,.csv"; filename*=UTF-8''50%25%20done%2Bfinal%3Bv2%2C.csv`],
    ["日本語データ.csv", `attachment; filename="______.csv"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E%E3%83%87%E3%83%BC%E3%82%BF.csv`],
    ["données été.xlsx", `attachment; filename="donn_es _t_.xlsx"; filename*=UTF-8''donn%C3%A9es%20%C3%A9t%C3%A9.xlsx`],
    ["../../etc/passwd", `attachment; filename=".._.._etc_passwd"; filename*=UTF-8''.._.._etc_passwd`],
    ['say "hi"\\.txt', `attachment; filename="say _hi__.txt"; filename*=UTF-8''say%20%22hi%22_.txt`],
    ["it's (1)*.txt", `attachment; filename="it's (1)*.txt"; filename*=UTF-8''it%27s%20%281%29%2A.txt`],
    ["", `attachment; filename="download"; filename*=UTF-8''download`],
  ])("%j", (name, expected) => {
    expect(attachmentDisposition(name)).toBe(expected);
  });

  it("filename* uses only RFC 5987 attr-chars and decodes back to the name", () => {
    for (const name of ["📊 results 🚀.json", "a\u0301.txt", "x".repeat(300)]) {
      const v = encodeRfc5987(name);
      expect(v).toMatch(/^[A-Za-z0-9!#$&+\-.^_`|~%]*$/);
      expect(decodeURIComponent(v)).toBe(name);
    }
  });
});

describe("resource URLs", () => {
  const config = { DOWNLOAD_MODE: "direct" as const, NEXTAUTH_URL: "https://upload.example.org/", S3_PUBLIC_BASE_URL: undefined, S3_ENDPOINT: undefined, S3_FORCE_PATH_STYLE: false, S3_BUCKET: "ckan-uploads", S3_REGION: "eu-west-1" };
  const session = { id: "0b7e4f5e-8f7a-4a8e-9d51-0c7f3f1f0a11", fileName: "données été.xlsx", key: "uploads/o/d/0b7e4f5e-8f7a-4a8e-9d51-0c7f3f1f0a11/données_été.xlsx" };

  const download = "https://upload.example.org/download/0b7e4f5e-8f7a-4a8e-9d51-0c7f3f1f0a11/donn%C3%A9es%20%C3%A9t%C3%A9.xlsx";

  it("without S3_PUBLIC_BASE_URL every dataset, public or private, links the portal's /download/ (never a raw S3 URL that answers 403)", () => {
    expect(publicLinkMode(config)).toBe("redirect");
    expect(resourceUrlFor(config, session, true)).toBe(download);
    expect(resourceUrlFor(config, session, false)).toBe(download);
  });

  it("with S3_PUBLIC_BASE_URL (the operator says it serves anonymously) a public dataset links it; a private one still /download/", () => {
    const cdn = { ...config, S3_PUBLIC_BASE_URL: "https://files.example.org" };
    expect(publicLinkMode(cdn)).toBe("direct");
    expect(resourceUrlFor(cdn, session, false)).toBe("https://files.example.org/uploads/o/d/0b7e4f5e-8f7a-4a8e-9d51-0c7f3f1f0a11/donn%C3%A9es_%C3%A9t%C3%A9.xlsx");
    expect(resourceUrlFor(cdn, session, true)).toBe(download);
    expect(publicLinkMode({ ...cdn, DOWNLOAD_MODE: "redirect" })).toBe("redirect");
  });

  it("DOWNLOAD_MODE=redirect → the /download/ link for public datasets too", () => {
    expect(resourceUrlFor({ ...config, DOWNLOAD_MODE: "redirect" }, session, false)).toMatch(/^https:\/\/upload\.example\.org\/download\//);
  });

  it("needs NEXTAUTH_URL for a download link", () => {
    expect(() => downloadUrl({ NEXTAUTH_URL: undefined }, session.id, "x")).toThrow(/NEXTAUTH_URL/);
  });
});
