/**
 * Completion cost on Ceph RGW (issue 9, post-completion integrity): the time `POST /complete` takes
 * — the portal's real completeUpload(): CompleteMultipartUpload, HeadObject, the integrity
 * fingerprint, CKAN resource_create (demo CKAN) and the audit rows (SQLite) — for files of the given
 * sizes in GiB, uploaded first with one-object STS credentials in the portal's part size (5 MiB by
 * default: 205 parts for 1 GiB, 1,229 for 6 GiB). With `--copy` it also times what the
 * "staging key + server-side copy" design would add: CopyObject (≤ 5 GiB) or parallel UploadPartCopy
 * (> 5 GiB, 512 MiB ranges, 8 at a time) of the completed object to another key.
 * `--copy-parts` uses UploadPartCopy at every size (its throughput, without a second 6 GiB in RAM).
 * Every object is deleted right after it is measured.
 *
 *   source $RGW_DIR/env   # an RGW whose memstore holds 2 × the largest size (RGW_MEMSTORE_BYTES)
 *   npx tsx --conditions=react-server scripts/bench/completion.ts --sizes 1,6 [--copy] [--runs 2]
 *
 * After each completion the integrity step (lib/uploads/integrity.ts recordStoredFingerprint) is timed
 * again on its own. Prints one line per measurement and a JSON summary. The before/after comparison in docs/security.md
 * ran this script on the commit before the integrity change (lib/uploads/complete.ts without the
 * fingerprint step) and after it.
 */
import { randomBytes } from "node:crypto";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { completeUpload } from "../../lib/uploads/complete";
import { createUpload } from "../../lib/uploads/create";
import { recordStoredFingerprint } from "../../lib/uploads/integrity";
import { getDb } from "../../lib/db";
import { recordParts } from "../../lib/uploads/parts";
import { callerFor, startIntegrationEnv } from "../../tests/integration/support/env";
import { portalS3, tempS3 } from "../../tests/integration/support/s3";

const GiB = 2 ** 30;
const COPY_RANGE = 512 * 2 ** 20;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

/** Sends every part (4 at a time, as the browser does); each part's first 8 bytes hold its number so no two are equal. */
async function sendParts(s3: S3Client, c: { bucket: string; key: string; uploadId: string | null; partSize: number; partCount: number }, size: number) {
  const block = randomBytes(c.partSize);
  const numbers = Array.from({ length: c.partCount }, (_, i) => i + 1);
  return pool(numbers, 4, async (n) => {
    const len = Math.min(c.partSize, size - (n - 1) * c.partSize);
    const body = Buffer.from(block.subarray(0, len));
    body.writeBigUInt64LE(BigInt(n), 0);
    const out = await s3.send(new UploadPartCommand({ Bucket: c.bucket, Key: c.key, UploadId: c.uploadId!, PartNumber: n, Body: body, ContentLength: len }));
    return { partNumber: n, size: len, etag: out.ETag! };
  });
}

/** What a staging-key design adds: a server-side copy of the completed object. @returns milliseconds. */
async function timeCopy(s3: S3Client, bucket: string, key: string, size: number): Promise<number> {
  const target = `${key}.copy`;
  const t0 = performance.now();
  if (size <= 5 * GiB && !process.argv.includes("--copy-parts")) {
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: target, CopySource: `${bucket}/${encodeURI(key)}` }));
  } else {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: target }));
    const ranges = Array.from({ length: Math.ceil(size / COPY_RANGE) }, (_, i) => i);
    const parts = await pool(ranges, 8, async (i) => {
      const start = i * COPY_RANGE;
      const end = Math.min(size, start + COPY_RANGE) - 1;
      const out = await s3.send(new UploadPartCopyCommand({ Bucket: bucket, Key: target, UploadId, PartNumber: i + 1, CopySource: `${bucket}/${encodeURI(key)}`, CopySourceRange: `bytes=${start}-${end}` }));
      return { PartNumber: i + 1, ETag: out.CopyPartResult!.ETag! };
    });
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: target, UploadId, MultipartUpload: { Parts: parts } }));
  }
  const ms = performance.now() - t0;
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: target }));
  return ms;
}

async function main() {
  const sizes = arg("sizes", "1,6").split(",").map(Number);
  const runs = Number(arg("runs", "1"));
  const copy = process.argv.includes("--copy");
  const env = await startIntegrationEnv({ NEXTAUTH_URL: "http://portal.bench:3000" });
  const caller = callerFor(env.ckan, "editor_user");
  const s3 = portalS3();
  const results: Array<{ gib: number; parts: number; completeMs: number; fingerprintMs: number; copyMs?: number }> = [];
  try {
    for (const gib of sizes) {
      for (let run = 1; run <= runs; run++) {
        const size = Math.round(gib * GiB);
        const created = await createUpload(caller, { datasetId: "test-dataset", fileName: `bench-${gib}gib.bin`, size, contentType: "" }, { ip: null, userAgent: null });
        const parts = await sendParts(tempS3(created.credentials!), created, size);
        for (let i = 0; i < parts.length; i += 1000) await recordParts(caller, created.sessionId, parts.slice(i, i + 1000));
        const t0 = performance.now();
        await completeUpload(caller, created.sessionId, {});
        const completeMs = performance.now() - t0;
        // The integrity step alone (HeadObject, the parts' multipart ETag, one UPDATE), run again on the stored object.
        const t1 = performance.now();
        await recordStoredFingerprint(await getDb().uploadSession.findUniqueOrThrow({ where: { id: created.sessionId } }));
        const fingerprintMs = performance.now() - t1;
        const copyMs = copy ? await timeCopy(s3, created.bucket, created.key, size) : undefined;
        await s3.send(new DeleteObjectCommand({ Bucket: created.bucket, Key: created.key }));
        results.push({ gib, parts: created.partCount, completeMs: Math.round(completeMs), fingerprintMs: Math.round(fingerprintMs), ...(copyMs === undefined ? {} : { copyMs: Math.round(copyMs) }) });
        console.log(`${gib} GiB (${created.partCount} parts) run ${run}: completeUpload ${completeMs.toFixed(0)} ms (integrity step alone ${fingerprintMs.toFixed(0)} ms)${copyMs === undefined ? "" : `; server-side copy ${copyMs.toFixed(0)} ms`}`);
      }
    }
  } finally {
    await env.close();
  }
  console.log(JSON.stringify({ results }, null, 2));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
