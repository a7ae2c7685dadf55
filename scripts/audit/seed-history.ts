/**
 * Synthetic upload history for benchmarks and tests: users, datasets in organizations, upload sessions
 * spread over `days` days before `end`, each with the audit events a real session of its status has
 * (created, credentials granted, parts recorded, stored, completed / registration failed / failed / aborted).
 * Deterministic for a given `seed`. Sizes in bytes.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "../../lib/db";

export interface SeedOptions {
  sessions: number;
  /** Sessions are created over this many days before `end` (default 365). */
  days?: number;
  end?: Date;
  seed?: number;
  users?: number;
  datasets?: number;
  /** Rows per createMany call (default 2000). */
  batch?: number;
  /** Called after each batch with the number of sessions written so far. */
  progress?: (done: number) => void;
}

/** mulberry32: a small deterministic PRNG, returns floats in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ["report", "census", "sensor-log", "survey", "images", "backup", "measurements", "données", "日本語データ", "=formula", "-negative", "@mention"];
const EXTS = ["csv", "zip", "tar.gz", "parquet", "nc", "tif", "json"];
const STATUSES = [
  ["COMPLETED", 0.8],
  ["FAILED", 0.05],
  ["ABORTED", 0.06],
  ["UPLOADED", 0.03],
  ["UPLOADING", 0.04],
  ["CREATED", 0.02],
] as const;

/** Writes the synthetic history into `db`. @returns the ids of the seeded users and datasets. */
export async function seedUploadHistory(db: Db, opts: SeedOptions): Promise<{ userNames: string[]; datasetNames: string[]; organizations: string[] }> {
  const rnd = prng(opts.seed ?? 42);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const end = (opts.end ?? new Date()).getTime();
  const span = (opts.days ?? 365) * 86_400_000;
  const batch = opts.batch ?? 2000;
  const tag = Math.floor(rnd() * 1e9).toString(36);

  const users = Array.from({ length: opts.users ?? 50 }, (_, i) => ({ id: randomUUID(), ckanId: randomUUID(), name: `seed-user-${tag}-${i}`, displayName: `Seed User ${i}`, sysadmin: false }));
  const organizations = Array.from({ length: 20 }, (_, i) => `seed-org-${tag}-${i}`);
  const datasets = Array.from({ length: opts.datasets ?? 200 }, (_, i) => {
    const org = organizations[i % organizations.length];
    return { id: randomUUID(), ckanId: randomUUID(), name: `seed-dataset-${tag}-${i}`, title: `Seed dataset ${i}`, organizationId: org, organizationName: org, organizationTitle: org };
  });
  await db.user.createMany({ data: users });
  await db.dataset.createMany({ data: datasets });

  for (let done = 0; done < opts.sessions; ) {
    const n = Math.min(batch, opts.sessions - done);
    const sessions = [];
    const events: Array<{ id: string; sessionId: string; userId: string; actorName: string; type: string; detail: string; createdAt: Date }> = [];
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      const user = pick(users);
      const ds = pick(datasets);
      const createdAt = new Date(end - Math.floor(rnd() * span));
      let r = rnd();
      const status = (STATUSES.find(([, p]) => (r -= p) < 0) ?? STATUSES[0])[0];
      const size = Math.floor(Math.exp(rnd() * Math.log(200e9)));
      const partSize = Math.max(5 * 1024 * 1024, Math.ceil(size / 10_000));
      const partCount = size === 0 ? 0 : Math.ceil(size / partSize);
      const fileName = `${pick(NAMES)}-${i % 997}.${pick(EXTS)}`;
      const seconds = 5 + size / (20e6 + rnd() * 200e6);
      const startedAt = new Date(createdAt.getTime() + 1000);
      const finishedAt = new Date(startedAt.getTime() + seconds * 1000);
      const stored = status === "COMPLETED" || status === "UPLOADED";
      const finished = stored || status === "FAILED" || status === "ABORTED";
      const confirmed = stored ? size : status === "CREATED" ? 0 : Math.floor(size * rnd());
      sessions.push({
        id, userId: user.id, datasetId: ds.id, fileName, size: BigInt(size), contentType: "application/octet-stream",
        bucket: "ckan-uploads", key: `uploads/${ds.organizationName}/${ds.name}/${id}/${fileName}`, uploadId: partCount ? `seed-${id}` : null,
        partSize: BigInt(partSize), partCount, mode: "STS" as const, status, bytesConfirmed: BigInt(confirmed),
        sha256: stored ? id.replace(/-/g, "").padEnd(64, "0") : null,
        resourceId: status === "COMPLETED" ? randomUUID() : null,
        resourceUrl: status === "COMPLETED" ? `https://s3.example.org/ckan-uploads/uploads/${id}` : null,
        errorCode: status === "FAILED" ? "storage_failed" : status === "UPLOADED" ? "ckan_failed" : null,
        errorMessage: status === "FAILED" ? "S3 stored 0 bytes" : status === "UPLOADED" ? "CKAN failed to register the resource (server): 500" : null,
        clientIp: `198.51.${Math.floor(rnd() * 255)}.0`, userAgent: "Mozilla/5.0 (seed)",
        createdAt, startedAt: status === "CREATED" ? null : startedAt, completedAt: finished ? finishedAt : null,
      });
      const ev = (type: string, at: Date, detail: object) => events.push({ id: randomUUID(), sessionId: id, userId: user.id, actorName: user.name, type, detail: JSON.stringify(detail), createdAt: at });
      ev("session.created", createdAt, { dataset: ds.name, fileName, size, partSize, partCount, mode: "sts" });
      ev("credentials.granted", createdAt, { accessKeyId: `ASIASEED${i}`, expiration: new Date(createdAt.getTime() + 3600_000).toISOString(), policySha256: "0".repeat(64) });
      if (status !== "CREATED") {
        const reports = 1 + Math.floor(rnd() * 3);
        for (let k = 0; k < reports; k++) ev("parts.recorded", new Date(startedAt.getTime() + k * 1000), { count: 1, first: k + 1, last: k + 1, bytes: partSize, bytesConfirmed: confirmed });
      }
      if (stored) ev("object.stored", finishedAt, { size });
      if (status === "COMPLETED") ev("session.completed", new Date(finishedAt.getTime() + 50), {});
      if (status === "UPLOADED") ev("registration.failed", new Date(finishedAt.getTime() + 50), { error: "500" });
      if (status === "FAILED") ev("session.failed", finishedAt, { stage: "store" });
      if (status === "ABORTED") ev("session.aborted", finishedAt, { by: user.name });
    }
    await db.uploadSession.createMany({ data: sessions });
    for (let k = 0; k < events.length; k += batch * 3) await db.auditEvent.createMany({ data: events.slice(k, k + batch * 3) });
    done += n;
    opts.progress?.(done);
  }
  return { userNames: users.map((u) => u.name), datasetNames: datasets.map((d) => d.name), organizations };
}
