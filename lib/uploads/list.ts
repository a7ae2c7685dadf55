import "server-only";
import { z } from "zod";
import type { Caller } from "@/lib/auth";
import { getDb } from "@/lib/db";
import type { UploadStatus } from "@/lib/generated/sqlite/client";
import { ACTIVE_STATUSES } from "./session";
import { sessionView, type SessionView } from "./views";

/** Query of `GET /api/uploads`: `datasetId` (CKAN id or name), `status` (`resumable`, or one status), `limit` (1–200, default 50). */
export const listUploadsQuerySchema = z.object({
  datasetId: z.string().trim().min(1).max(200).optional(),
  status: z.enum(["resumable", "created", "uploading", "completing", "uploaded", "completed", "failed", "aborted", "expired"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListUploadsQuery = z.infer<typeof listUploadsQuerySchema>;

/** One of the caller's uploads: the session view plus what a client needs to match it to a local file. */
export interface OwnUploadView extends SessionView {
  /** The file's modification time as reported at the start, ms since the epoch (with name and size: the resume fingerprint). */
  lastModified: number | null;
  /** CKAN package id and name. */
  datasetId: string;
  datasetName: string;
}

/**
 * The caller's own uploads, newest first (never another user's, also not for admins: this is the
 * "my uploads" list of API clients). `status=resumable` keeps sessions in which parts may still be sent
 * (created, uploading, failed) — the portal's record of a user's unfinished uploads, which the command
 * line consults to resume when its local state is gone. Whether the multipart upload still exists in S3
 * is checked by `GET /api/uploads/{id}` (ListParts), not here.
 */
export async function listOwnUploads(caller: Caller, q: ListUploadsQuery): Promise<{ uploads: OwnUploadView[] }> {
  const statuses: UploadStatus[] | undefined =
    q.status === "resumable" ? ACTIVE_STATUSES : q.status ? [q.status.toUpperCase() as UploadStatus] : undefined;
  const rows = await getDb().uploadSession.findMany({
    where: {
      user: { ckanId: caller.id },
      ...(statuses && { status: { in: statuses } }),
      ...(q.datasetId && { dataset: { OR: [{ ckanId: q.datasetId }, { name: q.datasetId }] } }),
    },
    include: { dataset: true },
    orderBy: { createdAt: "desc" },
    take: q.limit,
  });
  return {
    uploads: rows.map((s) => ({
      ...sessionView(s, s.dataset.name),
      lastModified: s.lastModified?.getTime() ?? null,
      datasetId: s.dataset.ckanId,
      datasetName: s.dataset.name,
    })),
  };
}
