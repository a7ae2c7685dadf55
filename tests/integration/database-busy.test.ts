/**
 * A database that cannot serve a request in time (issue 11, control plane; found by `bench:api` at 500
 * concurrent uploads on PostgreSQL, where 314 requests answered 500 `internal` with Prisma P2028 "Unable
 * to start a transaction in the given time"): the API answers 503 `database_busy` with Retry-After, the
 * request leaves nothing behind (no session row, no multipart upload), and the same request succeeds once
 * the database is free. Made deterministic by holding the database's only transaction slot (SQLite runs
 * one interactive transaction at a time) or its only pooled connection (PostgreSQL, DATABASE_POOL_SIZE=1)
 * in an open transaction while the request runs, with DATABASE_WAIT_MS=300.
 */
import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as createOne } from "@/app/api/uploads/route";
import { POST as createBatch } from "@/app/api/uploads/batch/route";
import { POST as completeOne } from "@/app/api/uploads/[id]/complete/route";
import { recordParts } from "@/lib/uploads/parts";
import { createUpload } from "@/lib/uploads/create";
import { getDb } from "@/lib/db";
import { getMetrics } from "@/lib/ops/metrics";
import { resetRateLimitsForTests } from "@/lib/security/rate-limit";
import { DEMO_TOKENS } from "@/scripts/ckan-demo/seed";
import { abortUpload } from "@/lib/uploads/abort";
import { TEST_DB_NAME, callerFor, startIntegrationEnv } from "./support/env";
import { getObjectBytes, listMultipartUploads, sha256, tempS3, testBytes, uploadAllParts } from "./support/s3";

/** The error Prisma throws when no transaction starts within maxWait (P2028): what a busy database gives. */
const prismaBusyError = vi.hoisted(() => async () => {
  const { PrismaClientKnownRequestError } = await import("@prisma/client/runtime/client");
  return new PrismaClientKnownRequestError("Transaction API error: Unable to start a transaction in the given time.", { code: "P2028", clientVersion: "6.19.3" });
});

/** When set, the completion's first database write after CompleteMultipartUpload fails as a busy database does (Prisma P2028). */
const busyAfterStore = vi.hoisted(() => ({ armed: false }));
/** The number of times the `session.completed` write (after CKAN registered the resource) fails as a busy database does. */
const busyAfterRegister = vi.hoisted(() => ({ times: 0 }));
vi.mock("@/lib/uploads/audit", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/uploads/audit")>();
  return {
    ...actual,
    writeAudits: async (...args: Parameters<typeof actual.writeAudits>) => {
      if (busyAfterRegister.times > 0 && args[1].some((e) => e.type === "session.completed")) {
        busyAfterRegister.times--;
        throw await prismaBusyError();
      }
      return actual.writeAudits(...args);
    },
  };
});
vi.mock("@/lib/uploads/integrity", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/uploads/integrity")>();
  return {
    ...actual,
    writeFingerprints: async (...args: Parameters<typeof actual.writeFingerprints>) => {
      if (busyAfterStore.armed) {
        busyAfterStore.armed = false;
        throw await prismaBusyError();
      }
      return actual.writeFingerprints(...args);
    },
  };
});

let env: Awaited<ReturnType<typeof startIntegrationEnv>>;
/** File names unique to this run: RGW keeps objects and open multipart uploads between runs. */
const run = randomUUID().slice(0, 8);
const ONE = `busy-one-${run}.csv`;
const A = `busy-a-${run}.csv`;
const B = `busy-b-${run}.csv`;
const SETTINGS = ["DATABASE_WAIT_MS", "DATABASE_POOL_SIZE"];

beforeAll(async () => {
  env = await startIntegrationEnv({ DATABASE_WAIT_MS: "300", DATABASE_POOL_SIZE: "1", RATE_LIMIT_UPLOADS_PER_MINUTE: "1000" });
  resetRateLimitsForTests();
});
afterAll(async () => {
  for (const name of SETTINGS) delete process.env[name];
  await env?.close();
});

const body = (fileName: string) => ({ datasetId: "test-dataset", fileName, size: 6 * 1024 * 1024, contentType: "text/csv", lastModified: 1_700_000_000_000 });
const post = (path: string, json: unknown) =>
  new NextRequest(`http://portal.test:3000${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${DEMO_TOKENS.editor_user}`, "content-type": "application/json" },
    body: JSON.stringify(json),
  });
const noParams = { params: Promise.resolve({}) };

/** Runs `fn` while another transaction holds the database's only transaction slot / pooled connection. */
async function whileDatabaseHeld<T>(fn: () => Promise<T>): Promise<T> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const holding = new Promise<void>((r) => (entered = r));
  const holder = getDb().$transaction(
    async (tx) => {
      await tx.uploadSession.count();
      entered();
      await released;
    },
    { maxWait: 60_000, timeout: 120_000 },
  );
  await holding;
  try {
    return await fn();
  } finally {
    release();
    await holder;
  }
}

/** Multipart uploads still open on RGW for objects named `fileName`. */
async function openUploadsOf(fileName: string) {
  return (await listMultipartUploads("uploads/")).filter((u) => u.key.endsWith(`/${fileName}`));
}

describe(`a busy database (${TEST_DB_NAME})`, () => {
  it("POST /api/uploads answers 503 database_busy with Retry-After, leaves nothing behind, and succeeds once the database is free", async () => {
    const busyAnswers = async () => (await getMetrics().dbBusy.get()).values[0]?.value ?? 0;
    const before = await busyAnswers();
    const res = await whileDatabaseHeld(() => createOne(post("/api/uploads", body(ONE)), noParams));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(await res.json()).toEqual({ error: { code: "database_busy", message: expect.stringContaining("send the request again") } });
    expect(await busyAnswers()).toBe(before + 1);
    expect(await getDb().uploadSession.count({ where: { fileName: ONE } })).toBe(0);
    expect(await openUploadsOf(ONE)).toEqual([]);

    const again = await createOne(post("/api/uploads", body(ONE)), noParams);
    expect(again.status).toBe(200);
    const { sessionId } = await again.json();
    expect(await getDb().uploadSession.count({ where: { id: sessionId, fileName: ONE } })).toBe(1);
    expect(await openUploadsOf(ONE)).toHaveLength(1);
    await abortUpload(callerFor(env.ckan, "editor_user"), sessionId);
    expect(await openUploadsOf(ONE)).toEqual([]);
  });

  it("POST /api/uploads/batch answers 503 database_busy (per item, or for the whole request) and leaves nothing behind", async () => {
    const res = await whileDatabaseHeld(() => createBatch(post("/api/uploads/batch", { uploads: [body(A), body(B)] }), noParams));
    const answer = await res.json();
    if (TEST_DB_NAME === "SQLite") {
      // One transaction slot: the request's reads pass, the items' shared insert transaction waits, and each item answers 503.
      expect(res.status).toBe(200);
      expect(answer.results).toEqual([A, B].map(() => ({ status: 503, retryAfter: 2, error: { code: "database_busy", message: expect.stringContaining("send the request again") } })));
    } else {
      // One pooled connection: the request's first statement waits for it, and the whole request answers 503.
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("2");
      expect(answer).toEqual({ error: { code: "database_busy", message: expect.stringContaining("send the request again") } });
    }
    expect(await getDb().uploadSession.count({ where: { fileName: { in: [A, B] } } })).toBe(0);
    expect(await openUploadsOf(A)).toEqual([]);
    expect(await openUploadsOf(B)).toEqual([]);
  });

  it("a completion that meets a busy database after storing the object gives its claim back: 503, then the retry completes with one CKAN resource", async () => {
    const caller = callerFor(env.ckan, "editor_user");
    const bytes = testBytes(6 * 1024 * 1024 + 3, 11);
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: `busy-complete-${run}.bin`, size: bytes.length, contentType: "application/octet-stream" }, { ip: null, userAgent: "vitest" });
    await recordParts(caller, created.sessionId, await uploadAllParts(tempS3(created.credentials!), created, bytes));
    const complete = () => completeOne(post(`/api/uploads/${created.sessionId}/complete`, { sha256: sha256(bytes) }), { params: Promise.resolve({ id: created.sessionId }) });

    busyAfterStore.armed = true;
    const busy = await complete();
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("2");
    expect((await busy.json()).error.code).toBe("database_busy");
    const mid = await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId } });
    expect(mid.status).toBe("UPLOADING"); // the claim is given back, not left COMPLETING
    expect(mid.errorCode).toBeNull(); // and not recorded as a storage failure
    expect(await getDb().auditEvent.count({ where: { sessionId: created.sessionId, type: "session.failed" } })).toBe(0);
    expect(env.ckan.state.getDataset("test-dataset")!.resources.filter((r) => r.name === `busy-complete-${run}.bin`)).toEqual([]);

    const done = await complete(); // the client's retry after Retry-After
    expect(done.status).toBe(200);
    expect((await done.json()).status).toBe("completed");
    expect(env.ckan.state.getDataset("test-dataset")!.resources.filter((r) => r.name === `busy-complete-${run}.bin`)).toHaveLength(1);
    expect(sha256((await getObjectBytes(created.key)).bytes)).toBe(sha256(bytes));
  });

  it("once CKAN has registered the resource, a busy database is waited out: the completion is recorded, not left claimed", async () => {
    const caller = callerFor(env.ckan, "editor_user");
    const name = `busy-register-${run}.bin`;
    const bytes = testBytes(5 * 1024 * 1024 + 9, 12);
    const created = await createUpload(caller, { datasetId: "test-dataset", fileName: name, size: bytes.length, contentType: "application/octet-stream" }, { ip: null, userAgent: "vitest" });
    await recordParts(caller, created.sessionId, await uploadAllParts(tempS3(created.credentials!), created, bytes));

    busyAfterRegister.times = 2;
    const res = await completeOne(post(`/api/uploads/${created.sessionId}/complete`, { sha256: sha256(bytes) }), { params: Promise.resolve({ id: created.sessionId }) });
    expect(busyAfterRegister.times).toBe(0); // both busy answers were met
    expect(res.status).toBe(200);
    const row = await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId } });
    expect(row.status).toBe("COMPLETED");
    const resources = env.ckan.state.getDataset("test-dataset")!.resources.filter((r) => r.name === name);
    expect(resources).toHaveLength(1);
    expect(row.resourceId).toBe(resources[0].id);
    expect(await getDb().auditEvent.count({ where: { sessionId: created.sessionId, type: "session.completed" } })).toBe(1);
  });
});
