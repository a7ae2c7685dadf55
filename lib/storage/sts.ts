import "server-only";
import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import { getMetrics, timed } from "@/lib/ops/metrics";
import { createHash } from "node:crypto";
import { StorageError } from "./errors";
import { diagnoseAssumeRoleError } from "./sts-diagnosis";
import { buildSessionPolicy, roleSessionName } from "./session-policy";
import type { TemporaryCredentials } from "@/lib/uploader/portal-api";

/** Temporary credentials for one object. `expiration` is an ISO 8601 time. */
export type UploadCredentials = TemporaryCredentials;

/**
 * AssumeRole on `roleArn` with the one-object session policy of `bucket`/`key`, for `durationSeconds`
 * (AWS accepts 900 s up to the role's maximum session duration, default 3,600 s).
 * @returns the credentials and, for audit, a SHA-256 digest of the exact policy sent (never the secret).
 * @throws StorageError (service "STS") when STS refuses or is unreachable; its message and `setting` name
 *   the portal setting the refusal comes from (STS_DURATION_SECONDS, S3_ROLE_ARN, …: see sts-diagnosis.ts).
 */
export async function assumeUploadRole(
  sts: STSClient,
  input: { roleArn: string; bucket: string; key: string; userName: string; durationSeconds: number },
): Promise<{ credentials: UploadCredentials; policyDigest: string; roleSessionName: string }> {
  const policy = JSON.stringify(buildSessionPolicy(input.bucket, input.key));
  const sessionName = roleSessionName(input.userName);
  try {
    const m = getMetrics();
    const out = await timed(m.stsSeconds, m.stsErrors, "AssumeRole", () =>
      sts.send(
        new AssumeRoleCommand({
          RoleArn: input.roleArn,
          RoleSessionName: sessionName,
          Policy: policy,
          DurationSeconds: input.durationSeconds,
        }),
      ),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new StorageError("STS AssumeRole failed: the response has no credentials", "STS", "AssumeRole");
    }
    return {
      credentials: {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: new Date(c.Expiration).toISOString(),
      },
      policyDigest: createHash("sha256").update(policy).digest("hex"),
      roleSessionName: sessionName,
    };
  } catch (err) {
    if (err instanceof StorageError) throw err;
    throw await diagnoseAssumeRoleError(sts, { roleArn: input.roleArn, roleSessionName: sessionName, policy, durationSeconds: input.durationSeconds }, err);
  }
}
