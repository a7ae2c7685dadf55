import { randomUUID } from "node:crypto";
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Config } from "@/lib/config";
import { publicLinkMode } from "@/lib/downloads/links";
import { objectUrl } from "@/lib/storage/object-url";
import type { CheckResult } from "./checks";

/**
 * Doctor check 6, "resource links": says which link mode is in effect for public datasets' CKAN
 * resources and proves it works.
 * - `redirect` (no S3_PUBLIC_BASE_URL, or DOWNLOAD_MODE=redirect): every resource links
 *   `{NEXTAUTH_URL}/download/…`, so NEXTAUTH_URL must be set; objects stay private.
 * - `direct` (S3_PUBLIC_BASE_URL set): the portal writes a probe object `{prefix}_doctor/{uuid}/public-probe.txt`
 *   with its own credentials, GETs `S3_PUBLIC_BASE_URL/{key}` with no credentials (following
 *   redirects, `timeoutMs`, default 10 s) and expects HTTP 200 with the probe's bytes; then deletes it.
 *   Anything else means public datasets' links would be dead, and says how to fix it.
 */
export async function checkLinks(config: Config, s3: S3Client, timeoutMs = 10_000): Promise<CheckResult> {
  const title = "resource links";
  if (publicLinkMode(config) === "redirect") {
    const why = config.DOWNLOAD_MODE === "redirect" ? "DOWNLOAD_MODE=redirect" : "S3_PUBLIC_BASE_URL is not set";
    if (!config.NEXTAUTH_URL) {
      return { id: "links", title, status: "fail", detail: `link mode: redirect (${why}), but NEXTAUTH_URL is not set, so the portal cannot build /download/ links and registration fails: set NEXTAUTH_URL to the portal's public URL` };
    }
    return { id: "links", title, status: "ok", detail: `link mode: redirect (${why}) — every CKAN resource links ${config.NEXTAUTH_URL.replace(/\/+$/, "")}/download/{session}/{file}, which checks CKAN and redirects to a presigned GET valid ${config.DOWNLOAD_URL_SECONDS} s; objects stay private` };
  }
  const key = `${config.S3_KEY_PREFIX}_doctor/${randomUUID()}/public-probe.txt`;
  const body = `ckan-upload-portal doctor public-link probe ${randomUUID()}`;
  const url = objectUrl(config, key);
  try {
    await s3.send(new PutObjectCommand({ Bucket: config.S3_BUCKET, Key: key, Body: body, ContentType: "text/plain" }));
  } catch (err) {
    return { id: "links", title, status: "fail", detail: `link mode: direct (S3_PUBLIC_BASE_URL=${config.S3_PUBLIC_BASE_URL}); the probe object could not be written: ${(err as Error).message}` };
  }
  try {
    const res = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    if (res.status === 200 && text === body) {
      return { id: "links", title, status: "ok", detail: `link mode: direct — public datasets' resources link ${config.S3_PUBLIC_BASE_URL}/{key}; an anonymous GET of a probe object there returned its bytes. Private datasets still link /download/.` };
    }
    const what = res.status === 200 ? "HTTP 200 with other content" : `HTTP ${res.status}`;
    return {
      id: "links",
      title,
      status: "fail",
      detail: `link mode: direct, but an anonymous GET of ${url} answered ${what}: public datasets' resource links would be dead. Either unset S3_PUBLIC_BASE_URL (the portal then links its /download/ redirect) or make the bucket or CDN serve "${config.S3_KEY_PREFIX}" anonymously at that URL`,
    };
  } catch (err) {
    return { id: "links", title, status: "fail", detail: `link mode: direct, but ${url} is unreachable: ${(err as Error).message}. Unset S3_PUBLIC_BASE_URL or fix the CDN` };
  } finally {
    await s3.send(new DeleteObjectCommand({ Bucket: config.S3_BUCKET, Key: key })).catch(() => undefined);
  }
}
