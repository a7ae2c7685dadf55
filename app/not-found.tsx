import Link from "next/link";

/** HTTP 404 page. */
export default function NotFound() {
  return (
    <div>
      <h1 className="mb-2 text-2xl font-semibold">Not found</h1>
      <p className="mb-4 text-slate-700">There is no such page or dataset, or you may not see it.</p>
      <Link href="/" className="text-blue-800 underline">Back to your datasets</Link>
    </div>
  );
}
