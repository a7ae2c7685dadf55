import type { Config } from "@/lib/config";
import { objectUrl } from "@/lib/storage/object-url";

/**
 * The portal download link of a session: `{NEXTAUTH_URL}/download/{sessionId}/{fileName}` (file name
 * percent-encoded, RFC 3986). @throws Error when NEXTAUTH_URL (the portal's public URL) is not set.
 */
export function downloadUrl(config: Pick<Config, "NEXTAUTH_URL">, sessionId: string, fileName: string): string {
  if (!config.NEXTAUTH_URL) throw new Error("NEXTAUTH_URL (the portal's public URL) must be set to link private datasets' files through /download/.");
  return `${config.NEXTAUTH_URL.replace(/\/+$/, "")}/download/${sessionId}/${encodeURIComponent(fileName)}`;
}

/**
 * The CKAN resource `url` of a stored object: the portal's `/download/…` link for a private dataset,
 * and for every dataset when DOWNLOAD_MODE=redirect (objects are never public, so only a short-lived
 * presigned GET can fetch them); else the object URL (S3_PUBLIC_BASE_URL or the S3 URL).
 */
export function resourceUrlFor(
  config: Pick<Config, "DOWNLOAD_MODE" | "NEXTAUTH_URL" | "S3_PUBLIC_BASE_URL" | "S3_ENDPOINT" | "S3_FORCE_PATH_STYLE" | "S3_BUCKET" | "S3_REGION">,
  session: { id: string; fileName: string; key: string },
  datasetPrivate: boolean,
): string {
  if (datasetPrivate || config.DOWNLOAD_MODE === "redirect") return downloadUrl(config, session.id, session.fileName);
  return objectUrl(config, session.key);
}
