import "server-only";
import { Readable } from "node:stream";
import { stringify } from "csv-stringify";
import { getDb } from "@/lib/db";
import type { UploadFilter } from "./filters";
import { toUploadRow } from "./uploads";
import { uploadWhere, type UploadScope } from "./where";

/** Sessions read per database query while exporting (memory stays bounded by this, not by the export). */
export const EXPORT_BATCH = 1000;

/** CSV columns, in order: header name → value of a session. */
export const CSV_COLUMNS = [
  "session_id", "created_at", "completed_at", "user", "user_display_name", "organization", "dataset", "file_name",
  "size_bytes", "status", "duration_seconds", "average_mb_per_s", "sha256", "bucket", "key", "upload_id",
  "resource_id", "ckan_resource_url", "client_ip", "user_agent", "error",
] as const;

/**
 * Every session matching `filter` (within `scope`) as CSV records, newest first, read in keyset-paged
 * batches of EXPORT_BATCH (cursor on createdAt + id) so 100,000 rows never sit in memory together.
 */
export async function* exportRecords(filter: UploadFilter, scope: UploadScope = {}): AsyncGenerator<Array<string | number | null>> {
  const db = getDb();
  const where = uploadWhere(filter, scope);
  let cursor: string | undefined;
  for (;;) {
    const batch = await db.uploadSession.findMany({
      where,
      include: { dataset: true, user: true },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: EXPORT_BATCH,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    for (const s of batch) {
      const r = toUploadRow(s);
      yield [
        s.id, s.createdAt.toISOString(), s.completedAt?.toISOString() ?? null, r.userName, r.userDisplayName, r.organizationName, r.datasetName,
        s.fileName, Number(s.size), r.status, r.durationSeconds === null ? null : Math.round(r.durationSeconds * 1000) / 1000,
        r.bytesPerSecond === null ? null : Math.round(r.bytesPerSecond / 1e3) / 1e3, s.sha256, s.bucket, s.key, s.uploadId,
        s.resourceId, r.ckanResourceUrl, s.clientIp, s.userAgent, s.errorMessage,
      ];
    }
    if (batch.length < EXPORT_BATCH) return;
    cursor = batch[batch.length - 1].id;
  }
}

/**
 * The export as a UTF-8 CSV byte stream (RFC 4180, with a BOM so spreadsheets read UTF-8), via
 * csv-stringify with `escape_formulas`: a text cell starting with `=`, `+`, `-`, `@`, tab or CR gets a
 * leading `'` (OWASP "CSV Injection"), so spreadsheets show it as text instead of running it.
 */
export function exportCsvStream(filter: UploadFilter, scope: UploadScope = {}): ReadableStream<Uint8Array> {
  const csv = stringify({ header: true, columns: [...CSV_COLUMNS], bom: true, escape_formulas: true });
  const source = Readable.from(exportRecords(filter, scope));
  source.on("error", (err) => csv.destroy(err));
  source.pipe(csv);
  return Readable.toWeb(csv) as ReadableStream<Uint8Array>;
}
