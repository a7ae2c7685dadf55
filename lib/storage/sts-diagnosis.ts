import "server-only";
import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import { STS_MIN_DURATION_SECONDS } from "@/lib/config";
import { StorageError, toStorageError } from "./errors";

/** What AssumeRole was asked for (the policy and session name exactly as sent). */
export interface AssumeRoleRequest {
  roleArn: string;
  roleSessionName: string;
  policy: string;
  durationSeconds: number;
}

/** The role name of an IAM role ARN (`arn:aws:iam::123:role/path/name` → `name`), for `aws iam update-role`. */
export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf("/") + 1);
}

/** The AWS CLI command that raises the role's maximum session duration to `seconds`. */
export function updateRoleCommand(roleArn: string, seconds: number): string {
  return `aws iam update-role --role-name ${roleNameOf(roleArn)} --max-session-duration ${seconds}`;
}

/** True when AssumeRole with `durationSeconds` (and everything else as in `req`) succeeds. */
export async function assumeRoleWorks(sts: STSClient, req: AssumeRoleRequest, durationSeconds: number): Promise<boolean> {
  try {
    await sts.send(new AssumeRoleCommand({ RoleArn: req.roleArn, RoleSessionName: req.roleSessionName, Policy: req.policy, DurationSeconds: durationSeconds }));
    return true;
  } catch {
    return false;
  }
}

/**
 * Turns an AssumeRole failure into a StorageError whose message names the portal setting it comes from
 * (CASES 30), instead of "STS AssumeRole failed: Unknown (HTTP 400)". AWS STS names the cause in its
 * error code (AWS STS API Reference, AssumeRole "Errors"; IAM User Guide, "Troubleshooting IAM roles"):
 * - `ValidationError` about DurationSeconds / MaxSessionDuration → STS_DURATION_SECONDS;
 * - `AccessDenied` (403), `NoSuchEntity`/404 → S3_ROLE_ARN (missing role, or its trust policy does not
 *   name the portal's principal);
 * - `InvalidClientTokenId`, `SignatureDoesNotMatch`, `ExpiredToken` → the portal's own AWS credentials;
 * - `MalformedPolicyDocument`, `PackedPolicyTooLarge` → the session policy (S3_BUCKET, S3_KEY_PREFIX);
 * - `RegionDisabledException` → S3_REGION / STS_ENDPOINT; no HTTP answer → STS_ENDPOINT.
 * Ceph RGW answers STS errors as S3-style XML that the SDK cannot read (name "Unknown", no code:
 * scripts/rgw.sh), so a 400 without a code above 900 s is settled by one more AssumeRole with 900 s,
 * AWS's minimum: if that works, the duration is what the role refuses.
 */
export async function diagnoseAssumeRoleError(sts: STSClient, req: AssumeRoleRequest, err: unknown): Promise<StorageError> {
  const base = toStorageError(err, "STS", "AssumeRole");
  const status = base.httpStatus;
  const code = base.code ?? "";
  const text = (err as { message?: string })?.message ?? "";
  const answered = `STS answered ${code || "no error code"}${status ? ` (HTTP ${status})` : ""}`;
  const make = (setting: string, message: string) =>
    new StorageError(`${message} (${answered}).`, "STS", "AssumeRole", base.code, status, { cause: err, setting });
  const role = `S3_ROLE_ARN=${req.roleArn}`;
  const tooLong = (checked: string) =>
    make(
      "STS_DURATION_SECONDS",
      `STS refused STS_DURATION_SECONDS=${req.durationSeconds}: it is above the maximum session duration of the role ${role}${checked}. ` +
        `Lower STS_DURATION_SECONDS (900 is AWS's minimum and the portal's default), or raise the role's maximum: ${updateRoleCommand(req.roleArn, req.durationSeconds)}`,
    );

  if (status === undefined) {
    return make("STS_ENDPOINT", `STS could not be reached for AssumeRole (${base.message.replace(/^STS AssumeRole failed: /, "")}): check STS_ENDPOINT and S3_REGION`);
  }
  if (/DurationSeconds|MaxSessionDuration|session duration/i.test(text)) return tooLong("");
  if (code === "InvalidClientTokenId" || code === "SignatureDoesNotMatch" || code === "ExpiredToken" || code === "UnrecognizedClientException") {
    return make("AWS_ACCESS_KEY_ID", "STS does not accept the portal's own AWS credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or its instance role), so it cannot assume S3_ROLE_ARN");
  }
  if (code === "MalformedPolicyDocument" || code === "PackedPolicyTooLarge") {
    return make("S3_BUCKET", `STS refused the one-object session policy (check S3_BUCKET and S3_KEY_PREFIX; ${role})`);
  }
  if (code === "RegionDisabledException") return make("S3_REGION", `STS is not enabled in S3_REGION for this account (or use STS_ENDPOINT)`);
  if (status === 403 || code === "AccessDenied") {
    return make("S3_ROLE_ARN", `STS refused to let the portal assume ${role}: the role's trust policy must name the portal's principal (npm run doctor prints it)`);
  }
  if (status === 404 || code === "NoSuchEntity" || code === "NotFound") return make("S3_ROLE_ARN", `STS found no role ${role}`);
  if (status === 400 && req.durationSeconds > STS_MIN_DURATION_SECONDS && (await assumeRoleWorks(sts, req, STS_MIN_DURATION_SECONDS))) {
    return tooLong(` (AssumeRole with ${STS_MIN_DURATION_SECONDS} s works)`);
  }
  if (status === 400) {
    return make("S3_ROLE_ARN", `STS refused AssumeRole of ${role} with STS_DURATION_SECONDS=${req.durationSeconds}: check the role, its policies and the session policy with npm run doctor`);
  }
  return base;
}
