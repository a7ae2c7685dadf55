import Link from "next/link";

/** HTTP 403 page of the admin area: the user is signed in but is not a portal administrator. */
export default function AdminForbidden() {
  return (
    <div>
      <h1 className="mb-2 text-2xl font-semibold">Administrators only</h1>
      <p className="mb-4 text-slate-700">
        The upload audit is open to CKAN sysadmins and to the users named in the portal&apos;s PORTAL_ADMINS setting.
      </p>
      <Link href="/uploads" className="text-blue-800 underline">Your own uploads</Link>
    </div>
  );
}
