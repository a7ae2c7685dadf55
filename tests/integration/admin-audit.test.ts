/**
 * Admin audit on the database the run selects (SQLite, or PostgreSQL with TEST_DATABASE=postgresql):
 * an audit event for every state change, admin actions (retry CKAN registration, abort) audited with
 * the admin's name, the filters (Prisma and SQL forms agree with a plain scan), totals per day, the
 * streamed CSV export, and AUDIT_STORE_IP. Real peers: Ceph RGW, demo CKAN.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortMultipartUploadCommand } from "@aws-sdk/client-s3";
import { parse } from "csv-parse/sync";
import { ApiError } from "@/lib/api/errors";
import { adminAbortUpload, retryRegistration } from "@/lib/admin/actions";
import { CSV_COLUMNS, EXPORT_BATCH, exportCsvStream } from "@/lib/admin/csv";
import { getUploadDetail } from "@/lib/admin/detail";
import { parseUploadFilter, type UploadFilter } from "@/lib/admin/filters";
import { listUploadPage, PAGE_SIZE, uploadTotals } from "@/lib/admin/uploads";
import { resetConfigForTests } from "@/lib/config";
import { getDb } from "@/lib/db";
import { abortUpload } from "@/lib/uploads/abort";
import { completeUpload } from "@/lib/uploads/complete";
import { createUpload } from "@/lib/uploads/create";
import { recordParts } from "@/lib/uploads/parts";
import { seedUploadHistory } from "@/scripts/audit/seed-history";
import { callerFor, startIntegrationEnv, TEST_DB_NAME, type DemoCkan } from "./support/env";
import { getObjectBytes, listMultipartUploads, portalS3, sha256, tempS3, testBytes, uploadAllParts } from "./support/s3";
import { apiErrorOf } from "./support/errors";

const MiB = 1024 * 1024;
const ctx = { ip: "2001:db8:abcd:12::7", userAgent: "vitest admin audit" };
let env: Awaited<ReturnType<typeof startIntegrationEnv>>;
let ckan: DemoCkan;

beforeAll(async () => {
  env = await startIntegrationEnv();
  ckan = env.ckan;
});
afterAll(async () => env?.close());

async function events(sessionId: string) {
  const detail = await getUploadDetail(sessionId);
  return detail!.timeline.map((e) => ({ type: e.type, actor: e.actorName, detail: e.detail }));
}

/** Starts an upload as `user` and sends (and records) all its parts. */
async function startAndSend(user: string, fileName: string, bytes: Uint8Array) {
  const caller = callerFor(ckan, user);
  const created = await createUpload(caller, { datasetId: "test-dataset", fileName, size: bytes.length, contentType: "" }, ctx);
  const parts = await uploadAllParts(tempS3(created.credentials!), created, bytes);
  await recordParts(caller, created.sessionId, parts.slice(0, 1));
  if (parts.length > 1) await recordParts(caller, created.sessionId, parts.slice(1));
  return { caller, created };
}

describe(`audit events for every state change (${TEST_DB_NAME})`, () => {
  it("a completed upload: created, credentials granted, parts recorded (summarised), stored, completed; IP truncated to /48", async () => {
    const bytes = testBytes(11 * MiB, 21);
    const { caller, created } = await startAndSend("editor_user", "audit-complete.bin", bytes);
    await completeUpload(caller, created.sessionId, { sha256: sha256(bytes) });
    const timeline = await events(created.sessionId);
    expect(timeline.map((e) => e.type)).toEqual(["session.created", "credentials.granted", "parts.recorded", "object.stored", "session.completed"]);
    expect(timeline.every((e) => e.actor === "editor_user")).toBe(true);
    expect(timeline[1].detail).toMatchObject({ accessKeyId: created.credentials!.accessKeyId, expiration: created.credentials!.expiration });
    expect(timeline[1].detail.policySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(timeline[2].detail).toEqual({ reports: 2, parts: 3, bytes: bytes.length, firstPart: 1, lastPart: 3, bytesConfirmed: bytes.length });
    const detail = (await getUploadDetail(created.sessionId))!;
    expect(detail.eventCount).toBe(6);
    expect(detail.session).toMatchObject({ status: "COMPLETED", clientIp: "2001:db8:abcd::", userAgent: "vitest admin audit", sha256: sha256(bytes) });
    expect(detail.parts).toEqual({ count: 3, bytes: bytes.length, first: 1, last: 3 });
    expect(detail.durationSeconds).toBeGreaterThanOrEqual(0);
  });

  it("a failed store writes session.failed; the owner's cancel writes session.aborted", async () => {
    const { caller, created } = await startAndSend("editor_user", "audit-fail.bin", testBytes(2000, 22));
    // The multipart upload disappears behind the portal's back: CompleteMultipartUpload and HeadObject fail.
    await portalS3().send(new AbortMultipartUploadCommand({ Bucket: created.bucket, Key: created.key, UploadId: created.uploadId! }));
    expect((await apiErrorOf(completeUpload(caller, created.sessionId, {}))).code).toBe("storage_failed");
    expect((await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId } })).status).toBe("FAILED");
    await abortUpload(caller, created.sessionId);
    expect((await events(created.sessionId)).map((e) => e.type)).toEqual(["session.created", "credentials.granted", "parts.recorded", "session.failed", "session.aborted"]);
  });

  it("an admin retries a failed CKAN registration: audited with the admin's name, the resource exists", async () => {
    const bytes = testBytes(4000, 23);
    const { caller, created } = await startAndSend("editor_user", "audit-retry.csv", bytes);
    ckan.state.failNext("resource_create", 500);
    expect((await apiErrorOf(completeUpload(caller, created.sessionId, {}))).code).toBe("ckan_failed");

    expect((await apiErrorOf(retryRegistration(callerFor(ckan, "editor_user"), created.sessionId))).code).toBe("forbidden");
    const done = await retryRegistration(callerFor(ckan, "ckan_admin"), created.sessionId);
    expect(done.status).toBe("completed");
    expect(ckan.state.getResource(done.resourceId!)!.resource).toMatchObject({ name: "audit-retry.csv", size: bytes.length });
    expect(sha256((await getObjectBytes(created.key)).bytes)).toBe(sha256(bytes));

    const timeline = await events(created.sessionId);
    expect(timeline.map((e) => `${e.type}:${e.actor}`)).toEqual([
      "session.created:editor_user", "credentials.granted:editor_user", "parts.recorded:editor_user", "object.stored:editor_user",
      "registration.failed:editor_user", "admin.registration_retried:ckan_admin", "session.completed:ckan_admin",
    ]);
    expect(timeline[5].detail).toMatchObject({ by: "ckan_admin" });
    expect(String(timeline[5].detail.previousError)).toMatch(/CKAN failed/);
    // Only a stored, unregistered session can be retried.
    expect((await apiErrorOf(retryRegistration(callerFor(ckan, "ckan_admin"), created.sessionId))).code).toBe("conflict");
  });

  it("an admin aborts a stuck upload: the multipart upload is gone, audited with the admin's name", async () => {
    const { created } = await startAndSend("editor_user", "audit-stuck.bin", testBytes(6 * MiB, 24));
    expect((await apiErrorOf(adminAbortUpload(callerFor(ckan, "editor_user"), created.sessionId))).code).toBe("forbidden");
    const view = await adminAbortUpload(callerFor(ckan, "ckan_admin"), created.sessionId);
    expect(view.status).toBe("aborted");
    expect(await listMultipartUploads(created.key)).toEqual([]);
    const timeline = await events(created.sessionId);
    expect(timeline.slice(-2).map((e) => `${e.type}:${e.actor}`)).toEqual(["admin.upload_aborted:ckan_admin", "session.aborted:ckan_admin"]);
    expect(timeline[timeline.length - 2].detail).toMatchObject({ by: "ckan_admin", owner: "editor_user", status: "uploading" });
    expect((await apiErrorOf(adminAbortUpload(callerFor(ckan, "ckan_admin"), created.sessionId))).code).toBe("conflict");
  });

  it("AUDIT_STORE_IP=off stores no address, full stores it whole", async () => {
    const caller = callerFor(ckan, "editor_user");
    const stored: Array<string | null> = [];
    for (const mode of ["off", "full"]) {
      process.env.AUDIT_STORE_IP = mode;
      resetConfigForTests();
      const created = await createUpload(caller, { datasetId: "test-dataset", fileName: `ip-${mode}.bin`, size: 5, contentType: "" }, { ip: "203.0.113.77", userAgent: null });
      stored.push((await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId } })).clientIp);
      await abortUpload(caller, created.sessionId);
    }
    delete process.env.AUDIT_STORE_IP;
    resetConfigForTests();
    expect(stored).toEqual([null, "203.0.113.77"]);
  });
});

describe(`admin upload list, totals and CSV export (${TEST_DB_NAME})`, () => {
  let seeded: Awaited<ReturnType<typeof seedUploadHistory>>;
  const END = new Date("2026-06-30T12:00:00Z");

  beforeAll(async () => {
    seeded = await seedUploadHistory(getDb(), { sessions: 1100, days: 30, end: END, seed: 7, users: 6, datasets: 12 });
  });

  /** Ground truth: every session, filtered in plain code. */
  async function expected(filter: UploadFilter) {
    const all = await getDb().uploadSession.findMany({ include: { user: true, dataset: true } });
    const day = (d: Date) => d.toISOString().slice(0, 10);
    return all.filter((s) =>
      (!filter.user || s.user.name === filter.user) &&
      (!filter.org || s.dataset.organizationName === filter.org) &&
      (!filter.dataset || s.dataset.name === filter.dataset) &&
      (!filter.status || s.status === filter.status.toUpperCase()) &&
      (!filter.from || day(s.createdAt) >= filter.from) &&
      (!filter.to || day(s.createdAt) <= filter.to) &&
      (filter.minSize === undefined || Number(s.size) >= filter.minSize) &&
      (filter.maxSize === undefined || Number(s.size) <= filter.maxSize) &&
      (!filter.q || s.fileName.toLowerCase().includes(filter.q.toLowerCase())));
  }

  const f = (q: string) => parseUploadFilter(new URLSearchParams(q)).filter;

  it.each([
    [""],
    ["status=completed"],
    ["status=failed&from=2026-06-10&to=2026-06-20"],
    ["q=REPORT"],
    ["q=%25"],
    ["q=_"],
    ["minSize=1000000&maxSize=5000000000"],
    ["from=2026-06-15&to=2026-06-15"],
  ])("the filter %j gives the same sessions in the page, the totals and a plain scan", async (query) => {
    const filter = f(query);
    const want = await expected(filter);
    const page = await listUploadPage(filter);
    const totals = await uploadTotals(filter);
    expect(page.total).toBe(want.length);
    expect(totals.count).toBe(want.length);
    expect(totals.bytes).toBe(want.reduce((n, s) => n + Number(s.size), 0));
    expect(totals.days.reduce((n, d) => n + d.count, 0)).toBe(want.length);
    expect(page.rows.map((r) => r.id)).toEqual(want.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1)).slice(0, PAGE_SIZE).map((s) => s.id));
  });

  it("filters by user, organization and dataset names, and counts failures", async () => {
    for (const query of [`user=${seeded.userNames[2]}`, `org=${seeded.organizations[1]}`, `dataset=${seeded.datasetNames[3]}&status=uploaded`]) {
      const want = await expected(f(query));
      expect(want.length).toBeGreaterThan(0);
      expect((await listUploadPage(f(query))).total).toBe(want.length);
      const totals = await uploadTotals(f(query));
      expect(totals.count).toBe(want.length);
      expect(totals.failures).toBe(want.filter((s) => s.status === "FAILED" || s.status === "EXPIRED" || (s.status === "UPLOADED" && s.errorCode)).length);
    }
  });

  it("sorts server-side by size, user and file, and pages through every row once", async () => {
    const bySize = await listUploadPage(f("sort=size&dir=asc&status=completed"));
    const sizes = bySize.rows.map((r) => r.size);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    const byUser = await listUploadPage(f("sort=user&dir=desc"));
    const users = byUser.rows.map((r) => r.userName);
    expect(users).toEqual([...users].sort().reverse());
    const ids = new Set<string>();
    const filter = f("sort=file&q=census");
    const first = await listUploadPage(filter);
    for (let p = 1; p <= first.pages; p++) for (const r of (await listUploadPage({ ...filter, page: p })).rows) ids.add(r.id);
    expect(ids.size).toBe(first.total);
  });

  it("exports the filter as streamed UTF-8 CSV with formula injection neutralised", async () => {
    const filter = f(`org=${seeded.organizations[0]}`);
    const want = await expected(filter);
    const bytes = new Uint8Array(await new Response(exportCsvStream(filter)).arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    // RFC 4180 record separators: every line ends with CRLF.
    expect(text.split("\r\n").length - 1).toBe(text.split("\n").length - 1);
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0])).toEqual([...CSV_COLUMNS]);
    expect(rows.map((r) => r.session_id).sort()).toEqual(want.map((s) => s.id).sort());
    const byId = new Map(want.map((s) => [s.id, s]));
    for (const r of rows) {
      const s = byId.get(r.session_id)!;
      expect(Number(r.size_bytes)).toBe(Number(s.size));
      expect(r.dataset).toBe(s.dataset.name);
      if (/^[=+\-@\t\r]/.test(s.fileName)) expect(r.file_name).toBe(`'${s.fileName}`);
      else expect(r.file_name).toBe(s.fileName);
    }
    expect(rows.some((r) => r.file_name.startsWith("'="))).toBe(true);
    expect(rows.some((r) => r.file_name.startsWith("'-"))).toBe(true);
    expect(rows.some((r) => r.file_name.includes("日本語データ"))).toBe(true);
  });

  it("exports more rows than one batch in order, each once", async () => {
    const text = await new Response(exportCsvStream(f(""))).text();
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    const total = await getDb().uploadSession.count();
    expect(total).toBeGreaterThan(EXPORT_BATCH);
    expect(rows.length).toBe(total);
    expect(new Set(rows.map((r) => r.session_id)).size).toBe(total);
    const times = rows.map((r) => r.created_at);
    expect(times).toEqual([...times].sort().reverse());
  });

  it("scopes a user's own list and a dataset's history", async () => {
    const editor = callerFor(ckan, "editor_user");
    const own = await listUploadPage(f("status=completed"), { userCkanId: editor.id });
    expect(own.total).toBeGreaterThan(0);
    expect(own.rows.every((r) => r.userName === "editor_user" && r.status === "completed")).toBe(true);
    const pkgId = ckan.state.getDataset("test-dataset")!.id;
    const history = await listUploadPage(f(""), { datasetCkanId: pkgId });
    expect(history.total).toBe(await getDb().uploadSession.count({ where: { dataset: { ckanId: pkgId } } }));
    expect(history.rows.every((r) => r.datasetName === "test-dataset")).toBe(true);
  });
});
