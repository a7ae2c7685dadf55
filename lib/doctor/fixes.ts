/**
 * The exact JSON documents that fix what `npm run doctor` finds wrong. Sources: Amazon S3 User Guide
 * ("Configuring cross-origin resource sharing", "Configuring a bucket lifecycle configuration to delete
 * incomplete multipart uploads"), IAM User Guide ("Role trust policies", "Session policies").
 */
import type { CORSRule, LifecycleRule } from "@aws-sdk/client-s3";
import { UPLOAD_ACTIONS } from "@/lib/storage/session-policy";

/** Headers the browser sends with each UploadPart (SigV4 in sts mode, checksums when enabled). */
export const BROWSER_UPLOAD_HEADERS = ["authorization", "content-type", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "x-amz-user-agent", "x-amz-checksum-crc32c", "x-amz-checksum-sha256"];

/** ID of the portal's own lifecycle rule. */
export const LIFECYCLE_RULE_ID = "abort-incomplete-uploads";

/** The CORS rule the portal needs: PUT (and GET/HEAD for downloads) from `origin`, ETag exposed. */
export function portalCorsRule(origin: string): CORSRule {
  return {
    AllowedOrigins: [origin],
    AllowedMethods: ["PUT", "GET", "HEAD"],
    AllowedHeaders: ["*"],
    ExposeHeaders: ["ETag", "x-amz-checksum-crc32c", "x-amz-checksum-sha256"],
    MaxAgeSeconds: 3000,
  };
}

/** The bucket's CORS configuration with the portal's rule added (other rules kept, first). */
export function corsFix(existing: CORSRule[], origin: string): { CORSRules: CORSRule[] } {
  return { CORSRules: [...existing, portalCorsRule(origin)] };
}

/** The portal's lifecycle rule: abort multipart uploads under `prefix` left incomplete for `days` days. */
export function portalLifecycleRule(prefix: string, days = 7): LifecycleRule {
  return { ID: LIFECYCLE_RULE_ID, Status: "Enabled", Filter: { Prefix: prefix }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: days } };
}

/** The bucket's lifecycle configuration with the portal's rule (replacing an older rule of the same ID). */
export function lifecycleFix(existing: LifecycleRule[], prefix: string): { Rules: LifecycleRule[] } {
  return { Rules: [...existing.filter((r) => r.ID !== LIFECYCLE_RULE_ID), portalLifecycleRule(prefix)] };
}

/** Trust policy of S3_ROLE_ARN: lets the portal's principal assume it. */
export function roleTrustPolicy(portalPrincipalArn: string) {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: portalPrincipalArn }, Action: "sts:AssumeRole" }] };
}

/** Permission policy of S3_ROLE_ARN: the upload actions on the prefix (each credential is narrowed to one key by the session policy). */
export function rolePolicy(bucket: string, prefix: string) {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: [...UPLOAD_ACTIONS], Resource: `arn:aws:s3:::${bucket}/${prefix}*` }] };
}

/**
 * The portal principal's own policy: assume the upload role, run multipart uploads and HeadObject /
 * presigned GETs under the prefix, and (for `npm run doctor`, optional) read and fix the bucket's CORS and lifecycle.
 */
export function portalPrincipalPolicy(bucket: string, prefix: string, roleArn: string | undefined) {
  return {
    Version: "2012-10-17",
    Statement: [
      ...(roleArn ? [{ Sid: "AssumeUploadRole", Effect: "Allow", Action: "sts:AssumeRole", Resource: roleArn }] : []),
      { Sid: "Uploads", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], Resource: `arn:aws:s3:::${bucket}/${prefix}*` },
      { Sid: "DoctorBucketChecks", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketCORS", "s3:PutBucketCORS", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"], Resource: `arn:aws:s3:::${bucket}` },
    ],
  };
}
