/**
 * Issue 10, item 7: part records are written in bulk (one INSERT … ON CONFLICT per batch) with the
 * semantics of one upsert per part: idempotent, a retried part's new ETag replaces the old one, a size
 * that does not match the plan is refused and changes nothing, and a part named twice in one batch
 * keeps the last (PostgreSQL refuses to update one row twice in one statement). Runs on SQLite and,
 * with TEST_DATABASE=postgresql, on PostgreSQL. The session is real (RGW, demo CKAN); the parts are
 * records only (nothing is uploaded), as the portal cannot tell either way.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db";
import { createUpload } from "@/lib/uploads/create";
import { recordParts } from "@/lib/uploads/parts";
import { callerFor, startIntegrationEnv, TEST_DB_NAME } from "./support/env";
import { expectApiError } from "./support/errors";

const PART = 5 * 1024 * 1024;
const PARTS = 2500;
let env: Awaited<ReturnType<typeof startIntegrationEnv>>;

beforeAll(async () => {
  env = await startIntegrationEnv();
});
afterAll(async () => env?.close());

async function session(fileName: string) {
  const caller = callerFor(env.ckan, "editor_user");
  const created = await createUpload(caller, { datasetId: "test-dataset", fileName, size: PARTS * PART, contentType: "" }, { ip: null, userAgent: "vitest" });
  return { caller, sessionId: created.sessionId };
}

const part = (n: number, etag = `"etag-${n}"`, checksum?: string) => ({ partNumber: n, size: PART, etag, ...(checksum ? { checksum } : {}) });
const rows = (sessionId: string) => getDb().uploadPart.findMany({ where: { sessionId }, orderBy: { partNumber: "asc" } });

describe(`part records in bulk (${TEST_DB_NAME})`, () => {
  it("records batches of 1,000, is idempotent, replaces a retried part's ETag and keeps the last of duplicates", async () => {
    const { caller, sessionId } = await session("bulk.bin");
    const all = Array.from({ length: PARTS }, (_, i) => part(i + 1, `"etag-${i + 1}"`, i % 2 ? `crc-${i + 1}` : undefined));
    for (let i = 0; i < PARTS; i += 1000) await recordParts(caller, sessionId, all.slice(i, i + 1000));
    const first = await rows(sessionId);
    expect(first).toHaveLength(PARTS);
    expect(first.map((r) => [r.partNumber, Number(r.size), r.etag, r.checksum])).toEqual(all.map((p) => [p.partNumber, PART, p.etag, p.checksum ?? null]));

    // The same batch again (a retried request): nothing new, same bytes confirmed.
    const again = await recordParts(caller, sessionId, all.slice(0, 1000));
    expect(again.bytesConfirmed).toBe(PARTS * PART);
    expect(await getDb().uploadPart.count({ where: { sessionId } })).toBe(PARTS);
    expect((await rows(sessionId)).map((r) => r.id)).toEqual(first.map((r) => r.id));

    // A retried part: the new ETag and checksum replace the old ones; a duplicate in one batch keeps the last.
    await recordParts(caller, sessionId, [part(7, '"retried-7"', "crc-new"), part(8, '"dup-a"'), part(8, '"dup-b"')]);
    const after = await rows(sessionId);
    expect(after).toHaveLength(PARTS);
    expect(after.find((r) => r.partNumber === 7)).toMatchObject({ etag: '"retried-7"', checksum: "crc-new" });
    expect(after.find((r) => r.partNumber === 8)).toMatchObject({ etag: '"dup-b"', checksum: null });
    expect(after.find((r) => r.partNumber === 9)?.etag).toBe('"etag-9"');
  }, 120_000);

  it("refuses a batch with a changed size or a part beyond the plan, and writes none of it", async () => {
    const { caller, sessionId } = await session("refused.bin");
    await recordParts(caller, sessionId, [part(1), part(2)]);
    const before = await rows(sessionId);
    const events = await getDb().auditEvent.count({ where: { sessionId } });
    await expectApiError(recordParts(caller, sessionId, [part(2, '"new"'), part(3), { partNumber: 1, size: PART - 1, etag: '"smaller"' }]), "validation_failed");
    await expectApiError(recordParts(caller, sessionId, [part(4), part(PARTS + 1)]), "validation_failed");
    expect(await rows(sessionId)).toEqual(before);
    expect(await getDb().auditEvent.count({ where: { sessionId } })).toBe(events);
    expect(Number((await getDb().uploadSession.findUniqueOrThrow({ where: { id: sessionId } })).bytesConfirmed)).toBe(2 * PART);
  }, 60_000);
});
