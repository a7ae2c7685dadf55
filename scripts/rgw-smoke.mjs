// End-to-end smoke test of the throwaway RGW started by scripts/rgw.sh:
//   bash scripts/rgw.sh start && source /tmp/ckan-portal-rgw/env && node scripts/rgw-smoke.mjs
// STS AssumeRole with a one-object session policy, multipart upload split between the portal's
// own credentials and the temporary ones, 403s outside the policy, CORS preflight/expose headers,
// and a DurationSeconds probe. Prints PASS/FAIL/INFO per check; exit 1 on any FAIL.
import { randomBytes } from "node:crypto";
import {
  S3Client,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  ListPartsCommand,
  CompleteMultipartUploadCommand,
  AbortMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  GetObjectCommand,
  DeleteObjectCommand,
} from "@aws-sdk/client-s3";
import { STSClient, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

const env = (k) => {
  const v = process.env[k];
  if (!v) {
    console.error(`missing env ${k} (source the env file written by scripts/rgw.sh start)`);
    process.exit(2);
  }
  return v;
};
const endpoint = env("S3_ENDPOINT");
const stsEndpoint = env("STS_ENDPOINT");
const region = process.env.S3_REGION || "us-east-1";
const bucket = env("S3_BUCKET");
const roleArn = env("S3_ROLE_ARN");
const portalCreds = { accessKeyId: env("AWS_ACCESS_KEY_ID"), secretAccessKey: env("AWS_SECRET_ACCESS_KEY") };

const run = `${Date.now()}-${randomBytes(3).toString("hex")}`;
const key = `smoke/${run}/key.bin`;
const otherKey = `smoke/${run}/other.bin`;
const PART = 5 * 1024 * 1024;

let failures = 0;
const pass = (name, extra = "") => console.log(`PASS ${name}${extra ? ` (${extra})` : ""}`);
const fail = (name, extra = "") => {
  failures++;
  console.log(`FAIL ${name}${extra ? ` (${extra})` : ""}`);
};
const info = (name, extra = "") => console.log(`INFO ${name}${extra ? `: ${extra}` : ""}`);
const errStr = (e) => `${e?.name} ${e?.$metadata?.httpStatusCode ?? ""} ${e?.message ?? ""}`.trim();

const s3For = (credentials) =>
  new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
const sts = new STSClient({ endpoint: stsEndpoint, region, credentials: portalCreds });
const portal = s3For(portalCreds);

const sessionPolicy = (k) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
        Resource: [`arn:aws:s3:::${bucket}/${k}`],
      },
    ],
  });

async function check(name, fn) {
  try {
    const r = await fn();
    pass(name, typeof r === "string" ? r : "");
    return true;
  } catch (e) {
    fail(name, errStr(e));
    return false;
  }
}

async function expectDenied(name, fn) {
  try {
    await fn();
    fail(name, "request succeeded, expected 403 AccessDenied");
  } catch (e) {
    const status = e?.$metadata?.httpStatusCode;
    if (status === 403 && e?.name === "AccessDenied") pass(name, "403 AccessDenied");
    else fail(name, `expected 403 AccessDenied, got ${errStr(e)}`);
  }
}

// --- STS
let temp;
await check("STS AssumeRole with inline session policy", async () => {
  const r = await sts.send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: `smoke-${run}`.slice(0, 64),
      DurationSeconds: 900,
      Policy: sessionPolicy(key),
    }),
  );
  const c = r.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error("no credentials returned");
  temp = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  return `expires ${c.Expiration?.toISOString()}`;
});
if (!temp) {
  console.log("cannot continue without temporary credentials");
  process.exit(1);
}
const tempS3 = s3For(temp);

// --- multipart: create (portal) -> part (temp) -> list (temp) -> complete (portal)
let uploadId;
let etag;
await check("CreateMultipartUpload with portal credentials", async () => {
  const r = await portal.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: "application/octet-stream" }),
  );
  uploadId = r.UploadId;
  if (!uploadId) throw new Error("no UploadId");
  return `UploadId ${uploadId}`;
});
await check("UploadPart 5 MiB with temporary credentials", async () => {
  const r = await tempS3.send(
    new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: 1, Body: randomBytes(PART) }),
  );
  etag = r.ETag;
  if (!etag) throw new Error("no ETag");
  return `ETag ${etag}`;
});
await check("ListParts with temporary credentials", async () => {
  const r = await tempS3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
  const p = r.Parts ?? [];
  if (p.length !== 1 || p[0].Size !== PART) throw new Error(`parts ${JSON.stringify(p)}`);
  return "1 part";
});
await check("CompleteMultipartUpload with portal credentials", async () => {
  const r = await portal.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etag }] },
    }),
  );
  return `response ETag ${JSON.stringify(r.ETag ?? null)}`;
});
await check("HeadObject size", async () => {
  const r = await portal.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  if (r.ContentLength !== PART) throw new Error(`ContentLength ${r.ContentLength} != ${PART}`);
  return `${r.ContentLength} bytes, ETag ${r.ETag}`;
});

// --- the temporary credentials are confined to one key and to upload actions
await expectDenied("temp creds PutObject on another key", () =>
  tempS3.send(new PutObjectCommand({ Bucket: bucket, Key: otherKey, Body: "x" })),
);
await expectDenied("temp creds GetObject on the key", () =>
  tempS3.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
);
await expectDenied("temp creds DeleteObject on the key", () =>
  tempS3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })),
);
await check("object still there after denied delete", async () => {
  await portal.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return "";
});

// --- abort with temp creds, then ListParts (RGW quirk: 404 NoSuchKey rather than NoSuchUpload)
{
  const k2 = `smoke/${run}/aborted.bin`;
  const r2 = await sts.send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: `smoke2-${run}`.slice(0, 64), Policy: sessionPolicy(k2) }),
  );
  const t2 = s3For({
    accessKeyId: r2.Credentials.AccessKeyId,
    secretAccessKey: r2.Credentials.SecretAccessKey,
    sessionToken: r2.Credentials.SessionToken,
  });
  const { UploadId } = await portal.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: k2 }));
  await check("AbortMultipartUpload with temporary credentials", async () => {
    await t2.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: k2, UploadId }));
    return "";
  });
  try {
    await portal.send(new ListPartsCommand({ Bucket: bucket, Key: k2, UploadId }));
    fail("ListParts after abort", "succeeded, expected 404");
  } catch (e) {
    if (e?.$metadata?.httpStatusCode === 404) pass("ListParts after abort is 404", e.name);
    else fail("ListParts after abort", errStr(e));
  }
}

// --- CORS
const origin = "http://localhost:3000";
const objectUrl = `${endpoint}/${bucket}/${key}`;
await check("CORS preflight OPTIONS PUT on object URL", async () => {
  const r = await fetch(objectUrl, {
    method: "OPTIONS",
    headers: {
      Origin: origin,
      "Access-Control-Request-Method": "PUT",
      "Access-Control-Request-Headers": "content-type,x-amz-checksum-crc32c",
    },
  });
  const allow = r.headers.get("access-control-allow-origin");
  if (!r.ok || !allow) throw new Error(`status ${r.status}, Access-Control-Allow-Origin ${allow}`);
  return `status ${r.status}, allow-origin ${allow}, allow-methods ${r.headers.get("access-control-allow-methods")}, allow-headers ${r.headers.get("access-control-allow-headers")}, max-age ${r.headers.get("access-control-max-age")}`;
});
await check("CORS actual PUT exposes ETag", async () => {
  const url = await getSignedUrl(portal, new PutObjectCommand({ Bucket: bucket, Key: otherKey }), { expiresIn: 300 });
  const r = await fetch(url, { method: "PUT", headers: { Origin: origin }, body: "hello" });
  const expose = r.headers.get("access-control-expose-headers") ?? "";
  const allow = r.headers.get("access-control-allow-origin");
  if (!r.ok) throw new Error(`status ${r.status}: ${await r.text()}`);
  if (!allow || !/(^|,\s*)etag(\s*,|$)/i.test(expose)) throw new Error(`allow-origin ${allow}, expose-headers "${expose}"`);
  return `allow-origin ${allow}, expose-headers "${expose}", ETag ${r.headers.get("etag")}`;
});

// --- DurationSeconds probe (informational, 900 must work)
for (const d of [60, 300, 900, 3600]) {
  try {
    const r = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: `dur-${d}`, DurationSeconds: d, Policy: sessionPolicy(key) }),
    );
    const secs = Math.round((r.Credentials.Expiration.getTime() - Date.now()) / 1000);
    info(`AssumeRole DurationSeconds=${d}`, `accepted, expires in ~${secs}s`);
  } catch (e) {
    if (d === 900) fail(`AssumeRole DurationSeconds=${d}`, errStr(e));
    else info(`AssumeRole DurationSeconds=${d}`, `rejected: ${errStr(e)}`);
  }
}

// --- cleanup
for (const k of [key, otherKey]) {
  await portal.send(new DeleteObjectCommand({ Bucket: bucket, Key: k })).catch(() => {});
}

console.log(failures ? `${failures} check(s) FAILED` : "all checks passed");
process.exit(failures ? 1 : 0);
