import "server-only";
import { getDb } from "@/lib/db";
import { ckanResourcePageUrl } from "./views";

/** One row of an upload history table (sizes in bytes). */
export interface HistoryRow {
  id: string;
  fileName: string;
  size: number;
  status: string;
  createdAt: Date;
  completedAt: Date | null;
  datasetName: string;
  datasetTitle: string;
  ckanResourceUrl: string | null;
  userName: string;
  errorMessage: string | null;
}

/**
 * Upload sessions newest first, filtered by CKAN user id and/or dataset (CKAN package id).
 * @param take page size (default 50, at most 200); `skip` rows to skip.
 */
export async function listUploads(filter: { userCkanId?: string; datasetCkanId?: string; take?: number; skip?: number }): Promise<{ total: number; rows: HistoryRow[] }> {
  const db = getDb();
  const where = {
    ...(filter.userCkanId ? { user: { ckanId: filter.userCkanId } } : {}),
    ...(filter.datasetCkanId ? { dataset: { ckanId: filter.datasetCkanId } } : {}),
  };
  const [total, sessions] = await Promise.all([
    db.uploadSession.count({ where }),
    db.uploadSession.findMany({
      where,
      include: { dataset: true, user: true },
      orderBy: { createdAt: "desc" },
      take: Math.min(filter.take ?? 50, 200),
      skip: filter.skip ?? 0,
    }),
  ]);
  return {
    total,
    rows: sessions.map((s) => ({
      id: s.id,
      fileName: s.fileName,
      size: Number(s.size),
      status: s.status.toLowerCase(),
      createdAt: s.createdAt,
      completedAt: s.completedAt,
      datasetName: s.dataset.name,
      datasetTitle: s.dataset.title,
      ckanResourceUrl: s.resourceId ? ckanResourcePageUrl(s.dataset.name, s.resourceId) : null,
      userName: s.user.name,
      errorMessage: s.errorMessage,
    })),
  };
}
