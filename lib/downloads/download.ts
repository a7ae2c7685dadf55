import "server-only";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { CkanError, createCkanClient } from "@/lib/ckan";
import { ckanFailureMessage } from "@/lib/ckan/errors";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { getS3Client } from "@/lib/storage/clients";
import { toStorageError } from "@/lib/storage/errors";
import { ckanAs, ensureUserRow } from "@/lib/uploads/access";
import { writeAudit } from "@/lib/uploads/audit";
import { integrityRefusalMessage, verifyStoredObject } from "@/lib/uploads/integrity";
import { attachmentDisposition } from "./content-disposition";

const ID_PATTERN = /^[0-9a-f-]{36}$/;

/** Outcome of a download request. */
export type DownloadDecision =
  | { kind: "redirect"; url: string; expiresInSeconds: number }
  /** A signed-out visitor of a dataset CKAN does not show anonymously: sign in first. */
  | { kind: "sign_in" };

/**
 * Decides `GET /download/{sessionId}/{fileName}`: the session must exist, hold a stored object
 * (status uploaded or completed) and be named `fileName`; CKAN `package_show` on its dataset, with the
 * caller's own token (or anonymously when signed out), must succeed — CKAN alone decides who may see
 * a private dataset. Then a presigned GetObject valid DOWNLOAD_URL_SECONDS (default 300) with
 * `ResponseContentDisposition` = attachment, quoted `filename` + RFC 5987 `filename*` (CASES 6), and
 * the stored content type. Nothing is ever made public. Each granted download is audited
 * (`object.downloaded`, with the user, or none when anonymous).
 * @returns a redirect, or `sign_in` for a signed-out visitor CKAN refuses.
 * @throws ApiError 404 (unknown session or name, no object yet, or a dataset the caller may not see:
 *   the same answer, so a private dataset's existence is not revealed), 409 `object_changed` (the object
 *   was replaced after completion: flagged for admins, never served), 410 `object_replaced` (deleted after its
 *   resource's file was replaced, REPLACED_OBJECTS=delete), 502 (CKAN or S3 failed).
 */
export async function decideDownload(caller: Caller | null, sessionId: string, fileName: string): Promise<DownloadDecision> {
  const config = getConfig();
  const notFound = new ApiError("not_found", "File not found.");
  const session = ID_PATTERN.test(sessionId) ? await getDb().uploadSession.findUnique({ where: { id: sessionId }, include: { dataset: true } }) : null;
  if (!session || session.fileName !== fileName || (session.status !== "COMPLETED" && session.status !== "UPLOADED")) throw notFound;

  const ckan = caller ? ckanAs(caller) : createCkanClient({ baseUrl: config.CKAN_URL, tokenHeader: config.CKAN_API_TOKEN_HEADER });
  try {
    await ckan.packageShow(session.dataset.ckanId);
  } catch (err) {
    if (err instanceof CkanError && (err.kind === "not_found" || err.kind === "authorization")) {
      if (!caller) return { kind: "sign_in" };
      throw notFound;
    }
    if (err instanceof CkanError) throw new ApiError("ckan_failed", ckanFailureMessage(err));
    throw err;
  }

  // Replaced and deleted (REPLACED_OBJECTS=delete, issue 12): gone on purpose, not a changed object.
  if (session.objectDeletedAt) throw new ApiError("object_replaced", "This file was replaced by a newer upload of the same CKAN resource and then deleted from storage. Open the resource in CKAN for the current file.");
  // Post-completion integrity (CASES 38): the object must still be the one recorded at completion.
  const verdict = await verifyStoredObject(session, "download");
  if (!verdict.ok) throw new ApiError("object_changed", integrityRefusalMessage(verdict.problem));

  const expiresIn = config.DOWNLOAD_URL_SECONDS;
  let url: string;
  try {
    url = await getSignedUrl(
      getS3Client(config),
      new GetObjectCommand({
        Bucket: session.bucket,
        Key: session.key,
        // In a versioned bucket the GET names the version recorded at completion: a write after this
        // check (within DOWNLOAD_URL_SECONDS) cannot change what this URL serves.
        ...(verdict.versionId ? { VersionId: verdict.versionId } : {}),
        ResponseContentDisposition: attachmentDisposition(session.fileName),
        ResponseContentType: session.contentType,
      }),
      { expiresIn },
    );
  } catch (err) {
    throw toStorageError(err, "S3", "presign GetObject");
  }
  const userId = caller ? await ensureUserRow(caller) : null;
  await writeAudit(getDb(), { sessionId: session.id, userId, actorName: caller?.name ?? null, type: "object.downloaded", detail: { key: session.key, expiresInSeconds: expiresIn } });
  return { kind: "redirect", url, expiresInSeconds: expiresIn };
}
