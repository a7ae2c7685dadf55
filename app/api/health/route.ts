import { NextResponse } from "next/server";

export const dynamic = "force-dynamic";

/**
 * GET /api/health — liveness: 200 `{status: "ok"}` whenever the process answers. It checks nothing
 * else (use /api/ready for the peers), so a load balancer never restarts a portal because CKAN is down.
 */
export async function GET(): Promise<NextResponse> {
  return NextResponse.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
