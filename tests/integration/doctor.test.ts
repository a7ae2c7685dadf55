/**
 * `npm run doctor` against Ceph RGW with a correctly set-up bucket and deliberately broken ones
 * (buckets created here with the RGW admin user's keys, as scripts/rgw-setup.mjs does), the demo CKAN
 * server, and a fake CKAN 2.9.
 */
import { execFile } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateBucketCommand, ListObjectsV2Command, PutBucketPolicyCommand, GetBucketCorsCommand, GetBucketLifecycleConfigurationCommand, PutBucketCorsCommand, PutBucketLifecycleConfigurationCommand, type CORSRule, type LifecycleRule } from "@aws-sdk/client-s3";
import { parseConfig } from "@/lib/config";
import { runDoctor, type CheckResult } from "@/lib/doctor/checks";
import { portalCorsRule, portalLifecycleRule } from "@/lib/doctor/fixes";
import { startDemoCkan } from "@/scripts/ckan-demo/server";
import { requireRgwEnv, type DemoCkan } from "./support/env";
import { portalS3 } from "./support/s3";

const ROOT = path.resolve(__dirname, "../..");
const ORIGIN = "http://portal.test:3000";
let ckan: DemoCkan;
let oldCkan: http.Server;
let oldCkanUrl: string;

beforeAll(async () => {
  requireRgwEnv();
  ckan = await startDemoCkan({ port: 0 });
  oldCkan = http.createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ success: true, result: { ckan_version: "2.9.11", site_title: "Old CKAN", site_url: "http://old", extensions: [] } }));
  });
  await new Promise<void>((r) => oldCkan.listen(0, "127.0.0.1", r));
  oldCkanUrl = `http://127.0.0.1:${(oldCkan.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await ckan?.close();
  await new Promise((r) => oldCkan?.close(r));
});

/** A fresh bucket with the given CORS rules and lifecycle rules (none when omitted). */
async function makeBucket(label: string, setup: { cors?: CORSRule[]; lifecycle?: LifecycleRule[] } = {}): Promise<string> {
  const bucket = `doctor-${label}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const s3 = portalS3();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (setup.cors) await s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: setup.cors } }));
  if (setup.lifecycle) await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: setup.lifecycle } }));
  return bucket;
}

function env(bucket: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return { ...process.env, S3_BUCKET: bucket, S3_KEY_PREFIX: "uploads/", S3_FORCE_PATH_STYLE: "true", CREDENTIALS_MODE: "sts", CKAN_URL: ckan.url, NEXTAUTH_URL: ORIGIN, NEXTAUTH_SECRET: "doctor-test-secret-0123456789abcdef", ...extra };
}

async function doctor(bucket: string, extra: Record<string, string> = {}, apply = false): Promise<Record<CheckResult["id"], CheckResult>> {
  const results = await runDoctor(parseConfig(env(bucket, extra)), { apply });
  return Object.fromEntries(results.map((r) => [r.id, r])) as Record<CheckResult["id"], CheckResult>;
}

const statuses = (r: Record<string, CheckResult>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.status]));

describe("npm run doctor", () => {
  it("passes every check for a correctly set-up bucket, and the CLI prints ✓ and exits 0", async () => {
    const bucket = await makeBucket("ok", { cors: [portalCorsRule(ORIGIN)], lifecycle: [portalLifecycleRule("uploads/")] });
    const r = await doctor(bucket);
    expect(statuses(r)).toEqual({ bucket: "ok", cors: "ok", lifecycle: "ok", credentials: "ok", ckan: "ok", links: "ok" });
    expect(r.credentials.detail).toMatch(/uploaded part 1 of uploads\/_doctor\/[0-9a-f-]{36}\/probe\.bin \(then aborted\) and was refused another key/);
    expect(r.ckan.detail).toBe("reachable, version 2.10.10");

    const cli = await promisify(execFile)("npm", ["run", "-s", "doctor"], { cwd: ROOT, env: env(bucket) as NodeJS.ProcessEnv });
    expect(cli.stdout).toMatch(/^✓ bucket doctor-ok-\S+: reachable at http:\/\/127\.0\.0\.1:\d+$/m);
    expect(cli.stdout.match(/^✓ /gm)).toHaveLength(6);
    expect(cli.stdout).toMatch(/^✓ resource links: link mode: redirect \(S3_PUBLIC_BASE_URL is not set\) — every CKAN resource links http:\/\/portal\.test:3000\/download\//m);
    expect(cli.stdout).toContain("All checks passed.");
  });

  it("a bare bucket: ✗ CORS and ✗ lifecycle with the exact JSON; --apply fixes both and the next run passes", async () => {
    const bucket = await makeBucket("bare");
    const before = await doctor(bucket);
    expect(statuses(before)).toEqual({ bucket: "ok", cors: "fail", lifecycle: "fail", credentials: "ok", ckan: "ok", links: "ok" });
    expect(before.cors.detail).toBe("no CORS configuration: browsers cannot send parts");
    expect(before.cors.fixes![0].json).toEqual({ CORSRules: [portalCorsRule(ORIGIN)] });
    expect(before.lifecycle.fixes![0].json).toEqual({ Rules: [portalLifecycleRule("uploads/")] });

    // The CLI shows the same, with exit status 1.
    const cli = await promisify(execFile)("npm", ["run", "-s", "doctor"], { cwd: ROOT, env: env(bucket) as NodeJS.ProcessEnv }).then(
      () => null,
      (e: { code: number; stdout: string }) => e,
    );
    expect(cli!.code).toBe(1);
    expect(cli!.stdout).toMatch(/^✗ bucket CORS: no CORS configuration/m);
    expect(cli!.stdout).toContain(`"ExposeHeaders": ["ETag", "x-amz-checksum-crc32c", "x-amz-checksum-sha256"]`);
    expect(cli!.stdout).toContain('"AbortIncompleteMultipartUpload": {');
    expect(cli!.stdout).toContain("2 checks failed.");

    const applied = await doctor(bucket, {}, true);
    expect(statuses(applied)).toEqual({ bucket: "ok", cors: "ok", lifecycle: "ok", credentials: "ok", ckan: "ok", links: "ok" });
    expect([applied.cors.applied, applied.lifecycle.applied]).toEqual([true, true]);
    // Really stored in the bucket, and a fresh run passes without --apply.
    const cors = await portalS3().send(new GetBucketCorsCommand({ Bucket: bucket }));
    expect(cors.CORSRules?.[0]?.ExposeHeaders).toContain("ETag");
    const lc = await portalS3().send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    expect(lc.Rules?.[0]?.AbortIncompleteMultipartUpload?.DaysAfterInitiation).toBe(7);
    expect(statuses(await doctor(bucket))).toEqual({ bucket: "ok", cors: "ok", lifecycle: "ok", credentials: "ok", ckan: "ok", links: "ok" });
  });

  it("a CORS rule that hides ETag, or allows another origin, fails and names what is missing; --apply keeps the other rules", async () => {
    const noEtag = { ...portalCorsRule(ORIGIN), ExposeHeaders: ["x-amz-request-id"] };
    const bucket = await makeBucket("noetag", { cors: [noEtag], lifecycle: [portalLifecycleRule("")] });
    const r = await doctor(bucket);
    expect(r.cors.status).toBe("fail");
    expect(r.cors.detail).toBe(`no rule lets ${ORIGIN} upload: ExposeHeaders lacks ETag (the browser cannot read part ETags)`);
    expect(r.lifecycle.status).toBe("ok"); // a rule for the whole bucket covers the prefix

    const other = await makeBucket("otherorigin", { cors: [{ ...portalCorsRule("https://elsewhere.example"), AllowedMethods: ["GET"], AllowedHeaders: ["content-type"] }] });
    const o = await doctor(other);
    expect(o.cors.detail).toMatch(/AllowedOrigins lacks http:\/\/portal\.test:3000; AllowedMethods lacks PUT; AllowedHeaders lacks authorization, x-amz-date/);
    await doctor(other, {}, true);
    const rules = (await portalS3().send(new GetBucketCorsCommand({ Bucket: other }))).CORSRules ?? [];
    expect(rules.map((x) => x.AllowedOrigins)).toEqual([["https://elsewhere.example"], [ORIGIN]]);
  });

  it("a lifecycle rule that is disabled or covers another prefix fails", async () => {
    const bucket = await makeBucket("badlc", {
      cors: [portalCorsRule(ORIGIN)],
      lifecycle: [{ ...portalLifecycleRule("uploads/"), ID: "off", Status: "Disabled" }, { ...portalLifecycleRule("elsewhere/"), ID: "other-prefix" }],
    });
    const r = await doctor(bucket);
    expect(r.lifecycle.status).toBe("fail");
    expect(r.lifecycle.detail).toMatch(/no enabled rule aborts incomplete multipart uploads under "uploads\/"/);
    expect((r.lifecycle.fixes![0].json as { Rules: LifecycleRule[] }).Rules.map((x) => x.ID)).toEqual(["off", "other-prefix", "abort-incomplete-uploads"]);
  });

  it("a missing bucket fails the bucket check and skips the checks that need it", async () => {
    const r = await doctor(`doctor-missing-${Date.now().toString(36)}`);
    expect(statuses(r)).toEqual({ bucket: "fail", cors: "skip", lifecycle: "skip", credentials: "skip", ckan: "ok", links: "ok" });
    expect(r.bucket.detail).toMatch(/^does not exist/);
    expect(JSON.stringify(r.bucket.fixes![0].json)).toContain("s3:AbortMultipartUpload");
  });

  it("a role that cannot be assumed fails with the trust policy, role policy and portal policy to apply", async () => {
    const bucket = await makeBucket("norole", { cors: [portalCorsRule(ORIGIN)], lifecycle: [portalLifecycleRule("uploads/")] });
    const r = await doctor(bucket, { S3_ROLE_ARN: "arn:aws:iam:::role/no-such-role" });
    expect(r.credentials.status).toBe("fail");
    expect(r.credentials.detail).toBe("the role cannot be assumed: STS found no role S3_ROLE_ARN=arn:aws:iam:::role/no-such-role (STS answered NotFound (HTTP 404)).");
    const docs = r.credentials.fixes!.map((f) => f.json as { Statement: Array<{ Action: unknown }> });
    expect(docs[0].Statement[0].Action).toBe("sts:AssumeRole");
    expect(docs[1].Statement[0].Action).toEqual(["s3:PutObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"]);
  });

  // CASES 30: RGW's role maximum is 3,600 s (scripts/rgw.sh); the doctor tries the configured duration.
  it("STS_DURATION_SECONDS above the role's maximum (7200 on RGW) fails, names the setting and prints the fix", async () => {
    const bucket = await makeBucket("duration", { cors: [portalCorsRule(ORIGIN)], lifecycle: [portalLifecycleRule("uploads/")] });
    const r = await doctor(bucket, { STS_DURATION_SECONDS: "7200" });
    expect(statuses(r)).toEqual({ bucket: "ok", cors: "ok", lifecycle: "ok", credentials: "fail", ckan: "ok", links: "ok" });
    const role = process.env.S3_ROLE_ARN!;
    expect(r.credentials.detail).toMatch(new RegExp(`^STS_DURATION_SECONDS=7200 is above the maximum session duration of the role ${role.replace(/[/.]/g, "\\$&")} \\(it accepts 3,600 s\\): every upload would be refused \\(STS answered [^)]*\\(HTTP 400\\)\\)\\.`));
    expect(r.credentials.fixes!.map((f) => f.command)).toEqual([
      `aws iam update-role --role-name ${role.split("/").pop()} --max-session-duration 7200`,
      "STS_DURATION_SECONDS=3600",
    ]);
    // 3,600 and the default 900 pass.
    expect((await doctor(bucket, { STS_DURATION_SECONDS: "3600" })).credentials.status).toBe("ok");
    expect((await doctor(bucket)).credentials.status).toBe("ok");

    const cli = await promisify(execFile)("npm", ["run", "-s", "doctor"], { cwd: ROOT, env: env(bucket, { STS_DURATION_SECONDS: "7200" }) as NodeJS.ProcessEnv }).then(
      () => null,
      (e: { code: number; stdout: string }) => e,
    );
    expect(cli!.code).toBe(1);
    expect(cli!.stdout).toMatch(/^✗ role and scoped credential: STS_DURATION_SECONDS=7200 is above the maximum session duration/m);
    expect(cli!.stdout).toContain(`      $ aws iam update-role --role-name ${role.split("/").pop()} --max-session-duration 7200`);
  });

  it("presigned mode checks a presigned part upload instead of the role", async () => {
    const bucket = await makeBucket("presigned", { cors: [portalCorsRule(ORIGIN)], lifecycle: [portalLifecycleRule("uploads/")] });
    const r = await doctor(bucket, { CREDENTIALS_MODE: "presigned" });
    expect(r.credentials.status).toBe("ok");
    expect(r.credentials.detail).toMatch(/^a presigned URL uploaded part 1 of uploads\/_doctor\//);
  });

  it("resource links: S3_PUBLIC_BASE_URL that does not serve anonymously fails; one that does passes (link mode direct); no NEXTAUTH_URL fails redirect mode", async () => {
    const bucket = await makeBucket("links", { cors: [portalCorsRule(ORIGIN)], lifecycle: [portalLifecycleRule("uploads/")] });
    const base = `${process.env.S3_ENDPOINT}/${bucket}`;
    const closed = await doctor(bucket, { S3_PUBLIC_BASE_URL: base });
    expect(closed.links.status).toBe("fail");
    expect(closed.links.detail).toMatch(/^link mode: direct, but an anonymous GET of .*\/uploads\/_doctor\/[0-9a-f-]{36}\/public-probe\.txt answered HTTP 403: public datasets' resource links would be dead/);

    await portalS3().send(new PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/uploads/*` }] }),
    }));
    const open = await doctor(bucket, { S3_PUBLIC_BASE_URL: base });
    expect([open.links.status, open.links.detail]).toEqual(["ok", expect.stringMatching(/^link mode: direct — public datasets' resources link /)]);
    expect((await portalS3().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "uploads/_doctor/" }))).KeyCount ?? 0).toBe(0); // the probe is deleted

    const noUrl = await doctor(bucket, { NEXTAUTH_URL: "" });
    expect(noUrl.links.status).toBe("fail");
    expect(noUrl.links.detail).toMatch(/NEXTAUTH_URL is not set/);
  });

  it("CKAN older than 2.10, or unreachable, fails", async () => {
    const bucket = await makeBucket("ckan", { cors: [portalCorsRule(ORIGIN)], lifecycle: [portalLifecycleRule("uploads/")] });
    const old = await doctor(bucket, { CKAN_URL: oldCkanUrl });
    expect([old.ckan.status, old.ckan.detail]).toEqual(["fail", "CKAN 2.9.11 is too old: the portal needs 2.10 or later (API tokens, user_show without id)"]);
    const down = await doctor(bucket, { CKAN_URL: "http://127.0.0.1:9" });
    expect(down.ckan.status).toBe("fail");
    expect(down.ckan.detail).toMatch(/unreachable/);
  });
});
