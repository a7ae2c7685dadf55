import "server-only";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { CkanError } from "@/lib/ckan";
import { getDb } from "@/lib/db";
import { ckanApiError, ckanAs, ensureUserRow, loadEditableDataset } from "./access";
import { writeAudit } from "./audit";
import type { ResourceFieldsInput } from "./schemas";
import { loadOwnedSession } from "./session";
import { sessionView, type SessionView } from "./views";

/**
 * Sets the CKAN resource fields of an upload (issue 12; `PATCH /api/uploads/{id}/resource`):
 * `name`, `description`, `format` (lib/uploads/schemas.ts `resourceFieldsSchema` for limits).
 * - Before registration (created, uploading, failed, uploaded): stored on the session and used by the
 *   registration (`resource_create`, or `resource_patch` of a replaced resource).
 * - After completion: CKAN afresh decides whether the caller may still edit the dataset (package_show +
 *   package_update rules, no cache), then `resource_patch {id, …fields}` as the caller, then the session
 *   keeps the new values. Only the given fields change; an empty description or format clears it.
 * Every change is audited (`resource.described`, with the fields and whether CKAN was patched).
 * @returns the session view.
 * @throws ApiError 404/403 (session, dataset, or CKAN refusing the patch), 409 (cancelled, expired, or
 *   being completed), 410 `dataset_deleted`, 502 (CKAN failed; nothing changed).
 */
export async function describeResource(caller: Caller, sessionId: string, fields: ResourceFieldsInput): Promise<SessionView> {
  const session = await loadOwnedSession(caller, sessionId);
  if (["ABORTED", "EXPIRED", "COMPLETING"].includes(session.status)) {
    throw new ApiError("conflict", session.status === "COMPLETING" ? "This upload is being registered in CKAN right now; change its description in a moment." : `Cannot describe the resource: the upload is ${session.status.toLowerCase()}.`);
  }
  const pkg = await loadEditableDataset(caller, session.dataset.ckanId, { fresh: true });
  const userId = await ensureUserRow(caller);
  const patchCkan = session.status === "COMPLETED" && session.resourceId !== null;
  if (patchCkan) {
    try {
      await ckanAs(caller).resourcePatch({ id: session.resourceId!, ...fields });
    } catch (err) {
      if (err instanceof CkanError && err.kind === "not_found") throw new ApiError("not_found", `The CKAN resource ${session.resourceId} of this upload no longer exists.`);
      ckanApiError(err, `Resource ${session.resourceId}`);
    }
  }
  const updated = await getDb().$transaction(async (tx) => {
    await writeAudit(tx, { sessionId, userId, actorName: caller.name, type: "resource.described", detail: { ...fields, resourceId: session.resourceId, patchedInCkan: patchCkan } });
    return tx.uploadSession.update({
      where: { id: sessionId },
      data: {
        ...(fields.name !== undefined && { resourceName: fields.name }),
        ...(fields.description !== undefined && { resourceDescription: fields.description }),
        ...(fields.format !== undefined && { resourceFormat: fields.format }),
      },
    });
  });
  return sessionView(updated, pkg.name);
}
