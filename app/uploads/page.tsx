import type { Metadata } from "next";
import Link from "next/link";
import { requireCaller } from "@/lib/page-auth";
import { listUploads } from "@/lib/uploads/history";
import { UploadHistoryTable } from "@/components/upload-history-table";

export const metadata: Metadata = { title: "My uploads" };

const PAGE_SIZE = 50;

/** `/uploads`: the caller's upload sessions, newest first, with status, size, dataset and resource links. */
export default async function MyUploadsPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  const caller = await requireCaller("/uploads");
  const page = Math.max(1, Number.parseInt((await searchParams).page ?? "1", 10) || 1);
  const { total, rows } = await listUploads({ userCkanId: caller.id, take: PAGE_SIZE, skip: (page - 1) * PAGE_SIZE });
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <div>
      <h1 className="mb-4 text-2xl font-semibold">My uploads</h1>
      <UploadHistoryTable rows={rows} caption="Your uploads, newest first" />
      {pages > 1 && (
        <nav aria-label="Pagination" className="mt-4 flex gap-4">
          {page > 1 && <Link href={`/uploads?page=${page - 1}`} className="text-blue-800 underline">Previous page</Link>}
          <span>Page {page} of {pages}</span>
          {page < pages && <Link href={`/uploads?page=${page + 1}`} className="text-blue-800 underline">Next page</Link>}
        </nav>
      )}
    </div>
  );
}
