/**
 * The benchmarks' S3 side in Node: the Ceph RGW test peer (scripts/rgw.sh), temporary credentials
 * made the way the portal makes them (STS AssumeRole on S3_ROLE_ARN with the one-object session
 * policy of lib/storage/session-policy.ts), the check that an upload really stored its bytes, and
 * the Node single-PUT ceiling.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { DeleteObjectCommand, DeleteObjectsCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { buildSessionPolicy, roleSessionName } from "../../lib/storage/session-policy";

const root = path.resolve(__dirname, "../..");

/** The RGW env file's settings (scripts/rgw.sh writes `$RGW_DIR/env`). */
export interface RgwEnv {
  S3_ENDPOINT: string;
  S3_REGION: string;
  S3_BUCKET: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  S3_ROLE_ARN: string;
  STS_ENDPOINT: string;
}

/** A running RGW and whether this process started it (then `stop()` stops it). */
export interface Rgw {
  env: RgwEnv;
  stop(): void;
}

function rgwScript(cmd: "start" | "status" | "stop", extraEnv: Record<string, string> = {}): { ok: boolean; out: string } {
  const r = spawnSync("bash", [path.join(root, "scripts/rgw.sh"), cmd], { cwd: root, env: { ...process.env, ...extraEnv }, encoding: "utf8" });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

/**
 * Uses the RGW of `RGW_DIR` (default /tmp/ckan-portal-rgw) if it answers, else starts one with a
 * memstore of at least `minMemstoreBytes` (objects live in RAM) and stops it in `stop()`.
 */
export function ensureRgw(minMemstoreBytes: number): Rgw {
  const dir = process.env.RGW_DIR ?? "/tmp/ckan-portal-rgw";
  let started = false;
  if (!rgwScript("status").ok) {
    const bytes = Math.max(minMemstoreBytes, Number(process.env.RGW_MEMSTORE_BYTES ?? 0));
    console.error(`starting Ceph RGW in ${dir} (memstore ${(bytes / 2 ** 30).toFixed(1)} GiB)…`);
    const r = rgwScript("start", { RGW_MEMSTORE_BYTES: String(bytes) });
    if (!r.ok) throw new Error(`scripts/rgw.sh start failed:\n${r.out}`);
    started = true;
  }
  const env = Object.fromEntries(
    fs.readFileSync(path.join(dir, "env"), "utf8").split("\n").map((l) => /^export (\w+)=(.*)$/.exec(l)).filter((m): m is RegExpExecArray => !!m).map((m) => [m[1], m[2]]),
  ) as unknown as RgwEnv;
  return { env, stop: () => void (started && rgwScript("stop")) };
}

/** S3 client acting as the portal's own identity. */
export function portalS3(env: RgwEnv): S3Client {
  return new S3Client({
    region: env.S3_REGION, endpoint: env.S3_ENDPOINT, forcePathStyle: true,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** Temporary credentials for `key` only, as the portal hands them out (AssumeRole, 3,600 s). */
export async function uploadCredentials(env: RgwEnv, key: string): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string }> {
  const sts = new STSClient({
    region: env.S3_REGION, endpoint: env.STS_ENDPOINT,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  const out = await sts.send(
    new AssumeRoleCommand({ RoleArn: env.S3_ROLE_ARN, RoleSessionName: roleSessionName("bench"), Policy: JSON.stringify(buildSessionPolicy(env.S3_BUCKET, key)), DurationSeconds: 3600 }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw new Error("AssumeRole gave no credentials");
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: new Date(c.Expiration).toISOString() };
}

/**
 * Temporary credentials for every key under `prefix` (AssumeRole, 3,600 s): the portal's one-object
 * session policy with `prefix*` as the resource, so one set of credentials serves all the files of
 * a many-files run, for every peer alike (`bench:upload --many`).
 */
export async function prefixCredentials(env: RgwEnv, prefix: string): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string }> {
  const sts = new STSClient({
    region: env.S3_REGION, endpoint: env.STS_ENDPOINT,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  const policy = buildSessionPolicy(env.S3_BUCKET, prefix);
  policy.Statement[0].Resource = [`arn:aws:s3:::${env.S3_BUCKET}/${prefix}*`];
  const out = await sts.send(
    new AssumeRoleCommand({ RoleArn: env.S3_ROLE_ARN, RoleSessionName: roleSessionName("bench"), Policy: JSON.stringify(policy), DurationSeconds: 3600 }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw new Error("AssumeRole gave no credentials");
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: new Date(c.Expiration).toISOString() };
}

/**
 * Checks that `prefix` holds exactly the objects `expected` (key → size; ListObjectsV2), deletes
 * them (DeleteObjects, 1,000 per call) and runs RGW's garbage collector once. Throws naming the
 * first missing or wrong-sized object (after deleting what is there).
 */
export async function verifyAndDeletePrefix(s3: S3Client, bucket: string, prefix: string, expected: Map<string, number>): Promise<void> {
  const found = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) found.set(o.Key, o.Size ?? -1);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const keys = [...found.keys()];
  for (let i = 0; i < keys.length; i += 1000) {
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }));
  }
  collectRgwGarbage();
  for (const [key, size] of expected) {
    if (found.get(key) !== size) throw new Error(`${key}: stored ${found.get(key) ?? "nothing"}, expected ${size} bytes`);
  }
}

/**
 * Checks the object holds exactly `size` bytes (HeadObject), deletes it, and has RGW's garbage
 * collector free its data at once: RGW removes a deleted object's data lazily (rgw_gc_obj_min_wait,
 * 2 hours by default), and a memstore OSD that fills up stops accepting writes (the "full
 * failsafe"), which hangs every later upload.
 */
export async function verifyAndDelete(s3: S3Client, bucket: string, key: string, size: number): Promise<void> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  if (head.ContentLength !== size) throw new Error(`${key}: stored ${head.ContentLength} bytes, expected ${size}`);
  collectRgwGarbage();
}

/** `radosgw-admin gc process --include-all` on the RGW of RGW_DIR (no-op when that RGW is not local). */
export function collectRgwGarbage(): void {
  const conf = path.join(process.env.RGW_DIR ?? "/tmp/ckan-portal-rgw", "ceph.conf");
  if (!fs.existsSync(conf)) return;
  const r = spawnSync("radosgw-admin", ["-c", conf, "-n", "client.admin", "--no-mon-config", "gc", "process", "--include-all"], { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`radosgw-admin gc process failed: ${r.stderr}`);
}

/** One presigned PUT of the whole file from Node (streamed from disk): the server's ceiling. Returns ms. */
export async function nodeSinglePut(s3: S3Client, bucket: string, key: string, filePath: string): Promise<number> {
  const size = fs.statSync(filePath).size;
  const url = new URL(await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 900 }));
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const req = http.request(url, { method: "PUT", headers: { "content-length": size } }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`Node PUT ${res.statusCode}: ${body.slice(0, 300)}`))));
    });
    req.on("error", reject);
    fs.createReadStream(filePath, { highWaterMark: 1024 * 1024 }).pipe(req);
  });
  return performance.now() - t0;
}
