import { NextResponse, type NextRequest } from "next/server";
import { getCaller } from "@/lib/auth";
import { decideDownload } from "@/lib/downloads/download";
import { downloadErrorResponse } from "@/lib/downloads/error-page";

/**
 * `GET /download/{sessionId}/{fileName}` — the CKAN resource `url` of files in private datasets (and
 * of every file when DOWNLOAD_MODE=redirect). 302 to a presigned S3 GET valid DOWNLOAD_URL_SECONDS
 * (default 300) that downloads as `fileName` (quoted `filename` + RFC 5987 `filename*`), after CKAN
 * `package_show` with the caller's token (anonymous when signed out) says they may see the dataset.
 * Signed out and CKAN refuses → 302 to /login (then back here). Errors (JSON `{error: {code, message}}`,
 * or a readable HTML page when Accept names text/html, i.e. a browser following the link): 404 unknown
 * file or a dataset the caller may not see, 409 `object_changed` the object was replaced after
 * completion (never served; flagged for admins), 502 CKAN or S3 failed.
 */
export async function GET(req: NextRequest): Promise<NextResponse> {
  try {
    // Segments from the raw path, decoded once (a name may itself contain "%").
    const [, , rawId = "", rawName = ""] = req.nextUrl.pathname.split("/");
    let fileName: string;
    try {
      fileName = decodeURIComponent(rawName);
    } catch {
      fileName = rawName;
    }
    const caller = await getCaller();
    const decision = await decideDownload(caller, rawId, fileName);
    if (decision.kind === "sign_in") {
      // A relative Location (RFC 9110 §10.2.2): correct behind any reverse proxy, whatever Host the portal sees.
      const login = `/login?${new URLSearchParams({ callbackUrl: req.nextUrl.pathname })}`;
      return new NextResponse(null, { status: 302, headers: { location: login, "cache-control": "no-store" } });
    }
    return NextResponse.redirect(decision.url, { status: 302, headers: { "cache-control": "no-store", "referrer-policy": "no-referrer" } });
  } catch (err) {
    return downloadErrorResponse(err, req.headers.get("accept"));
  }
}
