import { withCaller } from "@/lib/api/handler";
import { requireAdmin } from "@/lib/admin/access";
import { parseUploadFilter } from "@/lib/admin/filters";
import { listUploadPage, uploadTotals } from "@/lib/admin/uploads";

/**
 * `GET /api/admin/uploads?{filter}` (portal admins) → `{rows, total, pages, page, totals: {count, bytes,
 * failures, days: [{day, count, bytes, failures}]}}` for the filter of `/admin/uploads` (sizes in bytes,
 * durations in seconds, speeds in bytes/s). Malformed parameters are ignored and listed in `ignored`.
 * Errors: 401, 403 (not an admin).
 */
export const GET = withCaller(async (req, { caller }) => {
  await requireAdmin(caller);
  const { filter, invalid } = parseUploadFilter(req.nextUrl.searchParams);
  const [page, totals] = await Promise.all([listUploadPage(filter), uploadTotals(filter)]);
  return { ...page, page: filter.page, totals, ignored: invalid };
});
