import type { Config } from "@/lib/config";
import { objectUrl } from "@/lib/storage/object-url";

/**
 * The portal download link of a session: `{NEXTAUTH_URL}/download/{sessionId}/{fileName}` (file name
 * percent-encoded, RFC 3986). @throws Error when NEXTAUTH_URL (the portal's public URL) is not set.
 */
export function downloadUrl(config: Pick<Config, "NEXTAUTH_URL">, sessionId: string, fileName: string): string {
  if (!config.NEXTAUTH_URL) throw new Error("NEXTAUTH_URL (the portal's public URL) must be set to link files through /download/ (every private dataset's, and every public one's unless S3_PUBLIC_BASE_URL is set).");
  return `${config.NEXTAUTH_URL.replace(/\/+$/, "")}/download/${sessionId}/${encodeURIComponent(fileName)}`;
}

/**
 * Which link a public dataset's resources get: `direct` (the object URL under S3_PUBLIC_BASE_URL) only
 * when the operator has said the bucket or CDN serves objects anonymously there (S3_PUBLIC_BASE_URL
 * set) and DOWNLOAD_MODE is not `redirect`; otherwise `redirect` (the portal's `/download/…`). Objects
 * are never public by the portal's doing, so a raw S3 object URL would answer 403 to everyone.
 */
export function publicLinkMode(config: Pick<Config, "DOWNLOAD_MODE" | "S3_PUBLIC_BASE_URL">): "direct" | "redirect" {
  return config.DOWNLOAD_MODE !== "redirect" && config.S3_PUBLIC_BASE_URL ? "direct" : "redirect";
}

/**
 * The CKAN resource `url` of a stored object: `S3_PUBLIC_BASE_URL/{key}` for a public dataset when
 * {@link publicLinkMode} is `direct`; else the portal's `/download/{sessionId}/{fileName}`, which asks
 * CKAN as the caller (anonymous visitors of a public dataset get the presigned redirect at once;
 * private datasets need sign-in) and then redirects to a short-lived presigned GET.
 * @throws Error when a `/download/` link is needed and NEXTAUTH_URL is not set.
 */
export function resourceUrlFor(
  config: Pick<Config, "DOWNLOAD_MODE" | "NEXTAUTH_URL" | "S3_PUBLIC_BASE_URL" | "S3_ENDPOINT" | "S3_FORCE_PATH_STYLE" | "S3_BUCKET" | "S3_REGION">,
  session: { id: string; fileName: string; key: string },
  datasetPrivate: boolean,
): string {
  if (datasetPrivate || publicLinkMode(config) === "redirect") return downloadUrl(config, session.id, session.fileName);
  return objectUrl(config, session.key);
}
