import { NextResponse } from "next/server";
import { withCaller } from "@/lib/api/handler";
import { requireAdmin } from "@/lib/admin/access";
import { exportCsvStream } from "@/lib/admin/csv";
import { parseUploadFilter } from "@/lib/admin/filters";

/**
 * `GET /api/admin/uploads/export?{filter}` (portal admins) → `text/csv; charset=utf-8`, streamed: every
 * session matching the filter of `/admin/uploads` (same query parameters; sort and page are ignored),
 * newest first, formula injection neutralised. Errors: 401, 403 (not an admin).
 */
export const GET = withCaller(async (req, { caller }) => {
  await requireAdmin(caller);
  const { filter } = parseUploadFilter(req.nextUrl.searchParams);
  const name = `uploads-${new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-")}.csv`;
  return new NextResponse(exportCsvStream(filter), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
    },
  });
});
