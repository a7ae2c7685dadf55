import "server-only";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import type { Config } from "@/lib/config";

/**
 * S3 and STS clients acting as the portal's own AWS identity, which comes from the standard AWS SDK
 * credential chain (env vars, shared config, web identity, ECS/EC2 roles). S3_ENDPOINT/STS_ENDPOINT
 * point them at an S3-compatible store. Checksums are only computed when an operation requires them,
 * so stores without checksum support keep working (CASES 21).
 */
export function createS3Client(config: Config): S3Client {
  return new S3Client({
    region: config.S3_REGION,
    endpoint: config.S3_ENDPOINT,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 4,
  });
}

/** STS client for AssumeRole; STS_ENDPOINT (else S3_ENDPOINT, for stores like Ceph RGW) or AWS's regional endpoint. */
export function createStsClient(config: Config): STSClient {
  return new STSClient({
    region: config.S3_REGION,
    endpoint: config.STS_ENDPOINT ?? config.S3_ENDPOINT,
    maxAttempts: 4,
  });
}

const globalForClients = globalThis as unknown as { portalS3?: S3Client; portalSts?: STSClient };

/** Process-wide S3 client for the validated configuration. */
export function getS3Client(config: Config): S3Client {
  globalForClients.portalS3 ??= createS3Client(config);
  return globalForClients.portalS3;
}

/** Process-wide STS client for the validated configuration. */
export function getStsClient(config: Config): STSClient {
  globalForClients.portalSts ??= createStsClient(config);
  return globalForClients.portalSts;
}
