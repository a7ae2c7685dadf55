import "server-only";
import type { Caller } from "@/lib/auth";
import type { CkanResource } from "@/lib/ckan";
import type { ResourceFields } from "@/lib/ckan/resource-input";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import type { UploadSession } from "@/lib/generated/sqlite/client";
import { getS3Client } from "@/lib/storage/clients";
import { deleteObject } from "@/lib/storage/multipart";
import { ckanAs } from "./access";
import { writeAudit } from "./audit";
import { neutraliseInvisible } from "./file-name-rule";
import { formatFromFileName } from "./file-types";
import { findStoringSession } from "./replace";

type Actor = { sessionId: string; userId: string; actorName: string };
type Session = Pick<UploadSession, "id" | "fileName" | "size" | "contentType" | "sha256" | "resourceName" | "resourceDescription" | "resourceFormat" | "replacesResourceId" | "bucket">;

/**
 * The file's fields for CKAN `resource_create` / `resource_patch` (CKAN 2.10 default_resource_schema):
 * `url`, `size` (bytes), `mimetype`, `format`, `hash` (`sha256:<hex>`, or "" so a replaced file's old
 * hash does not stay), `last_modified` (now, naive UTC) and the publisher's `name` and `description`.
 * Defaults: a new resource is named after the file; a replaced one keeps its name and description
 * unless new ones were given; the format is the publisher's, else guessed from the file (guessResourceFormat).
 */
export function registrationFields(session: Session, url: string): ResourceFields & { url: string } {
  const replacing = session.replacesResourceId !== null;
  return {
    url,
    ...(session.resourceName ? { name: session.resourceName } : replacing ? {} : { name: neutraliseInvisible(session.fileName) }), // older sessions may predate the name rule (CASES 39)
    ...(session.resourceDescription !== null ? { description: session.resourceDescription } : {}),
    size: Number(session.size),
    mimetype: session.contentType,
    format: session.resourceFormat ?? formatFromFileName(session.fileName, session.contentType),
    ...(session.sha256 ? { hash: `sha256:${session.sha256}` } : replacing ? { hash: "" } : {}),
    last_modified: new Date().toISOString().replace(/Z$/, ""),
  };
}

/**
 * Registers a replacement: reads the resource as CKAN has it now (`resource_show` as the caller),
 * finds the portal upload that stored its current file (if any), and `resource_patch`es the resource
 * with the new file's fields, so it keeps its id.
 * @returns the patched resource and the earlier upload (null when the portal did not store the old file).
 * @throws CkanError (not found, authorization, CKAN down): the caller turns it into a retryable registration failure.
 */
export async function patchReplacedResource(caller: Caller, session: Session, url: string): Promise<{ resource: CkanResource; previous: Awaited<ReturnType<typeof findStoringSession>>; previousUrl: string }> {
  const ckan = ckanAs(caller);
  const current = await ckan.resourceShow(session.replacesResourceId!);
  const previous = await findStoringSession(current.id, current.url);
  const resource = await ckan.resourcePatch({ id: current.id, ...registrationFields(session, url) });
  return { resource, previous: previous && previous.id !== session.id ? previous : null, previousUrl: current.url };
}

/**
 * After a replacement is registered: links the two sessions (the earlier one's `replacedBySessionId`,
 * the new one's `previousSessionId` / `previousObjectKey`) with an audit event on each
 * (`resource.replaced` on the new one, `object.replaced` on the earlier one), then, with
 * REPLACED_OBJECTS=delete, deletes the earlier object (`object.deleted`, and `objectDeletedAt` so that
 * neither downloads nor the integrity sweep look for it). A failed delete is audited
 * (`object.delete_failed`) and never fails the completed upload.
 */
export async function linkReplacement(
  session: Pick<UploadSession, "id" | "key">,
  actor: Actor,
  replaced: { resourceId: string; previous: { id: string; bucket: string; key: string } | null; previousUrl: string },
): Promise<void> {
  const db = getDb();
  const { previous } = replaced;
  await db.$transaction(async (tx) => {
    await tx.uploadSession.update({ where: { id: session.id }, data: { previousSessionId: previous?.id ?? null, previousObjectKey: previous?.key ?? null } });
    await writeAudit(tx, { ...actor, type: "resource.replaced", detail: { resourceId: replaced.resourceId, previousSessionId: previous?.id ?? null, previousObjectKey: previous?.key ?? null, previousUrl: replaced.previousUrl, storedByPortal: previous !== null } });
    if (previous) {
      await tx.uploadSession.update({ where: { id: previous.id }, data: { replacedBySessionId: session.id } });
      await writeAudit(tx, { sessionId: previous.id, userId: actor.userId, actorName: actor.actorName, type: "object.replaced", detail: { resourceId: replaced.resourceId, replacedBySessionId: session.id, newObjectKey: session.key, keep: getConfig().REPLACED_OBJECTS === "keep" } });
    }
  });
  if (!previous || getConfig().REPLACED_OBJECTS !== "delete") return;
  try {
    await deleteObject(getS3Client(getConfig()), { bucket: previous.bucket, key: previous.key });
  } catch (err) {
    await writeAudit(db, { sessionId: previous.id, userId: actor.userId, actorName: actor.actorName, type: "object.delete_failed", detail: { key: previous.key, reason: "replaced", error: (err as Error).message } });
    return;
  }
  await db.$transaction(async (tx) => {
    await tx.uploadSession.update({ where: { id: previous.id }, data: { objectDeletedAt: new Date() } });
    await writeAudit(tx, { sessionId: previous.id, userId: actor.userId, actorName: actor.actorName, type: "object.deleted", detail: { key: previous.key, reason: "replaced", replacedBySessionId: session.id } });
  });
}
