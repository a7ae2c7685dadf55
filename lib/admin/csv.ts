import "server-only";
import { Readable } from "node:stream";
import { stringify } from "csv-stringify";
import { getDb } from "@/lib/db";
import type { UploadFilter } from "./filters";
import { Prisma, type UploadSession } from "@/lib/generated/sqlite/client";
import { neutraliseInvisible } from "@/lib/uploads/file-name-rule";
import { ckanResourcePageUrl } from "@/lib/uploads/views";
import { sessionTiming } from "./uploads";
import { sqlDateParam, uploadFromSql, type UploadScope } from "./where";

/** Sessions read per database query while exporting (memory stays bounded by this, not by the export). */
export const EXPORT_BATCH = 1000;

/** CSV columns, in order: header name → value of a session. */
export const CSV_COLUMNS = [
  "session_id", "created_at", "completed_at", "user", "user_display_name", "organization", "dataset", "file_name",
  "size_bytes", "status", "duration_seconds", "average_mb_per_s", "sha256", "bucket", "key", "upload_id",
  "resource_id", "ckan_resource_url", "client_ip", "user_agent", "error",
] as const;

interface ExportRow {
  id: string; createdAt: Date; completedAt: Date | null; startedAt: Date | null; userName: string; userDisplayName: string;
  organizationName: string | null; datasetName: string; fileName: string; size: bigint | number; status: string; sha256: string | null;
  bucket: string; key: string; uploadId: string | null; resourceId: string | null; clientIp: string | null; userAgent: string | null; errorMessage: string | null;
}

/**
 * Every session matching `filter` (within `scope`) as CSV records, newest first, read in keyset-paged
 * batches of EXPORT_BATCH (row value `(createdAt, id)` below the last row seen: no OFFSET, so each batch
 * is a range scan of the (createdAt, id) index) so 100,000 rows never sit in memory together. One joined SQL query per batch.
 */
export async function* exportRecords(filter: UploadFilter, scope: UploadScope = {}): AsyncGenerator<Array<string | number | null>> {
  const db = getDb();
  let last: { createdAt: Date; id: string } | undefined;
  for (;;) {
    const after = last
      ? [Prisma.sql`(s."createdAt", s."id") < (${sqlDateParam(last.createdAt)}, ${last.id})`]
      : [];
    const batch = await db.$queryRaw<ExportRow[]>`
      SELECT s."id", s."createdAt", s."completedAt", s."startedAt", u."name" AS "userName", u."displayName" AS "userDisplayName",
        d."organizationName", d."name" AS "datasetName", s."fileName", s."size", CAST(s."status" AS TEXT) AS "status", s."sha256",
        s."bucket", s."key", s."uploadId", s."resourceId", s."clientIp", s."userAgent", s."errorMessage"
      ${uploadFromSql(filter, scope, { withNames: true, extra: after })}
      ORDER BY s."createdAt" DESC, s."id" DESC LIMIT ${EXPORT_BATCH}`;
    for (const r of batch) {
      const size = Number(r.size);
      const t = sessionTiming({ ...r, size: BigInt(size), status: r.status as UploadSession["status"] });
      yield neutraliseCells([
        r.id, r.createdAt.toISOString(), r.completedAt?.toISOString() ?? null, r.userName, r.userDisplayName, r.organizationName, r.datasetName,
        r.fileName, size, r.status.toLowerCase(), t.durationSeconds === null ? null : Math.round(t.durationSeconds * 1000) / 1000,
        t.bytesPerSecond === null ? null : Math.round(t.bytesPerSecond / 1e3) / 1e3, r.sha256, r.bucket, r.key, r.uploadId,
        r.resourceId, r.resourceId ? ckanResourcePageUrl(r.datasetName, r.resourceId) : null, r.clientIp, r.userAgent, r.errorMessage,
      ]);
    }
    if (batch.length < EXPORT_BATCH) return;
    last = batch[batch.length - 1];
  }
}

/**
 * Text cells with bidi controls and other invisible format characters replaced by a visible `<U+XXXX>`
 * (CASES 39): a spreadsheet cannot isolate a cell, so `‮vsc.exe` would display as `exe.csv`.
 */
export function neutraliseCells(cells: Array<string | number | null>): Array<string | number | null> {
  return cells.map((c) => (typeof c === "string" ? neutraliseInvisible(c) : c));
}

/**
 * The export as a UTF-8 CSV byte stream (RFC 4180, with a BOM so spreadsheets read UTF-8), via
 * csv-stringify with `escape_formulas`: a text cell starting with `=`, `+`, `-`, `@`, tab or CR gets a
 * leading `'` (OWASP "CSV Injection"), so spreadsheets show it as text instead of running it; invisible format characters become `<U+XXXX>` ({@link neutraliseCells}).
 */
export function exportCsvStream(filter: UploadFilter, scope: UploadScope = {}): ReadableStream<Uint8Array> {
  const csv = stringify({ header: true, columns: [...CSV_COLUMNS], bom: true, escape_formulas: true, record_delimiter: "windows" });
  const source = Readable.from(exportRecords(filter, scope));
  source.on("error", (err) => csv.destroy(err));
  source.pipe(csv);
  return Readable.toWeb(csv) as ReadableStream<Uint8Array>;
}
