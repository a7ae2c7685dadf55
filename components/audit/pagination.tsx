import Link from "next/link";
import { filterQuery, type UploadFilter } from "@/lib/admin/filters";

/** Previous / next page links that keep the filter and sort in the URL. */
export function Pagination({ filter, pages, basePath }: { filter: UploadFilter; pages: number; basePath: string }) {
  if (pages <= 1) return null;
  const page = Math.min(filter.page, pages);
  return (
    <nav aria-label="Pagination" className="mt-4 flex gap-4">
      {page > 1 && <Link href={`${basePath}${filterQuery(filter, { page: page - 1 })}`} className="text-blue-800 underline">Previous page</Link>}
      <span>Page {page} of {pages}</span>
      {page < pages && <Link href={`${basePath}${filterQuery(filter, { page: page + 1 })}`} className="text-blue-800 underline">Next page</Link>}
    </nav>
  );
}
