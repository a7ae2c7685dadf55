/**
 * The inline session policy passed to STS AssumeRole for one upload. The effective permission of
 * the temporary credentials is the intersection of the role's policy and this policy (AWS IAM User
 * Guide, "Session policies"), so even a broad role yields a credential for exactly one object.
 */

/** The only actions a browser needs to send the parts of one multipart upload. */
export const UPLOAD_ACTIONS = ["s3:PutObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"] as const;

export interface SessionPolicy {
  Version: "2012-10-17";
  Statement: Array<{ Sid: string; Effect: "Allow"; Action: string[]; Resource: string[] }>;
}

/** Escapes the IAM wildcard characters `*` and `?` (and `$`) so the ARN matches the key literally. */
function escapeIamResource(key: string): string {
  return key.replace(/\$/g, "${$}").replace(/\*/g, "${*}").replace(/\?/g, "${?}");
}

/**
 * Session policy allowing {@link UPLOAD_ACTIONS} on `arn:aws:s3:::{bucket}/{key}` only.
 * The packed policy must stay under 2,048 characters (AWS STS AssumeRole `Policy` limit);
 * keys are at most ~700 bytes here, so it always fits.
 */
export function buildSessionPolicy(bucket: string, key: string): SessionPolicy {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "UploadThisObjectOnly",
        Effect: "Allow",
        Action: [...UPLOAD_ACTIONS],
        Resource: [`arn:aws:s3:::${bucket}/${escapeIamResource(key)}`],
      },
    ],
  };
}

/**
 * RoleSessionName for AssumeRole from a CKAN user name: AWS allows `[\w+=,.@-]`, 2–64 characters
 * (AWS STS API Reference, AssumeRole). Other characters become `-`; a prefix keeps it ≥ 2 chars and
 * makes CloudTrail entries recognisable.
 */
export function roleSessionName(userName: string): string {
  const cleaned = userName.replace(/[^\w+=,.@-]/g, "-");
  return `ckan-${cleaned}`.slice(0, 64);
}
