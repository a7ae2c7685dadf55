"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { ckanDownReasonFromDigest } from "@/lib/ckan/errors";

/**
 * Route-level error boundary, rendered inside the root layout (header and navigation stay).
 * CKAN not answering as its API (an HTML maintenance, login or proxy page; unreachable; 5xx: CASES 28)
 * arrives as a CkanError whose `digest` carries a stable reason code and its arguments (Next hides
 * `message` in production but keeps a thrown error's own digest): `CKAN_DOWN;ckan_not_api?url=…&status=…&type=…`,
 * set by the CKAN transport from the answer itself (no parsing of English text). The page shows the code's
 * translation (`ckanErrors`, lib/i18n/sign-in-errors.ts), so it says exactly what is wrong in the user's
 * language: "CKAN at {CKAN_URL} is not answering as a CKAN API (HTTP {status}, {content type})".
 * **Try again** uses Next's `retry` (refresh the server components, then reset the boundary; `reset`
 * alone would re-render the same failed payload).
 * Next answers such a page with HTTP 500 (an App Router page can only choose 200, 401, 403, 404 or a
 * redirect; a thrown error is 500): the most honest status it allows. API routes answer 502.
 */
export default function RouteError({ error, reset, retry }: { error: Error & { digest?: string }; reset: () => void; retry?: () => void }) {
  const reason = ckanDownReasonFromDigest(error.digest);
  const t = useTranslations("error");
  const tCkan = useTranslations("ckanErrors");
  const ckanDown = reason ? tCkan(reason.code, reason.values) : null;
  return (
    <div>
      <h1 className="mb-2 text-2xl font-semibold">{ckanDown ? t("ckanDownHeading") : t("heading")}</h1>
      <p role="alert" className="mb-4 rounded border border-red-300 bg-red-50 p-3 text-red-800">
        {ckanDown ?? (error.digest ? t("unexpectedWithReference", { reference: error.digest }) : t("unexpected"))}
      </p>
      {ckanDown && (
        <p className="mb-4 text-slate-700">
          {t("ckanDownExplanation")}
        </p>
      )}
      <div className="flex gap-4">
        <button type="button" onClick={() => (retry ?? reset)()} className="rounded bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800">
          {t("tryAgain")}
        </button>
        <Link href="/" className="self-center text-blue-800 underline">{t("backToDatasets")}</Link>
      </div>
    </div>
  );
}
