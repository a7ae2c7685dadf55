/**
 * The upload benchmark's browser page (bundled by esbuild into .tmp/bench-page/, served by
 * scripts/bench/upload.ts). It exposes `window.bench.run(input)`, which uploads the file picked in
 * `<input id="file">` (a disk-backed File set through CDP `DOM.setFileInputFiles`) with one peer:
 *
 * - `ours`: this portal's engine (`lib/uploader`) in `sts` mode, PART_TUNING=adaptive (`ours-fixed`:
 *   fixed, today's 5 MiB × 4; `ours-plain`: fixed, no checksums). Its PortalApi is a minimal fake in
 *   this page: createSession = CreateMultipartUpload and complete = CompleteMultipartUpload with the
 *   same STS credentials, so what is measured is the engine (scheduling, signing, transport), not
 *   the portal's routes (those are measured by `npm run bench:api`).
 * - `libstorage`: @aws-sdk/lib-storage `Upload` (queueSize 4, partSize 5 MiB), SDK defaults
 *   (CRC32 checksums on every part). `libstorage-nocrc`: the same with
 *   `requestChecksumCalculation: "WHEN_REQUIRED"`.
 * - `uppy`: @uppy/core + @uppy/aws-s3 5.1.0 with its defaults (limit 6, 5 MiB chunks). Uppy's own
 *   STS signing builds AWS hostnames only and presigned STS URLs fail RGW's CORS preflight, so
 *   `signPart` returns header-signed requests (SigV4 headers, the same signing as ours).
 * - `ours-before`: `ours` with the file hasher as it was before issue 11 (a frozen copy in `before/`).
 * - `hash-only`, `hash-only-before`, `read-only`: no upload; the file hasher alone, and the reads alone.
 * - `put`: one PutObject of the whole file, header-signed XMLHttpRequest: the browser's ceiling.
 *
 * Every peer gets the same temporary STS credentials (AssumeRole with the portal's one-object
 * session policy, made by the orchestrator) and the same endpoint. Times are `performance.now()`
 * from start to the completed object, ms.
 */
import { S3Client, CreateMultipartUploadCommand, CompleteMultipartUploadCommand, AbortMultipartUploadCommand } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import Uppy from "@uppy/core";
import AwsS3 from "@uppy/aws-s3";
import { createFileUpload, createPartTuner, planParts, type PortalApi, type RecordedPart, type UploadSession } from "@/lib/uploader";
import { createGate, createPartSlots } from "@/lib/uploader/part-slots";
import { tuneSharedSlots } from "@/lib/uploader/tuning";
import { DEFAULT_FILES_IN_FLIGHT, DEFAULT_SESSION_STARTS, nextFileIndex } from "@/lib/uploader/file-queue";
import { createStsSigner, partTarget } from "@/lib/uploader/sts-signer";
import { createXhrTransport } from "@/lib/uploader/xhr-transport";
import { createWorkerFileHasher } from "@/lib/uploader/worker-file-hasher";
import type { CreateFileHasher } from "@/lib/uploader/file-hasher";
import { createWorkerFileHasher as createWorkerFileHasherBefore } from "./before/worker-file-hasher";
import type { BenchManyInput, BenchManyOutput, BenchRunInput, BenchRunOutput } from "../types";

const MiB = 1024 * 1024;

function pickedFile(): File {
  const input = document.getElementById("file") as HTMLInputElement;
  const file = input.files?.[0];
  if (!file) throw new Error("no file picked in #file");
  return file;
}

/** The credentials as the AWS SDK and SigV4 signer take them (no string `expiration`). */
const sdkCredentials = (c: BenchRunInput["credentials"]) => ({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken });

function s3Client(input: BenchRunInput, checksums: "sdk-default" | "when-required"): S3Client {
  return new S3Client({
    region: input.region,
    endpoint: input.endpoint,
    forcePathStyle: true,
    credentials: sdkCredentials(input.credentials),
    ...(checksums === "when-required" && {
      requestChecksumCalculation: "WHEN_REQUIRED" as const,
      responseChecksumValidation: "WHEN_REQUIRED" as const,
    }),
  });
}

/** The fake portal for `ours`: S3 calls the portal would make, done here with the STS credentials. */
function fakePortal(input: BenchRunInput, file: File, s3: S3Client = s3Client(input, "when-required")): PortalApi {
  const parts = new Map<number, RecordedPart>();
  let uploadId = "";
  const credentials = { ...input.credentials, expiration: input.credentials.expiration };
  const roundTrip = () => new Promise((r) => setTimeout(r, input.portalLatencyMs ?? 0));
  return {
    async getSession() {
      throw new Error("the bench never resumes");
    },
    async createSession(req) {
      await roundTrip();
      const plan = planParts(req.size, { partSize: req.partSize });
      const out = await s3.send(new CreateMultipartUploadCommand({ Bucket: input.bucket, Key: input.key, ContentType: req.contentType }));
      uploadId = out.UploadId ?? "";
      const session: UploadSession = {
        sessionId: "bench", bucket: input.bucket, region: input.region, endpoint: input.endpoint, forcePathStyle: true,
        key: input.key, uploadId, partSize: plan.partSize, partCount: plan.partCount, mode: "sts", credentials,
        serverTime: new Date().toISOString(),
      };
      return session;
    },
    async refreshCredentials() {
      return { credentials };
    },
    async signParts() {
      throw new Error("sts mode: the engine signs parts itself");
    },
    async recordParts(_id, recorded) {
      await roundTrip();
      for (const p of recorded) parts.set(p.partNumber, p);
      return { bytesConfirmed: [...parts.values()].reduce((n, p) => n + p.size, 0) };
    },
    async complete(_id, done) {
      await roundTrip();
      for (const p of done.parts ?? []) parts.set(p.partNumber, p); // the last parts come with complete (issue 12)
      const list = [...parts.values()].sort((a, b) => a.partNumber - b.partNumber).map((p) => ({ PartNumber: p.partNumber, ETag: p.etag }));
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: input.bucket, Key: input.key, UploadId: uploadId, MultipartUpload: { Parts: list } }));
      return { status: "completed", size: file.size };
    },
    async abort() {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: input.bucket, Key: input.key, UploadId: uploadId }));
      return { status: "aborted" };
    },
  };
}

/**
 * `ours`: integrity on, as the portal's page runs it — a CRC32C per part (the engine falls back by
 * itself when the store ignores it, as RGW 16 does) and the whole-file SHA-256 in a Web Worker.
 * `ours-plain`: neither.
 */
async function runOurs(
  input: BenchRunInput,
  file: File,
  integrity: boolean,
  partTuning: "adaptive" | "fixed",
  hasher: CreateFileHasher = createWorkerFileHasher,
  sendBuffers = false,
): Promise<{ parts: number; chosen: { partSize: number; concurrency: number } }> {
  let failure = "";
  let partSize = 0;
  let parts = 0;
  const concurrency = input.concurrency ?? 4;
  // The tuner the engine would make itself, made here so its final parts in flight can be reported.
  const tuner = createPartTuner({ mode: partTuning, concurrency });
  const xhr = createXhrTransport();
  const upload = createFileUpload({
    ...(sendBuffers && {
      // EXPERIMENT: each part read into an ArrayBuffer and the buffer sent (instead of the disk-backed slice).
      transport: { put: async (req, signal) => xhr.put({ ...req, body: (await req.body.arrayBuffer()) as unknown as Blob }, signal) },
    }),
    file, datasetId: "bench", api: fakePortal(input, file),
    checksum: integrity ? "CRC32C" : "none",
    hashFile: integrity ? hasher : null,
    concurrency, partTuning, tuner,
    ...(input.partSize !== undefined && { partSize: input.partSize }),
    onEvent: (e) => {
      if (e.type === "error") failure = `${e.error.code}: ${e.error.message}`;
      if (e.type === "session") ({ partSize, partCount: parts } = e);
    },
  });
  await upload.start();
  if (upload.state !== "completed") throw new Error(`ours ended ${upload.state} ${failure}`);
  return { parts, chosen: { partSize, concurrency: tuner.concurrency() } };
}

/** `hash-only`: the engine's file hasher over the whole file (5 MiB parts), no upload; resolves with the SHA-256 known. */
async function runHashOnly(file: File, hasher: CreateFileHasher): Promise<number> {
  const plan = planParts(file.size, {});
  const h = hasher(file, plan);
  try {
    await h.sha256();
  } finally {
    h.dispose();
  }
  return plan.partCount;
}

/**
 * `read-only` / `read-stream` / `read-sync`: reads every 5 MiB part once in a Worker, hashing nothing (the
 * cost of the reads alone): `slice().arrayBuffer()`, `slice().stream()` chunks, or `FileReaderSync`.
 */
async function runReadOnly(file: File, method: "arrayBuffer" | "stream" | "sync", chunk?: number): Promise<number> {
  const plan = planParts(file.size, {});
  const partSize = chunk ?? plan.partSize;
  const source = `onmessage = async (e) => { const { file, partSize, method } = e.data; let n = 0; const frs = method === "sync" ? new FileReaderSync() : null;
    for (let start = 0; start < file.size; start += partSize) {
      const slice = file.slice(start, Math.min(file.size, start + partSize));
      if (method === "stream") { const r = slice.stream().getReader(); for (;;) { const { done, value } = await r.read(); if (done) break; n += value.byteLength; } }
      else if (method === "sync") n += frs.readAsArrayBuffer(slice).byteLength;
      else n += (await slice.arrayBuffer()).byteLength;
    }
    postMessage(n); };`;
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const worker = new Worker(url);
  try {
    const read = await new Promise<number>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<number>) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(e.message));
      worker.postMessage({ file, partSize, method });
    });
    if (read !== file.size) throw new Error(`read ${read} of ${file.size} bytes`);
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
  return plan.partCount;
}

/** `probe-*`: every 5 MiB part read once in a Worker and hashed with one candidate (`probe-worker.ts`), no upload. */
async function runProbe(file: File, hash: "crc32c" | "sha256-wasm" | "sha256-subtle"): Promise<number> {
  const plan = planParts(file.size, {});
  const worker = new Worker(new URL("./probe-worker.ts", import.meta.url), { type: "module" });
  try {
    const hashed = await new Promise<number>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<number>) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(e.message));
      worker.postMessage({ file, partSize: plan.partSize, hash });
    });
    if (hashed !== file.size) throw new Error(`hashed ${hashed} of ${file.size} bytes`);
  } finally {
    worker.terminate();
  }
  return plan.partCount;
}

async function runLibStorage(input: BenchRunInput, file: File, checksums: "sdk-default" | "when-required"): Promise<number> {
  const upload = new Upload({
    client: s3Client(input, checksums),
    params: { Bucket: input.bucket, Key: input.key, Body: file, ContentType: file.type || "application/octet-stream" },
    queueSize: 4,
    partSize: 5 * MiB,
  });
  await upload.done();
  return Math.ceil(file.size / (5 * MiB));
}

async function runUppy(input: BenchRunInput, file: File): Promise<number> {
  const s3 = s3Client(input, "when-required");
  let signer: ReturnType<typeof createStsSigner> | undefined;
  let partCount = 0;
  const uppy = new Uppy({ autoProceed: false });
  uppy.use(AwsS3, {
    shouldUseMultipart: true,
    async createMultipartUpload(f) {
      const out = await s3.send(new CreateMultipartUploadCommand({ Bucket: input.bucket, Key: input.key, ContentType: f.type }));
      const uploadId = out.UploadId ?? "";
      signer = createStsSigner({
        bucket: input.bucket, key: input.key, uploadId, region: input.region, endpoint: input.endpoint, forcePathStyle: true,
        credentials: input.credentials, refreshCredentials: async () => input.credentials,
      });
      return { uploadId, key: input.key };
    },
    async signPart(_f, { partNumber, body }) {
      if (!signer) throw new Error("signPart before createMultipartUpload");
      partCount = Math.max(partCount, partNumber);
      const signed = await signer.sign(partNumber, { contentLength: body.size });
      return { method: "PUT" as const, url: signed.url, headers: signed.headers };
    },
    async listParts() {
      return [];
    },
    async abortMultipartUpload(_f, { uploadId, key }) {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: input.bucket, Key: key, UploadId: uploadId }));
    },
    async completeMultipartUpload(_f, { uploadId, key, parts }) {
      const list = parts.map((p) => ({ PartNumber: p.PartNumber, ETag: p.ETag }));
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: input.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: list } }));
      return {};
    },
  });
  uppy.addFile({ name: file.name, type: file.type || "application/octet-stream", data: file });
  const result = await uppy.upload();
  uppy.destroy();
  if (!result || (result.failed?.length ?? 0) > 0 || (result.successful?.length ?? 0) !== 1) {
    throw new Error(`uppy failed: ${String(result?.failed?.[0]?.error ?? "no result")}`);
  }
  return partCount;
}

/** One PutObject of the whole file: SigV4 headers (UNSIGNED-PAYLOAD), XMLHttpRequest sends the disk-backed File. */
async function runSinglePut(input: BenchRunInput, file: File): Promise<number> {
  const target = partTarget({ bucket: input.bucket, key: input.key, region: input.region, endpoint: input.endpoint, forcePathStyle: true });
  const signer = new SignatureV4({ service: "s3", region: input.region, sha256: Sha256, uriEscapePath: false, applyChecksum: false, credentials: sdkCredentials(input.credentials) });
  const signed = await signer.sign(
    new HttpRequest({
      method: "PUT", protocol: target.protocol, hostname: target.hostname, port: target.port, path: target.path,
      headers: { host: target.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", `${target.origin}${target.path}`);
    for (const [k, v] of Object.entries(signed.headers)) if (k.toLowerCase() !== "host") xhr.setRequestHeader(k, v);
    xhr.onload = () => (xhr.status === 200 ? resolve() : reject(new Error(`PUT ${xhr.status}: ${xhr.responseText.slice(0, 300)}`)));
    xhr.onerror = () => reject(new Error("PUT network error"));
    xhr.send(file);
  });
  return 1;
}

async function run(input: BenchRunInput): Promise<BenchRunOutput> {
  const file = pickedFile();
  const t0 = performance.now();
  let parts: number;
  let chosen: BenchRunOutput["chosen"];
  switch (input.peer) {
    case "ours":
      ({ parts, chosen } = await runOurs(input, file, true, "adaptive"));
      break;
    case "ours-fixed":
      ({ parts, chosen } = await runOurs(input, file, true, "fixed"));
      break;
    case "ours-before":
      ({ parts, chosen } = await runOurs(input, file, true, "fixed", createWorkerFileHasherBefore));
      break;
    case "hash-only":
      parts = await runHashOnly(file, createWorkerFileHasher);
      break;
    case "hash-only-before":
      parts = await runHashOnly(file, createWorkerFileHasherBefore);
      break;
    case "read-only":
      parts = await runReadOnly(file, "arrayBuffer");
      break;
    case "probe-crc32c":
      parts = await runProbe(file, "crc32c");
      break;
    case "probe-sha256-wasm":
      parts = await runProbe(file, "sha256-wasm");
      break;
    case "probe-sha256-subtle":
      parts = await runProbe(file, "sha256-subtle");
      break;
    case "read-1mib":
      parts = await runReadOnly(file, "arrayBuffer", MiB);
      break;
    case "read-stream":
      parts = await runReadOnly(file, "stream");
      break;
    case "read-sync":
      parts = await runReadOnly(file, "sync");
      break;
    case "ours-plain-buffer":
      ({ parts, chosen } = await runOurs(input, file, false, "fixed", createWorkerFileHasher, true));
      break;
    case "ours-plain":
      ({ parts, chosen } = await runOurs(input, file, false, "fixed"));
      break;
    case "libstorage":
      parts = await runLibStorage(input, file, "sdk-default");
      break;
    case "libstorage-nocrc":
      parts = await runLibStorage(input, file, "when-required");
      break;
    case "uppy":
      parts = await runUppy(input, file);
      break;
    case "put":
      parts = await runSinglePut(input, file);
      break;
    default:
      throw new Error(`unknown peer ${String(input.peer)}`);
  }
  return { bytes: file.size, ms: performance.now() - t0, parts, ...(chosen && { chosen }) };
}

/** The files of `<input id="files" multiple>` (disk-backed Files set through CDP). */
function pickedFiles(): File[] {
  const input = document.getElementById("files") as HTMLInputElement;
  const files = [...(input.files ?? [])];
  if (files.length === 0) throw new Error("no files picked in #files");
  return files;
}

/**
 * `ours` with many files, as the portal's page runs them (components/uploader/use-upload-queue.ts):
 * up to DEFAULT_FILES_IN_FLIGHT files at once, the smallest queued file next, one pool of part slots
 * (`concurrency`) whose limit follows one shared tuner, at most DEFAULT_SESSION_STARTS files creating
 * their session at once, CRC32C per part and the whole-file SHA-256 in a Worker per file. Each file
 * gets its own fake portal (CreateMultipartUpload / CompleteMultipartUpload for its key); one S3 client
 * for all, as the real page has one PortalApi.
 */
async function runOursMany(input: BenchManyInput, files: File[], partTuning: "adaptive" | "fixed", integrity = true): Promise<{ parts: number; chosen: NonNullable<BenchManyOutput["chosen"]> }> {
  const concurrency = input.concurrency ?? 4;
  const slots = createPartSlots({ limit: concurrency });
  const tuner = tuneSharedSlots(createPartTuner({ mode: partTuning, concurrency }), slots);
  const sessionGate = createGate(DEFAULT_SESSION_STARTS);
  const runInput = (key: string): BenchRunInput => ({
    peer: "ours", endpoint: input.endpoint, region: input.region, bucket: input.bucket, key, credentials: input.credentials,
    ...(input.portalLatencyMs !== undefined && { portalLatencyMs: input.portalLatencyMs }),
  });
  const s3 = s3Client(runInput(input.prefix), "when-required");
  const pending = [...files];
  const partSizes = new Set<number>();
  let parts = 0;
  const failures: string[] = [];
  await new Promise<void>((resolve) => {
    let running = 0;
    const startNext = () => {
      while (running < (input.filesInFlight ?? DEFAULT_FILES_IN_FLIGHT) && pending.length > 0) {
        const [file] = pending.splice(nextFileIndex(pending), 1);
        running++;
        const upload = createFileUpload({
          file, datasetId: "bench", api: fakePortal(runInput(input.prefix + file.name), file, s3),
          concurrency, slots, tuner, sessionGate, partTuning,
          checksum: integrity ? "CRC32C" : "none", hashFile: integrity ? createWorkerFileHasher : null,
          onEvent: (e) => {
            if (e.type === "error") failures.push(`${file.name}: ${e.error.code}: ${e.error.message}`);
            if (e.type === "session") {
              partSizes.add(e.partSize);
              parts += e.partCount;
            }
          },
        });
        void upload.start().then(() => {
          if (upload.state !== "completed") failures.push(`${file.name} ended ${upload.state}`);
          running--;
          if (pending.length === 0 && running === 0) resolve();
          else startNext();
        });
      }
    };
    startNext();
  });
  if (failures.length) throw new Error(`ours: ${failures.length} file(s) failed: ${failures.slice(0, 3).join("; ")}`);
  return { parts, chosen: { partSizes: [...partSizes], concurrency: tuner.concurrency() } };
}

/** A header-signed PutObject (SigV4, UNSIGNED-PAYLOAD) for `key`: URL and headers to send (without Host). */
async function signedPut(input: { bucket: string; key: string; region: string; endpoint: string; credentials: BenchRunInput["credentials"] }): Promise<{ url: string; headers: Record<string, string> }> {
  const target = partTarget({ bucket: input.bucket, key: input.key, region: input.region, endpoint: input.endpoint, forcePathStyle: true });
  const signer = new SignatureV4({ service: "s3", region: input.region, sha256: Sha256, uriEscapePath: false, applyChecksum: false, credentials: sdkCredentials(input.credentials) });
  const signed = await signer.sign(
    new HttpRequest({
      method: "PUT", protocol: target.protocol, hostname: target.hostname, port: target.port, path: target.path,
      headers: { host: target.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    }),
  );
  return { url: `${target.origin}${target.path}`, headers: Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k.toLowerCase() !== "host")) };
}

/**
 * Uppy 5 with every file in one instance (its `limit` of 6 requests in flight covers all files).
 * `multipartAlways`: multipart for every file, as the one-file peer (`uppy`); else Uppy's default
 * `shouldUseMultipart` (> 100 MiB), a single header-signed PUT below (`uppy-defaults`).
 */
async function runUppyMany(input: BenchManyInput, files: File[], multipartAlways: boolean): Promise<number> {
  const s3 = s3Client({ peer: "uppy", endpoint: input.endpoint, region: input.region, bucket: input.bucket, key: input.prefix, credentials: input.credentials }, "when-required");
  const signers = new Map<string, ReturnType<typeof createStsSigner>>();
  let partCount = 0;
  const uppy = new Uppy({ autoProceed: false });
  uppy.use(AwsS3, {
    // `uppy`: multipart for every file (as `shouldUseMultipart: true`); `uppy-defaults`: Uppy 5's
    // default rule (@uppy/aws-s3 5.1.0 lib/index.js), spelled out so the single-PUT signer may be given.
    shouldUseMultipart: multipartAlways ? () => true : (f) => (f.size || 0) > 100 * 1024 * 1024,
    async getUploadParameters(f) {
      partCount++;
      const signed = await signedPut({ ...input, key: input.prefix + (f.name ?? "") });
      return { method: "PUT" as const, url: signed.url, headers: signed.headers };
    },
    async createMultipartUpload(f) {
      const key = input.prefix + (f.name ?? "");
      const out = await s3.send(new CreateMultipartUploadCommand({ Bucket: input.bucket, Key: key, ContentType: f.type }));
      const uploadId = out.UploadId ?? "";
      signers.set(uploadId, createStsSigner({
        bucket: input.bucket, key, uploadId, region: input.region, endpoint: input.endpoint, forcePathStyle: true,
        credentials: input.credentials, refreshCredentials: async () => input.credentials,
      }));
      return { uploadId, key };
    },
    async signPart(_f, { uploadId, partNumber, body }) {
      const signer = signers.get(uploadId);
      if (!signer) throw new Error("signPart before createMultipartUpload");
      partCount++;
      const signed = await signer.sign(partNumber, { contentLength: body.size });
      return { method: "PUT" as const, url: signed.url, headers: signed.headers };
    },
    async listParts() {
      return [];
    },
    async abortMultipartUpload(_f, { uploadId, key }) {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: input.bucket, Key: key, UploadId: uploadId }));
    },
    async completeMultipartUpload(_f, { uploadId, key, parts }) {
      const list = parts.map((p) => ({ PartNumber: p.PartNumber, ETag: p.ETag }));
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: input.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: list } }));
      return {};
    },
  });
  uppy.addFiles(files.map((file) => ({ name: file.name, type: file.type || "application/octet-stream", data: file })));
  const result = await uppy.upload();
  uppy.destroy();
  if (!result || (result.failed?.length ?? 0) > 0 || (result.successful?.length ?? 0) !== files.length) {
    throw new Error(`uppy: ${result?.failed?.length ?? "?"} failed, ${result?.successful?.length ?? 0} of ${files.length} done: ${String(result?.failed?.[0]?.error ?? "no result")}`);
  }
  return partCount;
}

/** `window.bench.runMany(input)`: every file of `#files` with one peer; time from start to the last completed object. */
async function runMany(input: BenchManyInput): Promise<BenchManyOutput> {
  const files = pickedFiles().slice(0, input.limit);
  const bytes = files.reduce((n, f) => n + f.size, 0);
  const t0 = performance.now();
  let parts: number;
  let chosen: BenchManyOutput["chosen"];
  switch (input.peer) {
    case "ours":
      ({ parts, chosen } = await runOursMany(input, files, "adaptive"));
      break;
    case "ours-fixed":
      ({ parts, chosen } = await runOursMany(input, files, "fixed"));
      break;
    case "ours-plain":
      ({ parts, chosen } = await runOursMany(input, files, "adaptive", false));
      break;
    case "uppy":
      parts = await runUppyMany(input, files, true);
      break;
    case "uppy-defaults":
      parts = await runUppyMany(input, files, false);
      break;
    default:
      throw new Error(`unknown many-files peer ${String(input.peer)}`);
  }
  return { bytes, files: files.length, ms: performance.now() - t0, parts, ...(chosen && { chosen }) };
}

(window as unknown as { bench: unknown }).bench = { run, runMany, ready: true };
