import type { Config } from "@/lib/config";
import { encodeKeyPath } from "./keys";

/**
 * The URL stored in the CKAN resource for `key`: `S3_PUBLIC_BASE_URL/{key}` when configured, else the
 * S3 object URL — path style (`{endpoint}/{bucket}/{key}`) for S3_FORCE_PATH_STYLE or custom endpoints
 * without virtual hosting, virtual-hosted style on AWS (`https://{bucket}.s3.{region}.amazonaws.com/{key}`).
 */
export function objectUrl(config: Pick<Config, "S3_PUBLIC_BASE_URL" | "S3_ENDPOINT" | "S3_FORCE_PATH_STYLE" | "S3_BUCKET" | "S3_REGION">, key: string): string {
  const path = encodeKeyPath(key);
  if (config.S3_PUBLIC_BASE_URL) return `${config.S3_PUBLIC_BASE_URL}/${path}`;
  if (config.S3_ENDPOINT) {
    const endpoint = config.S3_ENDPOINT.replace(/\/+$/, "");
    if (config.S3_FORCE_PATH_STYLE) return `${endpoint}/${config.S3_BUCKET}/${path}`;
    const u = new URL(endpoint);
    return `${u.protocol}//${config.S3_BUCKET}.${u.host}/${path}`;
  }
  return `https://${config.S3_BUCKET}.s3.${config.S3_REGION}.amazonaws.com/${path}`;
}
