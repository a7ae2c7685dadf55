// Creates the test bucket and its CORS rule on the throwaway RGW (called by scripts/rgw.sh start).
// Reads S3_ENDPOINT, S3_REGION, S3_BUCKET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY from the env.
import {
  S3Client,
  CreateBucketCommand,
  PutBucketCorsCommand,
  GetBucketCorsCommand,
} from "@aws-sdk/client-s3";

const need = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`missing env ${k}`);
  return v;
};

const bucket = need("S3_BUCKET");
const s3 = new S3Client({
  endpoint: need("S3_ENDPOINT"),
  region: process.env.S3_REGION || "us-east-1",
  forcePathStyle: true,
  credentials: {
    accessKeyId: need("AWS_ACCESS_KEY_ID"),
    secretAccessKey: need("AWS_SECRET_ACCESS_KEY"),
  },
  requestChecksumCalculation: "WHEN_REQUIRED",
  responseChecksumValidation: "WHEN_REQUIRED",
});

try {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
} catch (e) {
  if (e?.name !== "BucketAlreadyOwnedByYou") throw e;
}

await s3.send(
  new PutBucketCorsCommand({
    Bucket: bucket,
    CORSConfiguration: {
      CORSRules: [
        {
          AllowedMethods: ["GET", "PUT", "POST", "HEAD", "DELETE"],
          AllowedOrigins: ["*"],
          AllowedHeaders: ["*"],
          ExposeHeaders: ["ETag", "x-amz-checksum-crc32c", "x-amz-checksum-sha256", "x-amz-request-id"],
          MaxAgeSeconds: 3000,
        },
      ],
    },
  }),
);

const cors = await s3.send(new GetBucketCorsCommand({ Bucket: bucket }));
console.log(`bucket ${bucket} ready, CORS: ${JSON.stringify(cors.CORSRules)}`);
