/**
 * The per-user limit on uploads under way (MAX_ACTIVE_UPLOADS_PER_USER, issue 12 "Many files at
 * once"): through the real `POST /api/uploads` route (bearer token → demo CKAN, RGW, the database),
 * the (n+1)th concurrent upload gets 429 `too_many_active_uploads` with Retry-After and the JSON error
 * shape; a finished upload frees its place; an idle one stops counting.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { POST } from "@/app/api/uploads/route";
import { getDb } from "@/lib/db";
import { resetRateLimitsForTests } from "@/lib/security/rate-limit";
import { abortUpload } from "@/lib/uploads/abort";
import { DEMO_TOKENS } from "@/scripts/ckan-demo/seed";
import { TEST_DB_NAME, callerFor, startIntegrationEnv, type DemoCkan } from "./support/env";

let env: Awaited<ReturnType<typeof startIntegrationEnv>>;
let ckan: DemoCkan;

beforeAll(async () => {
  env = await startIntegrationEnv({ MAX_ACTIVE_UPLOADS_PER_USER: "2", ACTIVE_UPLOAD_IDLE_MINUTES: "10", RATE_LIMIT_UPLOADS_PER_MINUTE: "1000" });
  ckan = env.ckan;
  resetRateLimitsForTests();
});
afterAll(async () => {
  resetRateLimitsForTests();
  await env?.close();
});

const start = (fileName: string) =>
  POST(
    new NextRequest("http://portal.test:3000/api/uploads", {
      method: "POST",
      headers: { authorization: `Bearer ${DEMO_TOKENS.editor_user}`, "content-type": "application/json" },
      body: JSON.stringify({ datasetId: "test-dataset", fileName, size: 1024, contentType: "text/csv", lastModified: 1_700_000_000_000 }),
    }),
    { params: Promise.resolve({}) },
  );

describe(`active uploads per user (${TEST_DB_NAME})`, () => {
  it("answers 429 too_many_active_uploads with Retry-After beyond the limit, and lets the next one in once one ends", async () => {
    const first = await start("a.csv");
    const second = await start("b.csv");
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await start("c.csv");
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = await third.json();
    expect(body).toEqual({ error: { code: "too_many_active_uploads", message: expect.stringContaining("limit is 2") } });
    expect(await getDb().uploadSession.count({ where: { fileName: "c.csv" } })).toBe(0); // nothing half-created

    // One ends (aborted): its place is free.
    const { sessionId } = await first.json();
    await abortUpload(callerFor(ckan, "editor_user"), sessionId);
    const fourth = await start("c.csv");
    expect(fourth.status).toBe(200);

    // An upload left idle past ACTIVE_UPLOAD_IDLE_MINUTES (a closed tab) stops counting.
    const again = await start("d.csv");
    expect(again.status).toBe(429);
    const { sessionId: idleId } = await second.json();
    // Prisma writes an explicitly given @updatedAt value as is.
    await getDb().uploadSession.update({ where: { id: idleId }, data: { updatedAt: new Date(Date.now() - 11 * 60_000) } });
    const afterIdle = await start("d.csv");
    expect(afterIdle.status).toBe(200);
  });
});
