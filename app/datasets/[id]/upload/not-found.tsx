import Link from "next/link";
import { notFoundReason } from "@/lib/page-not-found-reason";

/**
 * HTTP 404 of the deep link: the dataset does not exist, is private and invisible to the caller, or was
 * deleted in CKAN (then the page says so: a deleted dataset accepts no uploads).
 */
export default function DatasetNotFound() {
  const reason = notFoundReason();
  return (
    <div>
      <h1 className="mb-2 text-2xl font-semibold">{reason ? "Dataset deleted" : "Dataset not found"}</h1>
      <p role="alert" className="mb-4 text-slate-700" data-testid="not-found-reason">
        {reason ?? "There is no such dataset in CKAN, or it is private and you may not see it."}
      </p>
      <Link href="/" className="text-blue-800 underline">Back to your datasets</Link>
    </div>
  );
}
