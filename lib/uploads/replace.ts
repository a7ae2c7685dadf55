import "server-only";
import { ApiError } from "@/lib/api/errors";
import { CkanError, type CkanClient, type CkanPackage, type CkanResource } from "@/lib/ckan";
import { getDb } from "@/lib/db";
import type { UploadSession } from "@/lib/generated/sqlite/client";

/**
 * Replacing the file of an existing CKAN resource (issue 12, docs/ckan-integration.md "Replacing a
 * resource's file"). The new upload becomes the resource's `url`, `size`, `hash`, `mimetype`,
 * `last_modified` through CKAN `resource_patch`, so the resource keeps its id. A resource whose file
 * this portal stored (a completed session registered it and CKAN still points at that session's
 * link) is replaced in place: the earlier session and its object key are linked from the new session,
 * and the earlier object is kept or deleted per REPLACED_OBJECTS. Any other resource (a link to
 * another site, a file in CKAN's own store) can only be pointed at the new upload; its old file is
 * left untouched — the caller must confirm that (`replaceExternal`).
 */

/** What replacing resource `resource` means, for the page and for session creation. */
export interface ReplaceTarget {
  resource: CkanResource;
  /** The completed session that stored the resource's current file, or null when this portal did not store it. */
  previous: Pick<UploadSession, "id" | "bucket" | "key" | "fileName" | "size" | "resourceUrl"> | null;
  /** One sentence for the user: what replacing this resource will do. */
  consequence: string;
}

/**
 * The portal's upload that stored a resource's current file: the newest completed session registered as
 * `resourceId` whose link CKAN still shows (`resourceUrl` equal to the resource's `url`), not already replaced.
 * @returns the session or null.
 */
export async function findStoringSession(resourceId: string, resourceUrl: string): Promise<ReplaceTarget["previous"]> {
  return getDb().uploadSession.findFirst({
    where: { resourceId, status: "COMPLETED", resourceUrl, replacedBySessionId: null, objectDeletedAt: null },
    orderBy: { completedAt: "desc" },
    select: { id: true, bucket: true, key: true, fileName: true, size: true, resourceUrl: true },
  });
}

/**
 * Resolves resource `resourceId` for a replacement in dataset `pkg` (which the caller may edit:
 * loadEditableDataset): CKAN `resource_show` as the caller, asked now (a cached package_show may
 * not list a resource added a moment ago), and its `package_id` must be this dataset.
 * @throws ApiError 404 when there is no such resource or it belongs to another dataset; CkanError when CKAN fails.
 */
export async function resolveReplaceTarget(ckan: CkanClient, pkg: CkanPackage, resourceId: string, replacedObjects: "keep" | "delete"): Promise<ReplaceTarget> {
  const notHere = new ApiError("not_found", `The dataset "${pkg.title || pkg.name}" has no resource ${resourceId}: only a resource of this dataset can be replaced here.`);
  let resource: CkanResource;
  try {
    resource = await ckan.resourceShow(resourceId);
  } catch (err) {
    if (err instanceof CkanError && (err.kind === "not_found" || err.kind === "authorization")) throw notHere;
    throw err;
  }
  if (resource.package_id !== pkg.id || (resource as { state?: string }).state === "deleted") throw notHere;
  const previous = await findStoringSession(resource.id, resource.url);
  const label = resource.name || resource.id;
  const consequence = previous
    ? `The new file replaces "${label}" in place: the resource keeps its id, and its link, size and checksum change to the new file's. ${
        replacedObjects === "keep"
          ? "The earlier file stays in storage, so the audit trail and links to it keep working."
          : "The earlier file is deleted from storage once the new one is registered."
      }`
    : `"${label}" was not stored by this portal (its URL is ${resource.url || "empty"}). Uploading makes the resource's URL point to the new upload; the file at the old URL is not touched or deleted.`;
  return { resource, previous, consequence };
}

/**
 * Session creation's check: the target exists in the dataset, and a resource this portal did not
 * store is replaced only when the caller confirmed it.
 * @throws ApiError 404 (no such resource in the dataset), 409 `not_stored_by_portal` (confirm with `replaceExternal: true`; the message says what would happen).
 */
export async function assertReplaceable(ckan: CkanClient, pkg: CkanPackage, resourceId: string, replaceExternal: boolean, replacedObjects: "keep" | "delete"): Promise<ReplaceTarget> {
  const target = await resolveReplaceTarget(ckan, pkg, resourceId, replacedObjects);
  if (!target.previous && !replaceExternal) throw new ApiError("not_stored_by_portal", `${target.consequence} Send replaceExternal: true to go ahead.`);
  return target;
}
