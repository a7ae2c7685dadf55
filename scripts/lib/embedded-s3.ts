/**
 * The embedded S3-compatible server of the demo: s3rver 3.7 (pure npm, no AWS account), on
 * 127.0.0.1, with the bucket and a CORS rule that allows PUT from any origin and exposes ETag.
 * s3rver accepts any credentials and lacks STS, ListParts and AbortMultipartUpload, so the demo
 * runs CREDENTIALS_MODE=presigned (see DESIGN.md "Test peers").
 *
 * DEMO ONLY: s3rver enforces no access control at all — it answers an anonymous GET of any object
 * with 200 — so the portal's guarantee "objects are never public" does not hold for the demo's
 * store. It listens on 127.0.0.1 only; never expose it or put real data in it. The portal itself
 * still links every resource through /download/ (no S3_PUBLIC_BASE_URL), as it does in production.
 */
import fs from "node:fs";
// @ts-expect-error s3rver ships no type declarations
import S3rver from "s3rver";

export const DEMO_CORS_XML = `<?xml version="1.0" encoding="UTF-8"?>
<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>POST</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <ExposeHeader>x-amz-checksum-crc32c</ExposeHeader>
    <ExposeHeader>x-amz-checksum-sha256</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

export interface EmbeddedS3 {
  endpoint: string;
  close(): Promise<void>;
}

/** Starts s3rver on `host:port` storing objects under `directory`. */
export async function startEmbeddedS3(opts: { port: number; host?: string; bucket: string; directory: string }): Promise<EmbeddedS3> {
  fs.mkdirSync(opts.directory, { recursive: true });
  const host = opts.host ?? "127.0.0.1";
  const server = new S3rver({
    address: host,
    port: opts.port,
    directory: opts.directory,
    silent: true,
    vhostBuckets: false,
    configureBuckets: [{ name: opts.bucket, configs: [DEMO_CORS_XML] }],
  });
  const addr = (await server.run()) as { port: number };
  return { endpoint: `http://${host}:${addr.port}`, close: () => server.close() };
}
