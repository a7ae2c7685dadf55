import "server-only";
import type { Caller } from "@/lib/auth";
import { ApiError } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { getS3Client } from "@/lib/storage/clients";
import { listAllParts } from "@/lib/storage/list-parts";
import { loadEditableDataset } from "./access";
import { upsertPartRows } from "./part-rows";
import { ACTIVE_STATUSES, expectedPartSize, loadOwnedSession } from "./session";
import { sessionView, type SessionView } from "./views";

/** A part that can be skipped on resume: stored in S3 and recorded by the portal. Sizes in bytes. */
export interface ResumablePart {
  partNumber: number;
  size: number;
  etag: string;
  /** The part checksum the browser reported (base64), if any. */
  checksum: string | null;
}

/** `GET /api/uploads/{id}`: the session view plus what a reloaded page needs to continue it. */
export interface ResumeView extends SessionView {
  bucket: string;
  region: string;
  /** S3 endpoint for the browser (S3_BROWSER_ENDPOINT, else S3_ENDPOINT); null = AWS. */
  endpoint: string | null;
  forcePathStyle: boolean;
  uploadId: string | null;
  /** The file's modification time as the browser reported it, ms since epoch (part of the resume fingerprint). */
  lastModified: number | null;
  datasetId: string;
  /** True while parts may still be sent (status created/uploading/failed, and the multipart upload exists). */
  resumable: boolean;
  /** Parts that need not be sent again, by part number. */
  recordedParts: ResumablePart[];
  /** How `recordedParts` was checked: against S3's ListParts, or the portal's records only (store without ListParts). */
  partsSource: "list-parts" | "portal";
}

/**
 * The session `sessionId` for resume after a reload or crash (CASES 14). Permission is re-checked with
 * CKAN (a user removed from the organization cannot continue). While the upload is resumable, the
 * portal's recorded parts are reconciled with S3 ListParts (paginated, ≤ 1,000 parts per page): a part
 * counts only if S3 holds it with the recorded ETag and the planned size; a part S3 holds that the
 * browser had not reported yet (the page died before its batch was sent) is recorded now. A store
 * without ListParts (s3rver) falls back to the portal's records. If S3 no longer has the multipart
 * upload (aborted, or removed by a lifecycle rule), the answer says `resumable: false`.
 * @throws ApiError 404/403 (session or dataset), 502 (CKAN or S3).
 */
export async function getUploadForResume(caller: Caller, sessionId: string): Promise<ResumeView> {
  const config = getConfig();
  const session = await loadOwnedSession(caller, sessionId);
  await loadEditableDataset(caller, session.dataset.ckanId);
  const db = getDb();
  const recorded = await db.uploadPart.findMany({ where: { sessionId }, orderBy: { partNumber: "asc" } });
  let parts: ResumablePart[] = recorded.map((p) => ({ partNumber: p.partNumber, size: Number(p.size), etag: p.etag, checksum: p.checksum }));
  let resumable = [...ACTIVE_STATUSES, "FAILED"].includes(session.status);
  let partsSource: ResumeView["partsSource"] = "portal";

  if (resumable && session.uploadId) {
    const listed = await listAllParts(getS3Client(config), { bucket: session.bucket, key: session.key, uploadId: session.uploadId }).catch((err: Error) => {
      throw new ApiError("storage_failed", err.message);
    });
    if (listed.kind === "gone") {
      resumable = false;
      parts = [];
    } else if (listed.kind === "listed") {
      partsSource = "list-parts";
      const byNumber = new Map(recorded.map((p) => [p.partNumber, p]));
      const unreported: ResumablePart[] = [];
      parts = [];
      for (const s of listed.parts) {
        if (s.partNumber > session.partCount || s.size !== expectedPartSize(session, s.partNumber)) continue;
        const mine = byNumber.get(s.partNumber);
        if (mine && mine.etag === s.etag) parts.push({ partNumber: s.partNumber, size: s.size, etag: s.etag, checksum: mine.checksum });
        else if (!mine) unreported.push({ partNumber: s.partNumber, size: s.size, etag: s.etag, checksum: null });
      }
      if (unreported.length > 0) {
        // Up to 10,000 rows: in bulk (one statement per 1,000), not one upsert each.
        await db.$transaction((tx) => upsertPartRows(tx, sessionId, unreported));
        parts = [...parts, ...unreported].sort((a, b) => a.partNumber - b.partNumber);
      }
    }
  }
  return {
    ...sessionView(session, session.dataset.name),
    bucket: session.bucket,
    region: config.S3_REGION,
    endpoint: config.S3_BROWSER_ENDPOINT ?? config.S3_ENDPOINT ?? null,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    uploadId: session.uploadId,
    lastModified: session.lastModified?.getTime() ?? null,
    datasetId: session.dataset.ckanId,
    resumable,
    recordedParts: parts,
    partsSource,
  };
}
