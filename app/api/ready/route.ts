import { NextResponse } from "next/server";
import { checkReadiness } from "@/lib/ops/readiness";

export const dynamic = "force-dynamic";

/**
 * GET /api/ready — readiness: 200 `{status: "ready", checks: [{name, ok, latencyMs, detail}]}` when the
 * database (reachable, migrated), the S3 bucket and CKAN all answer; else 503 `{status: "unready",
 * failing: ["storage", …], checks}`. No address, secret or error text appears in the answer.
 */
export async function GET(): Promise<NextResponse> {
  const checks = await checkReadiness();
  const failing = checks.filter((c) => !c.ok).map((c) => c.name);
  const body = failing.length ? { status: "unready", failing, checks } : { status: "ready", checks };
  return NextResponse.json(body, { status: failing.length ? 503 : 200, headers: { "cache-control": "no-store" } });
}
