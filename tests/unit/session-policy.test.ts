import { describe, expect, it } from "vitest";
import { buildSessionPolicy, roleSessionName, UPLOAD_ACTIONS } from "@/lib/storage/session-policy";

describe("buildSessionPolicy", () => {
  it("allows only the three upload actions on exactly one object", () => {
    const policy = buildSessionPolicy("ckan-uploads", "uploads/org/ds/123/data.csv");
    expect(policy).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "UploadThisObjectOnly",
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
          Resource: ["arn:aws:s3:::ckan-uploads/uploads/org/ds/123/data.csv"],
        },
      ],
    });
    expect(UPLOAD_ACTIONS).not.toContain("s3:GetObject");
  });

  it("escapes IAM wildcards so a key can never match other keys", () => {
    const [stmt] = buildSessionPolicy("b", "k/a*b?c$d").Statement;
    expect(stmt.Resource[0]).toBe("arn:aws:s3:::b/k/a${*}b${?}c${$}d");
  });

  it("packs under the 2,048-character AssumeRole Policy limit for the longest key", () => {
    const key = `${"p/".repeat(20)}${"o".repeat(100)}/${"d".repeat(100)}/00000000-0000-0000-0000-000000000000/${"x".repeat(200)}`;
    expect(JSON.stringify(buildSessionPolicy("a".repeat(63), key)).length).toBeLessThan(2048);
  });
});

describe("roleSessionName", () => {
  it("keeps AWS's allowed characters [\\w+=,.@-], 2–64 characters", () => {
    expect(roleSessionName("editor_user")).toBe("ckan-editor_user");
    expect(roleSessionName("jürgen müller")).toBe("ckan-j-rgen-m-ller");
    expect(roleSessionName("x".repeat(100))).toHaveLength(64);
    for (const name of ["", "a", "名前", "a b/c:d"]) {
      const s = roleSessionName(name);
      expect(s).toMatch(/^[\w+=,.@-]{2,64}$/);
    }
  });
});
