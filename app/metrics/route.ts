import { timingSafeEqual } from "node:crypto";
import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { getMetrics, setActiveUploadsSource } from "@/lib/ops/metrics";

export const dynamic = "force-dynamic";

/** Statuses counted as active uploads (not final). */
const ACTIVE = ["CREATED", "UPLOADING", "COMPLETING", "UPLOADED"] as const;

function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * GET /metrics — Prometheus text format (prom-client). Off (404) unless METRICS_TOKEN is set; then
 * `Authorization: Bearer <METRICS_TOKEN>` is required (401 otherwise). The list of metrics is in
 * docs/operations.md.
 */
export async function GET(req: NextRequest): Promise<NextResponse> {
  const token = getConfig().METRICS_TOKEN;
  if (!token) return NextResponse.json({ error: { code: "not_found", message: "Metrics are off (set METRICS_TOKEN)." } }, { status: 404 });
  const auth = req.headers.get("authorization") ?? "";
  if (!auth.startsWith("Bearer ") || !tokenMatches(auth.slice(7).trim(), token)) {
    return NextResponse.json({ error: { code: "unauthenticated", message: "A bearer token is required." } }, { status: 401, headers: { "www-authenticate": 'Bearer realm="metrics"' } });
  }
  setActiveUploadsSource(async () => {
    const rows = await getDb().uploadSession.groupBy({ by: ["status"], where: { status: { in: [...ACTIVE] } }, _count: { _all: true } });
    const out: Record<string, number> = Object.fromEntries(ACTIVE.map((s) => [s.toLowerCase(), 0]));
    for (const r of rows) out[r.status.toLowerCase()] = r._count._all;
    return out;
  });
  const { registry } = getMetrics();
  return new NextResponse(await registry.metrics(), { headers: { "content-type": registry.contentType, "cache-control": "no-store" } });
}
