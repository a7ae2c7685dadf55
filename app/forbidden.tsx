import Link from "next/link";

/** HTTP 403 page: the user is signed in but may not add files to this dataset. */
export default function Forbidden() {
  return (
    <div>
      <h1 className="mb-2 text-2xl font-semibold">You cannot add files to this dataset</h1>
      <p className="mb-4 text-slate-700">
        Adding files needs editor or admin rights in the dataset&apos;s organization, or an editor collaboration on the dataset.
        Ask an organization admin for access.
      </p>
      <Link href="/" className="text-blue-800 underline">Back to your datasets</Link>
    </div>
  );
}
