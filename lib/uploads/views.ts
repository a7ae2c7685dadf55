import type { UploadSession } from "@/lib/generated/sqlite/client";
import { getConfig } from "@/lib/config";

/** The JSON view of a session returned by the API (sizes in bytes as numbers: all < 2^53). */
export interface SessionView {
  sessionId: string;
  status: string;
  fileName: string;
  size: number;
  bytesConfirmed: number;
  key: string;
  partSize: number;
  partCount: number;
  mode: "sts" | "presigned";
  sha256: string | null;
  resourceId: string | null;
  resourceUrl: string | null;
  ckanResourceUrl: string | null;
  error: { code: string; message: string } | null;
  createdAt: string;
  completedAt: string | null;
  /** The resource fields the publisher set (issue 12); null where the portal's default applies. */
  resourceFields: { name: string | null; description: string | null; format: string | null };
  /** The CKAN resource whose file this upload replaces, or null for a new resource. */
  replacesResourceId: string | null;
  /** Only in the answer to the completion that made it: something the user should know that is not an error (e.g. a draft dataset could not be made active). */
  notice?: string;
  /** With `notice`: its stable code (`draft_kept`, `draft_not_activated`) and ICU values (`title`, `error`), which the UI translates. */
  noticeCode?: string;
  noticeValues?: Record<string, string>;
}

/** Link to a CKAN resource page: `{CKAN_URL}/dataset/{dataset}/resource/{id}`. */
export function ckanResourcePageUrl(datasetName: string, resourceId: string): string {
  return `${getConfig().CKAN_URL}/dataset/${encodeURIComponent(datasetName)}/resource/${encodeURIComponent(resourceId)}`;
}

/** Serialises a session row (plus its dataset name, for links) for API responses. */
export function sessionView(s: UploadSession, datasetName: string): SessionView {
  return {
    sessionId: s.id,
    status: s.status.toLowerCase(),
    fileName: s.fileName,
    size: Number(s.size),
    bytesConfirmed: Number(s.bytesConfirmed),
    key: s.key,
    partSize: Number(s.partSize),
    partCount: s.partCount,
    mode: s.mode === "STS" ? "sts" : "presigned",
    sha256: s.sha256,
    resourceId: s.resourceId,
    resourceUrl: s.resourceUrl,
    ckanResourceUrl: s.resourceId ? ckanResourcePageUrl(datasetName, s.resourceId) : null,
    error: s.errorCode ? { code: s.errorCode, message: s.errorMessage ?? "" } : null,
    createdAt: s.createdAt.toISOString(),
    completedAt: s.completedAt?.toISOString() ?? null,
    resourceFields: { name: s.resourceName ?? null, description: s.resourceDescription ?? null, format: s.resourceFormat ?? null },
    replacesResourceId: s.replacesResourceId ?? null,
  };
}
