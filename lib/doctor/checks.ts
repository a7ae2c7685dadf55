import { randomUUID } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  S3Client,
  UploadPartCommand,
  type CORSRule,
  type LifecycleRule,
} from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { createCkanClient } from "@/lib/ckan";
import type { Config } from "@/lib/config";
import { createS3Client, createStsClient } from "@/lib/storage/clients";
import { STS_MIN_DURATION_SECONDS } from "@/lib/config";
import { StorageError } from "@/lib/storage/errors";
import { buildSessionPolicy, roleSessionName } from "@/lib/storage/session-policy";
import { assumeUploadRole } from "@/lib/storage/sts";
import { publicLinkMode } from "@/lib/downloads/links";
import { checkLinks } from "./links";
import { assumeRoleWorks, updateRoleCommand } from "@/lib/storage/sts-diagnosis";
import { BROWSER_UPLOAD_HEADERS, corsFix, lifecycleFix, portalPrincipalPolicy, rolePolicy, roleTrustPolicy } from "./fixes";

/** One check's outcome. `fixes` hold the exact JSON to apply; `applied` when --apply fixed it. */
export interface CheckResult {
  id: "config" | "bucket" | "cors" | "lifecycle" | "credentials" | "ckan" | "links";
  title: string;
  status: "ok" | "fail" | "skip";
  detail: string;
  /** `json`: a document to apply; `command`: a shell command to run (printed after `$`). */
  fixes?: Array<{ what: string; json?: unknown; command?: string }>;
  applied?: boolean;
}

export interface DoctorOptions {
  /** Apply the bucket-side fixes (CORS, lifecycle) with the portal's credentials. */
  apply?: boolean;
  /** The portal's browser origin; default: NEXTAUTH_URL's origin. */
  origin?: string;
  s3?: S3Client;
  sts?: STSClient;
}

/** Lowest CKAN version the portal supports (user_show without id, API tokens). */
export const MIN_CKAN_VERSION = [2, 10] as const;

/** `Name: message (HTTP status)` of an AWS SDK error, never a secret. */
function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return `${e.name ?? "Error"}${e.message && e.message !== e.name ? `: ${e.message}` : ""}${status ? ` (HTTP ${status})` : ""}`;
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** Whether an S3 CORS pattern (at most one `*`) matches `value`, case-insensitively for headers. */
function corsMatch(pattern: string, value: string, caseless = false): boolean {
  const [p, v] = caseless ? [pattern.toLowerCase(), value.toLowerCase()] : [pattern, value];
  if (!p.includes("*")) return p === v;
  const [head, tail] = [p.slice(0, p.indexOf("*")), p.slice(p.indexOf("*") + 1)];
  return v.startsWith(head) && v.endsWith(tail) && v.length >= head.length + tail.length;
}

/** Why `rule` does not let the browser upload parts from `origin` (empty: it does). */
export function corsRuleProblems(rule: CORSRule, origin: string): string[] {
  const problems: string[] = [];
  if (!(rule.AllowedOrigins ?? []).some((o) => corsMatch(o, origin))) problems.push(`AllowedOrigins lacks ${origin}`);
  if (!(rule.AllowedMethods ?? []).includes("PUT")) problems.push("AllowedMethods lacks PUT");
  const missing = BROWSER_UPLOAD_HEADERS.filter((h) => !(rule.AllowedHeaders ?? []).some((a) => corsMatch(a, h, true)));
  if (missing.length) problems.push(`AllowedHeaders lacks ${missing.join(", ")}`);
  if (!(rule.ExposeHeaders ?? []).some((h) => h.toLowerCase() === "etag")) problems.push("ExposeHeaders lacks ETag (the browser cannot read part ETags)");
  return problems;
}

/** Whether `rule` aborts incomplete multipart uploads of keys under `prefix`. */
export function lifecycleRuleCovers(rule: LifecycleRule, prefix: string): boolean {
  if (rule.Status !== "Enabled" || !rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation) return false;
  const f = rule.Filter;
  if (f?.Tag || f?.And?.Tags?.length || f?.ObjectSizeGreaterThan || f?.ObjectSizeLessThan) return false;
  const rulePrefix = f?.Prefix ?? f?.And?.Prefix ?? (rule as { Prefix?: string }).Prefix ?? "";
  return prefix.startsWith(rulePrefix);
}

/** Compares dotted versions: true when `version` ≥ MIN_CKAN_VERSION. */
export function ckanVersionSupported(version: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map((n) => Number.parseInt(n, 10) || 0);
  return major > MIN_CKAN_VERSION[0] || (major === MIN_CKAN_VERSION[0] && minor >= MIN_CKAN_VERSION[1]);
}

/**
 * Checks the portal's AWS and CKAN setup with its own configuration and credentials:
 * 1. bucket — HeadBucket; 2. cors — a rule allows PUT from the portal's origin with the upload
 * headers and exposes ETag; 3. lifecycle — a rule aborts incomplete multipart uploads under
 * S3_KEY_PREFIX; 4. credentials — sts: AssumeRole on S3_ROLE_ARN with a one-key session policy, then
 * that credential uploads part 1 of a test key `{prefix}_doctor/{uuid}/probe.bin` and may not start
 * an upload of another key (presigned: a presigned UploadPart URL works); the test upload is aborted;
 * 5. ckan — status_show answers and ckan_version ≥ 2.10; 6. links — which link mode public datasets'
 * resources get, and with S3_PUBLIC_BASE_URL an anonymous GET of a probe object through it must return
 * its bytes. `apply` writes the CORS and lifecycle fixes.
 * Never throws for a failed check: each result says what failed and the JSON that fixes it.
 */
export async function runDoctor(config: Config, opts: DoctorOptions = {}): Promise<CheckResult[]> {
  const s3 = opts.s3 ?? createS3Client(config);
  const sts = opts.sts ?? createStsClient(config);
  const bucket = config.S3_BUCKET;
  const prefix = config.S3_KEY_PREFIX;
  const results: CheckResult[] = [];
  const principal = await sts.send(new GetCallerIdentityCommand({})).then((r) => r.Arn ?? null, () => null);
  const principalPolicy = { what: `the portal principal's policy (${principal ?? "its IAM user or role"})`, json: portalPrincipalPolicy(bucket, prefix, config.S3_ROLE_ARN) };

  // 1. bucket
  let bucketOk = false;
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    bucketOk = true;
    results.push({ id: "bucket", title: `bucket ${bucket}`, status: "ok", detail: `reachable at ${config.S3_ENDPOINT ?? `AWS ${config.S3_REGION}`}` });
  } catch (err) {
    const status = httpStatus(err);
    const why = status === 404 ? "does not exist (create it, with Block Public Access on)" : status === 403 ? "refuses the portal's credentials" : "is unreachable";
    results.push({ id: "bucket", title: `bucket ${bucket}`, status: "fail", detail: `${why}: ${describeError(err)}`, fixes: [principalPolicy] });
  }

  // 2. CORS
  const origin = opts.origin ?? (config.NEXTAUTH_URL ? new URL(config.NEXTAUTH_URL).origin : undefined);
  if (!bucketOk) results.push({ id: "cors", title: "bucket CORS", status: "skip", detail: "bucket not reachable" });
  else if (!origin) results.push({ id: "cors", title: "bucket CORS", status: "fail", detail: "NEXTAUTH_URL is not set, so the portal's origin is unknown (or pass --origin https://upload.example.org)" });
  else results.push(await checkCors(s3, bucket, origin, opts.apply ?? false));

  // 3. lifecycle
  if (!bucketOk) results.push({ id: "lifecycle", title: "lifecycle rule", status: "skip", detail: "bucket not reachable" });
  else results.push(await checkLifecycle(s3, bucket, prefix, opts.apply ?? false));

  // 4. credentials
  if (!bucketOk) results.push({ id: "credentials", title: "upload credentials", status: "skip", detail: "bucket not reachable" });
  else results.push(await checkCredentials(config, s3, sts, principal, principalPolicy));

  // 5. CKAN
  results.push(await checkCkan(config));

  // 6. resource links (lib/doctor/links.ts)
  results.push(bucketOk || publicLinkMode(config) === "redirect" ? await checkLinks(config, s3) : { id: "links", title: "resource links", status: "skip", detail: "bucket not reachable" });
  return results;
}

async function checkCors(s3: S3Client, bucket: string, origin: string, apply: boolean): Promise<CheckResult> {
  const title = "bucket CORS";
  const read = async (): Promise<CORSRule[]> =>
    s3.send(new GetBucketCorsCommand({ Bucket: bucket })).then(
      (r) => r.CORSRules ?? [],
      (err) => {
        if (httpStatus(err) === 404 || (err as { name?: string }).name === "NoSuchCORSConfiguration") return [];
        throw err;
      },
    );
  let rules: CORSRule[];
  try {
    rules = await read();
  } catch (err) {
    return { id: "cors", title, status: "fail", detail: `GetBucketCors failed: ${describeError(err)}` };
  }
  const problems = rules.map((r) => corsRuleProblems(r, origin));
  if (problems.some((p) => p.length === 0)) return { id: "cors", title, status: "ok", detail: `a rule allows PUT from ${origin} and exposes ETag` };
  const detail = rules.length === 0 ? "no CORS configuration: browsers cannot send parts" : `no rule lets ${origin} upload: ${problems.map((p) => p.join("; ")).join(" | ")}`;
  const fix = corsFix(rules, origin);
  if (apply) {
    try {
      await s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: fix }));
      const after = await read();
      if (after.some((r) => corsRuleProblems(r, origin).length === 0)) return { id: "cors", title, status: "ok", detail: `${detail} — fixed: rule for ${origin} added`, applied: true, fixes: [{ what: "bucket CORS (applied)", json: fix }] };
    } catch (err) {
      return { id: "cors", title, status: "fail", detail: `${detail}; --apply failed: ${describeError(err)}`, fixes: [{ what: "bucket CORS (PutBucketCors)", json: fix }] };
    }
  }
  return { id: "cors", title, status: "fail", detail, fixes: [{ what: "bucket CORS (PutBucketCors; --apply does it)", json: fix }] };
}

async function checkLifecycle(s3: S3Client, bucket: string, prefix: string, apply: boolean): Promise<CheckResult> {
  const title = "lifecycle rule";
  const read = async (): Promise<LifecycleRule[]> =>
    s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })).then(
      (r) => r.Rules ?? [],
      (err) => {
        if (httpStatus(err) === 404 || (err as { name?: string }).name === "NoSuchLifecycleConfiguration") return [];
        throw err;
      },
    );
  let rules: LifecycleRule[];
  try {
    rules = await read();
  } catch (err) {
    return { id: "lifecycle", title, status: "fail", detail: `GetBucketLifecycleConfiguration failed: ${describeError(err)}` };
  }
  const covering = rules.find((r) => lifecycleRuleCovers(r, prefix));
  if (covering) return { id: "lifecycle", title, status: "ok", detail: `rule ${covering.ID ?? "(no id)"} aborts incomplete multipart uploads after ${covering.AbortIncompleteMultipartUpload!.DaysAfterInitiation} days` };
  const detail = `no enabled rule aborts incomplete multipart uploads under "${prefix}": abandoned parts are stored (and billed) forever`;
  const fix = lifecycleFix(rules, prefix);
  if (apply) {
    try {
      await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: fix }));
      if ((await read()).some((r) => lifecycleRuleCovers(r, prefix))) return { id: "lifecycle", title, status: "ok", detail: `${detail} — fixed: rule added`, applied: true, fixes: [{ what: "lifecycle configuration (applied)", json: fix }] };
    } catch (err) {
      return { id: "lifecycle", title, status: "fail", detail: `${detail}; --apply failed: ${describeError(err)}`, fixes: [{ what: "lifecycle configuration (PutBucketLifecycleConfiguration)", json: fix }] };
    }
  }
  return { id: "lifecycle", title, status: "fail", detail, fixes: [{ what: "lifecycle configuration (PutBucketLifecycleConfiguration; --apply does it)", json: fix }] };
}

async function checkCredentials(config: Config, s3: S3Client, sts: STSClient, principal: string | null, principalPolicy: { what: string; json: unknown }): Promise<CheckResult> {
  const bucket = config.S3_BUCKET;
  const key = `${config.S3_KEY_PREFIX}_doctor/${randomUUID()}/probe.bin`;
  const title = config.CREDENTIALS_MODE === "sts" ? "role and scoped credential" : "presigned part upload";
  const roleFixes = [
    { what: `the role's trust policy (${config.S3_ROLE_ARN ?? "S3_ROLE_ARN"})`, json: roleTrustPolicy(principal ?? "arn:aws:iam::ACCOUNT_ID:role/PORTAL_ROLE") },
    { what: "the role's permission policy", json: rolePolicy(bucket, config.S3_KEY_PREFIX) },
    principalPolicy,
  ];
  let uploadId: string | undefined;
  const body = new TextEncoder().encode("ckan-upload-portal doctor probe");
  try {
    let partClient: S3Client | null = null;
    if (config.CREDENTIALS_MODE === "sts") {
      try {
        // The configured duration, as uploads will ask for it (CASES 30): a role whose maximum session
        // duration is lower refuses every upload.
        const grant = await assumeUploadRole(sts, { roleArn: config.S3_ROLE_ARN!, bucket, key, userName: "doctor", durationSeconds: config.STS_DURATION_SECONDS });
        partClient = new S3Client({
          region: config.S3_REGION,
          endpoint: config.S3_ENDPOINT,
          forcePathStyle: config.S3_FORCE_PATH_STYLE,
          credentials: { accessKeyId: grant.credentials.accessKeyId, secretAccessKey: grant.credentials.secretAccessKey, sessionToken: grant.credentials.sessionToken },
          maxAttempts: 1,
          requestChecksumCalculation: "WHEN_REQUIRED",
          responseChecksumValidation: "WHEN_REQUIRED",
        });
      } catch (err) {
        if (err instanceof StorageError && err.setting === "STS_DURATION_SECONDS") return durationFailure(config, sts, key, err);
        return { id: "credentials", title, status: "fail", detail: `the role cannot be assumed: ${(err as Error).message}`, fixes: roleFixes };
      }
    }
    try {
      uploadId = (await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))).UploadId;
    } catch (err) {
      return { id: "credentials", title, status: "fail", detail: `the portal cannot start a multipart upload: ${describeError(err)}`, fixes: [principalPolicy] };
    }
    if (partClient) {
      try {
        const out = await partClient.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: 1, Body: body, ContentLength: body.length }));
        if (!out.ETag) throw new Error("no ETag in the response");
      } catch (err) {
        return { id: "credentials", title, status: "fail", detail: `the scoped credential cannot upload a part of ${key}: ${describeError(err)}`, fixes: roleFixes.slice(1, 2) };
      }
      // The credential must be scoped: starting an upload of another key is refused.
      const otherKey = key.replace(/probe\.bin$/, "other.bin");
      const other = await partClient.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: otherKey })).then((r) => r.UploadId, () => undefined);
      if (other) {
        await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: otherKey, UploadId: other })).catch(() => undefined);
        return { id: "credentials", title, status: "fail", detail: "the scoped credential could start an upload of another key: this store ignores session policies", fixes: roleFixes.slice(1, 2) };
      }
      return { id: "credentials", title, status: "ok", detail: `assumed ${config.S3_ROLE_ARN}; the one-key credential uploaded part 1 of ${key} (then aborted) and was refused another key` };
    }
    const url = await getSignedUrl(s3, new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: 1 }), { expiresIn: 300 });
    const res = await fetch(url, { method: "PUT", body });
    if (!res.ok) return { id: "credentials", title, status: "fail", detail: `a presigned UploadPart of ${key} got HTTP ${res.status}`, fixes: [principalPolicy] };
    return { id: "credentials", title, status: "ok", detail: `a presigned URL uploaded part 1 of ${key} (then aborted)` };
  } finally {
    if (uploadId) await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
  }
}

/**
 * STS_DURATION_SECONDS above the role's maximum session duration: finds the longest of 3,600 s (the
 * default maximum) and 900 s (AWS's minimum) that the role accepts, and prints both ways out — raise the
 * role's maximum (`aws iam update-role --max-session-duration`, up to 43,200 s) or lower the setting.
 */
async function durationFailure(config: Config, sts: STSClient, key: string, err: StorageError): Promise<CheckResult> {
  const roleArn = config.S3_ROLE_ARN!;
  const req = { roleArn, roleSessionName: roleSessionName("doctor"), policy: JSON.stringify(buildSessionPolicy(config.S3_BUCKET, key)), durationSeconds: config.STS_DURATION_SECONDS };
  let allowed: number | null = null;
  for (const seconds of [3600, STS_MIN_DURATION_SECONDS]) {
    if (seconds < config.STS_DURATION_SECONDS && (await assumeRoleWorks(sts, req, seconds))) {
      allowed = seconds;
      break;
    }
  }
  const limit = allowed === null ? "" : ` (it accepts ${allowed.toLocaleString("en")} s)`;
  return {
    id: "credentials",
    title: "role and scoped credential",
    status: "fail",
    detail: `STS_DURATION_SECONDS=${config.STS_DURATION_SECONDS} is above the maximum session duration of the role ${roleArn}${limit}: every upload would be refused (STS answered ${err.code ?? "no error code"}${err.httpStatus ? ` (HTTP ${err.httpStatus})` : ""}).`,
    fixes: [
      { what: `raise the role's maximum session duration to ${config.STS_DURATION_SECONDS} s (AWS; at most 43,200)`, command: updateRoleCommand(roleArn, config.STS_DURATION_SECONDS) },
      { what: `or lower the setting (900 s is AWS's minimum and the portal's default: the shortest window for a withdrawn user)`, command: `STS_DURATION_SECONDS=${allowed ?? STS_MIN_DURATION_SECONDS}` },
    ],
  };
}

async function checkCkan(config: Config): Promise<CheckResult> {
  const title = `CKAN ${config.CKAN_URL}`;
  try {
    const status = await createCkanClient({ baseUrl: config.CKAN_URL }).statusShow();
    const version = String(status.ckan_version);
    if (!ckanVersionSupported(version)) return { id: "ckan", title, status: "fail", detail: `CKAN ${version} is too old: the portal needs ${MIN_CKAN_VERSION.join(".")} or later (API tokens, user_show without id)` };
    return { id: "ckan", title, status: "ok", detail: `reachable, version ${version}` };
  } catch (err) {
    return { id: "ckan", title, status: "fail", detail: `status_show failed: ${(err as Error).message}. Check CKAN_URL.` };
  }
}

/** JSON indented by 2, with arrays of strings and numbers kept on one line. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\s*((?:"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)(?:,\s*(?:"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?))*)\s*\]/g, (_m, inner: string) => `[${inner.split(/,\s*\n\s*/).join(", ")}]`);
}

/** The report as printed: `✓`/`✗`/`–` per check, each fix as indented JSON. */
export function formatReport(results: CheckResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const mark = r.status === "ok" ? "✓" : r.status === "fail" ? "✗" : "–";
    lines.push(`${mark} ${r.title}: ${r.detail}`);
    if (r.status === "fail" || r.applied) {
      for (const f of r.fixes ?? []) {
        lines.push(`    fix — ${f.what}:`);
        if (f.command) lines.push(`      $ ${f.command}`);
        if (f.json !== undefined) lines.push(...prettyJson(f.json).split("\n").map((l) => `      ${l}`));
      }
    }
  }
  const failed = results.filter((r) => r.status === "fail").length;
  lines.push("", failed === 0 ? "All checks passed." : `${failed} check${failed === 1 ? "" : "s"} failed.`);
  return lines.join("\n");
}
