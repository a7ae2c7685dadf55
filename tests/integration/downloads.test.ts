/**
 * Private datasets and downloads, against Ceph RGW, the demo CKAN server and SQLite: objects are never
 * public; private datasets' resources link the portal's /download/{sessionId}/{fileName}, which asks
 * CKAN (package_show as the caller, or anonymously) and redirects to a presigned GET whose
 * Content-Disposition carries a quoted `filename` and an RFC 5987 `filename*` (CASES 6, 26).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CreateBucketCommand, GetObjectAclCommand, PutBucketPolicyCommand } from "@aws-sdk/client-s3";
import { ApiError } from "@/lib/api/errors";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { decideDownload } from "@/lib/downloads/download";
import { completeUpload } from "@/lib/uploads/complete";
import { createUpload } from "@/lib/uploads/create";
import { recordParts } from "@/lib/uploads/parts";
import { callerFor, startIntegrationEnv, type DemoCkan } from "./support/env";
import { portalS3, sha256, tempS3, testBytes, uploadAllParts } from "./support/s3";

const PORTAL = "http://portal.test:3000";
let env: Awaited<ReturnType<typeof startIntegrationEnv>>;
let ckan: DemoCkan;

beforeAll(async () => {
  env = await startIntegrationEnv({ NEXTAUTH_URL: PORTAL, DOWNLOAD_MODE: "direct", DOWNLOAD_URL_SECONDS: "300" });
  ckan = env.ckan;
});
afterAll(async () => env?.close());
afterEach(() => {
  process.env.DOWNLOAD_MODE = "direct";
  delete process.env.S3_PUBLIC_BASE_URL;
  resetConfigForTests();
});

async function upload(user: string, dataset: string, fileName: string, bytes: Uint8Array) {
  const caller = callerFor(ckan, user);
  const created = await createUpload(caller, { datasetId: dataset, fileName, size: bytes.length, contentType: "" }, { ip: null, userAgent: null });
  if (created.partCount > 0) await recordParts(caller, created.sessionId, await uploadAllParts(tempS3(created.credentials!), created, bytes));
  const done = await completeUpload(caller, created.sessionId, {});
  return { created, done, resource: ckan.state.getResource(done.resourceId!)!.resource as Record<string, unknown> };
}

/** Follows a download decision to S3: the response status, bytes and Content-Disposition. */
async function fetchRedirect(decision: Awaited<ReturnType<typeof decideDownload>>) {
  if (decision.kind !== "redirect") throw new Error(`expected a redirect, got ${decision.kind}`);
  const res = await fetch(decision.url);
  return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()), disposition: res.headers.get("content-disposition") ?? "", url: new URL(decision.url) };
}

async function errorCode(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e instanceof ApiError ? e.code : String(e)),
  );
}

/** The file names of CASES 6: [label, name]. */
const CASES_6_NAMES: Array<[string, string]> = [
  ["report & notes #1?.csv", "report & notes #1?.csv"],
  ["50% done+final;v2,.csv", "50% done+final;v2,.csv"],
  ["日本語データ.csv", "日本語データ.csv"],
  ["données été.xlsx", "données été.xlsx"],
  ["../../etc/passwd", "../../etc/passwd"],
  ["a 300-byte name", `${"n".repeat(296)}.csv`],
  ["only dots and spaces", ". . .."],
  ["emoji", "📊 results 🚀.json"],
];

describe("a private dataset's files", () => {
  it.each(CASES_6_NAMES.map(([label, name], i) => [label, name, i] as const))("%s: links /download/…, downloads with a quoted filename + RFC 5987 filename*", async (_label, name, i) => {
    const bytes = testBytes(100 + i, i + 1);
    const { created, resource } = await upload("collab_editor", "private-dataset", String(name), bytes);
    expect(resource.url).toBe(`${PORTAL}/download/${created.sessionId}/${encodeURIComponent(String(name))}`);
    expect(resource.name).toBe(name);

    const got = await fetchRedirect(await decideDownload(callerFor(ckan, "collab_editor"), created.sessionId, String(name)));
    expect(got.status).toBe(200);
    expect(sha256(got.bytes)).toBe(sha256(bytes));
    expect(got.url.searchParams.get("X-Amz-Expires")).toBe("300");
    const m = /^attachment; filename="([\x20-\x7e]*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]+)$/.exec(got.disposition);
    expect(m, got.disposition).not.toBeNull();
    expect(m![1]).not.toMatch(/["\\/]/);
    expect(decodeURIComponent(m![2])).toBe(String(name).normalize("NFC").replace(/[\\/]/g, "_"));
  });

  it("can be downloaded by every user CKAN lets see the dataset: collaborators (member, editor), org editor, sysadmin", async () => {
    const bytes = testBytes(64, 99);
    const { created } = await upload("editor_user", "private-dataset", "shared.bin", bytes);
    for (const user of ["plain_user", "collab_editor", "editor_user", "ckan_admin"]) {
      const got = await fetchRedirect(await decideDownload(callerFor(ckan, user), created.sessionId, "shared.bin"));
      expect([user, got.status]).toEqual([user, 200]);
    }
    const audited = await getDb().auditEvent.findMany({ where: { sessionId: created.sessionId, type: "object.downloaded" }, orderBy: { createdAt: "asc" } });
    expect(audited.map((e) => e.actorName)).toEqual(["plain_user", "collab_editor", "editor_user", "ckan_admin"]);
  });

  it("gives 404 to a signed-in user who may not see it, and asks a signed-out visitor to sign in", async () => {
    const { created } = await upload("editor_user", "private-dataset", "secret.csv", testBytes(10, 3));
    const token = ckan.state.addUser({ name: `outsider-${Date.now()}` });
    const outsider = callerFor(ckan, ckan.state.userForToken(token)!.name, token);
    expect(await errorCode(decideDownload(outsider, created.sessionId, "secret.csv"))).toBe("not_found");
    expect(await decideDownload(null, created.sessionId, "secret.csv")).toEqual({ kind: "sign_in" });
  });

  it("gives 404 for an unknown session, a wrong file name, and an upload not yet stored", async () => {
    const { created } = await upload("editor_user", "private-dataset", "named.csv", testBytes(10, 4));
    const editor = callerFor(ckan, "editor_user");
    expect(await errorCode(decideDownload(editor, "00000000-0000-0000-0000-000000000000", "named.csv"))).toBe("not_found");
    expect(await errorCode(decideDownload(editor, "not-a-uuid", "named.csv"))).toBe("not_found");
    expect(await errorCode(decideDownload(editor, created.sessionId, "other.csv"))).toBe("not_found");
    const pending = await createUpload(editor, { datasetId: "private-dataset", fileName: "pending.csv", size: 10, contentType: "" }, { ip: null, userAgent: null });
    expect(await errorCode(decideDownload(editor, pending.sessionId, "pending.csv"))).toBe("not_found");
  });

  it("is never public: an unsigned GET of the object is refused and the object has no public grant", async () => {
    const { created } = await upload("editor_user", "private-dataset", "never-public.csv", testBytes(10, 5));
    const row = await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId } });
    expect(row.objectUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ckan-uploads\/uploads\//);
    expect((await fetch(row.objectUrl!)).status).toBe(403);
    const acl = await portalS3().send(new GetObjectAclCommand({ Bucket: created.bucket, Key: created.key }));
    const grantees = (acl.Grants ?? []).map((g) => g.Grantee?.URI ?? g.Grantee?.ID);
    expect(grantees.some((g) => /AllUsers|AuthenticatedUsers/.test(String(g)))).toBe(false);
    expect(acl.Grants?.map((g) => g.Permission)).toEqual(["FULL_CONTROL"]);
  });
});

describe("a public dataset's files", () => {
  it("link /download/ by default (no S3_PUBLIC_BASE_URL: the bucket serves nothing anonymously), and the link answers 200 anonymously with the bytes", async () => {
    const bytes = testBytes(20, 6);
    const { created, resource } = await upload("editor_user", "test-dataset", "open.csv", bytes);
    expect(resource.url).toBe(`${PORTAL}/download/${created.sessionId}/open.csv`);
    // The raw object URL would be a dead link: objects are never public.
    const row = await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId } });
    expect((await fetch(row.objectUrl!)).status).toBe(403);
    const got = await fetchRedirect(await decideDownload(null, created.sessionId, "open.csv"));
    expect(got.status).toBe(200);
    expect(sha256(got.bytes)).toBe(sha256(bytes));
    expect(got.disposition).toBe(`attachment; filename="open.csv"; filename*=UTF-8''open.csv`);
  });

  it("link /download/ when DOWNLOAD_MODE=redirect, even with S3_PUBLIC_BASE_URL", async () => {
    process.env.DOWNLOAD_MODE = "redirect";
    process.env.S3_PUBLIC_BASE_URL = "https://files.example.org";
    resetConfigForTests();
    const { created, resource } = await upload("editor_user", "test-dataset", "redirected.csv", testBytes(20, 7));
    expect(resource.url).toBe(`${PORTAL}/download/${created.sessionId}/redirected.csv`);
  });

  it("link S3_PUBLIC_BASE_URL/{key} when set and the store serves it anonymously (a bucket policy here), answering 200 with the bytes", async () => {
    const bucket = `ckan-public-${Date.now().toString(36)}`;
    await portalS3().send(new CreateBucketCommand({ Bucket: bucket }));
    await portalS3().send(new PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/uploads/*` }] }),
    }));
    Object.assign(process.env, { S3_BUCKET: bucket, S3_PUBLIC_BASE_URL: `${process.env.S3_ENDPOINT}/${bucket}` });
    resetConfigForTests();
    try {
      const bytes = testBytes(30, 8);
      const { created, resource } = await upload("editor_user", "test-dataset", "cdn.csv", bytes);
      expect(resource.url).toBe(`${process.env.S3_ENDPOINT}/${bucket}/${created.key}`);
      const res = await fetch(String(resource.url));
      expect(res.status).toBe(200);
      expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(bytes));
      // A private dataset still links /download/.
      const priv = await upload("collab_editor", "private-dataset", "still-private.csv", testBytes(10, 9));
      expect(priv.resource.url).toBe(`${PORTAL}/download/${priv.created.sessionId}/still-private.csv`);
    } finally {
      process.env.S3_BUCKET = "ckan-uploads";
    }
  });
});
