/**
 * `put`: uploads files into one CKAN dataset, one resource per file, several files at once (their parts
 * share one pool of part slots, `--files-in-flight` / `--concurrency`), each
 * with the portal's engine (lib/uploader) and the Node adapters (lib/uploader/node). Resume: a file
 * whose upload was interrupted (Ctrl-C, kill -9, lost SSH session) continues its session — found in
 * the local state file, else in the portal's list of the user's unfinished uploads of the dataset
 * (same name, size and modification time) — after every stored part that has a recorded checksum was
 * compared with the local file's CRC32C; only the missing parts are sent.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { createCRC32 } from "hash-wasm";
import type { Dispatcher } from "undici";
import { createFileUpload, type FileUpload } from "@/lib/uploader/file-upload";
import { UploadEngineError } from "@/lib/uploader/errors";
import { hexToBase64 } from "@/lib/uploader/checksum";
import type { UploadErrorInfo } from "@/lib/uploader/events";
import { openNodeFile, type NodeUploadFile } from "@/lib/uploader/node/file-reader";
import { createNodeTransport } from "@/lib/uploader/node/transport";
import { createNodeFileHasher, nodeChecksumPart } from "@/lib/uploader/node/file-hasher";
import { alwaysOnline } from "@/lib/uploader/online";
import type { PartSlots } from "@/lib/uploader/part-slots";
import type { PartTuner } from "@/lib/uploader/tuning";
import { rateLimitLabel } from "@/lib/uploader/file-queue";
import { EXIT } from "./exit-codes";
import type { Portal } from "./portal";
import type { FileResult, Reporter } from "./reporter";
import { createStateWriter, forgetState, loadState, type FileIdentity } from "./state";

/** One file to upload and the resource name it gets. */
export interface PutItem {
  path: string;
  name: string;
  /** CKAN resource description (issue 12); omitted = none. */
  description?: string;
  /** CKAN resource format; omitted = guessed by the portal from the file. */
  format?: string;
  /** Replace the file of this CKAN resource (resource_patch keeps its id). */
  replaceResourceId?: string;
  /** Confirms replacing a resource whose file the portal did not store. */
  replaceExternal?: boolean;
}

/** Engine settings the command line can override (defaults: the portal's part size, 4 parts in flight). */
export interface EngineSettings {
  /** Parts in flight per file (and the default limit of the shared slots). */
  concurrency?: number;
  /** Part slots shared by every file of this process (one limit of parts in flight in total). */
  slots?: PartSlots;
  /** The tuner shared by every file of this process (lib/uploader/tuning.ts tuneSharedSlots). */
  tuner?: PartTuner;
  /** At most n files creating their portal session at once. */
  sessionGate?: PartSlots;
  /** Preferred part size in bytes (the portal decides). */
  partSize?: number;
  /** How long a store or portal outage is waited out, in ms. */
  outageToleranceMs: number;
  /** Stall timeout per part request, in ms. */
  stallTimeoutMs?: number;
  /** Back-off ceiling in ms (tests shorten it). */
  retryCapMs?: number;
  /** Start new uploads even where an interrupted one could be resumed. */
  fresh?: boolean;
}

/** Lets Ctrl-C pause whatever is running (several uploads at once). */
export interface Interrupt {
  readonly requested: boolean;
  /** An upload starts running: paused at once if an interrupt was requested. */
  add(upload: FileUpload): void;
  /** That upload stopped running. */
  remove(upload: FileUpload): void;
}

const CRC32C_POLYNOMIAL = 0x82f63b78;

/** Map an engine error to an exit code: 3 refused/forbidden/unknown dataset, 4 nothing answered, else 1. */
export function exitCodeForError(e: UploadErrorInfo): number {
  if (e.code === "network" || e.code === "timeout") return EXIT.unreachable;
  if (e.code === "api") {
    if (e.apiCode === "unauthenticated" || e.apiCode === "forbidden") return EXIT.auth;
    if (e.apiCode === "not_found" && /dataset/i.test(e.message)) return EXIT.auth;
    if (e.apiCode === "storage_failed" || (e.apiCode === "ckan_failed" && /unreachable|could not be reached/i.test(e.message))) return EXIT.unreachable;
  }
  if (e.code === "credentials" && /reach|network/i.test(e.message)) return EXIT.unreachable;
  return EXIT.someFailed;
}

/**
 * The session to continue for this file, if any: the local state's, else the newest of the portal's
 * unfinished uploads of the dataset with the same name, size and modification time.
 */
/**
 * The caller's resumable uploads on a dataset (`GET /api/uploads?status=resumable`, newest 200), asked
 * once per run and dataset and shared by all its files (issue 12: a list request per file was a fifth
 * of a small file's portal requests). A failed answer is not kept: the next file asks again.
 */
const resumableLists = new WeakMap<Portal, Map<string, ReturnType<Portal["listUploads"]>>>();
function resumableUploads(portal: Portal, datasetId: string): ReturnType<Portal["listUploads"]> {
  let byDataset = resumableLists.get(portal);
  if (!byDataset) resumableLists.set(portal, (byDataset = new Map()));
  let list = byDataset.get(datasetId);
  if (!list) {
    list = portal.listUploads({ datasetId, status: "resumable", limit: "200" });
    byDataset.set(datasetId, list);
    list.catch(() => byDataset?.delete(datasetId));
  }
  return list;
}

async function findResumable(portal: Portal, id: FileIdentity): Promise<{ sessionId: string; digests: Record<number, string>; from: "state" | "portal" } | undefined> {
  const st = await loadState(id);
  if (st) return { sessionId: st.sessionId, digests: { ...st.digests }, from: "state" };
  const list = await resumableUploads(portal, id.datasetId);
  const match = list.find((u) => u.fileName === id.name && u.size === id.size && u.lastModified === id.lastModified);
  return match ? { sessionId: match.sessionId, digests: {}, from: "portal" } : undefined;
}

/** CRC32C (base64) of bytes [start, end) of the file. */
async function localCrc32c(file: NodeUploadFile, start: number, end: number): Promise<string> {
  const h = await createCRC32(CRC32C_POLYNOMIAL);
  h.init();
  for await (const chunk of file.slice(start, end).chunks()) h.update(chunk);
  return hexToBase64(h.digest("hex"));
}

/** CRC32C (base64) and MD5 (hex) of bytes [start, end) of the file, in one read. */
async function localDigests(file: NodeUploadFile, start: number, end: number): Promise<{ crc32c: string; md5: string }> {
  const h = await createCRC32(CRC32C_POLYNOMIAL);
  h.init();
  const md5 = createHash("md5");
  for await (const chunk of file.slice(start, end).chunks()) {
    h.update(chunk);
    md5.update(chunk);
  }
  return { crc32c: hexToBase64(h.digest("hex")), md5: md5.digest("hex") };
}

/**
 * Checks every stored part of session `sessionId` against the local file before it may be skipped:
 * a part with a recorded CRC32C (8 base64 characters, what the browser and this client report) must
 * equal the local part's CRC32C, else nothing is merged (`file_changed`); a part S3 holds that was
 * never reported (the client died before its batch was sent; the portal found it with ListParts) is
 * skipped only when its ETag is the local part's MD5 (S3's ETag of a part without SSE-KMS/SSE-C),
 * else it is sent again. Returns the local CRC32C of the parts that may be skipped.
 * @returns null when the session is no longer resumable.
 * @throws UploadEngineError `file_changed` when a stored part differs from the local file.
 */
async function verifiedDigests(portal: Portal, sessionId: string, file: NodeUploadFile): Promise<{ digests: Record<number, string>; partCount: number } | null> {
  const s = await portal.getUpload(sessionId);
  if (!s.resumable || s.size !== file.size) return null;
  const digests: Record<number, string> = {};
  for (const p of s.recordedParts) {
    const start = (p.partNumber - 1) * s.partSize;
    const end = Math.min(file.size, start + s.partSize);
    if (!p.checksum || p.checksum.length !== 8) {
      const local = await localDigests(file, start, end);
      if (p.etag.replace(/"/g, "").toLowerCase() === local.md5) digests[p.partNumber] = local.crc32c;
      continue; // otherwise unknown: the part is sent again
    }
    const mine = await localCrc32c(file, start, end);
    if (mine !== p.checksum) {
      throw new UploadEngineError(
        "file_changed",
        `${file.path} differs from the interrupted upload ${sessionId} of the same name, size and date (part ${p.partNumber}). Nothing was merged; run put with --fresh to upload it as a new file.`,
        { partNumber: p.partNumber },
      );
    }
    digests[p.partNumber] = mine;
  }
  return { digests, partCount: s.partCount };
}

/**
 * Uploads one file (resuming when possible). Never throws: failures are in the result.
 */
export async function putOne(
  portal: Portal,
  dispatcher: Dispatcher,
  datasetId: string,
  item: PutItem,
  settings: EngineSettings,
  reporter: Reporter,
  interrupt: Interrupt,
): Promise<FileResult> {
  const started = Date.now();
  const abs = path.resolve(item.path);
  let file: NodeUploadFile;
  try {
    file = await openNodeFile(abs, { name: item.name });
  } catch (err) {
    return { file: item.path, name: item.name, status: "failed", size: 0, seconds: 0, error: { code: "file", message: `Cannot read ${item.path}: ${(err as Error).message}` }, exitCode: EXIT.usage };
  }
  const id: FileIdentity = { portal: portal.baseUrl, datasetId, path: abs, name: item.name, size: file.size, lastModified: file.lastModified };
  reporter.fileStart(item.path, item.name, file.size);
  const fail = (error: UploadErrorInfo, sessionId?: string): FileResult => ({
    file: item.path, name: item.name, status: "failed", size: file.size, seconds: (Date.now() - started) / 1000, sessionId,
    error: { code: error.code, message: error.message, ...(error.apiCode && { apiCode: error.apiCode }) }, exitCode: exitCodeForError(error),
  });
  try {
    let resume: { sessionId: string; digests: Record<number, string> } | undefined;
    if (!settings.fresh) {
      const found = await findResumable(portal, id);
      if (found) {
        const checked = await verifiedDigests(portal, found.sessionId, file).catch((err) => {
          if (err instanceof UploadEngineError && err.code === "api" && (err.status === 404 || err.status === 403)) return null;
          throw err;
        });
        if (checked) {
          resume = { sessionId: found.sessionId, digests: checked.digests };
          reporter.event({ event: "resuming", file: item.path, name: item.name, sessionId: found.sessionId, from: found.from, skippedParts: Object.keys(checked.digests).length, partCount: checked.partCount });
        } else {
          await forgetState(id);
        }
      }
    }
    for (let rateTries = 0; ; rateTries++) {
      const result = await runEngine(portal, dispatcher, datasetId, file, id, resume, settings, reporter, interrupt, item);
      if (result.status === "failed" && result.error?.apiCode === "rate_limited" && !result.sessionId && rateTries < 10) {
        reporter.event({ event: "waiting", file: item.path, message: `${item.name}: the portal limits upload starts per minute; waiting 10 s.` });
        await new Promise((r) => setTimeout(r, 10_000));
        if (interrupt.requested) return { ...result, status: "paused" };
        continue;
      }
      if (result.status === "failed" && result.error?.code === "not_resumable" && resume) {
        await forgetState(id);
        resume = undefined;
        continue;
      }
      return { ...result, seconds: (Date.now() - started) / 1000 };
    }
  } catch (err) {
    const e = err instanceof UploadEngineError ? err : new UploadEngineError("api", (err as Error).message ?? String(err));
    return fail({ code: e.code, message: e.message, ...(e.apiCode && { apiCode: e.apiCode }) });
  } finally {
    await file.close();
  }
}

async function runEngine(
  portal: Portal,
  dispatcher: Dispatcher,
  datasetId: string,
  file: NodeUploadFile,
  id: FileIdentity,
  resume: { sessionId: string; digests: Record<number, string> } | undefined,
  settings: EngineSettings,
  reporter: Reporter,
  interrupt: Interrupt,
  item: PutItem,
): Promise<FileResult> {
  let writer: ReturnType<typeof createStateWriter> | undefined;
  let lastError: UploadErrorInfo | undefined;
  let completed: { resourceId?: string | null; ckanResourceUrl?: string | null; sha256?: string } | undefined;
  const pendingDigests: Record<number, string> = { ...(resume?.digests ?? {}) };
  const upload = createFileUpload({
    file: file.asUploadFile(),
    datasetId,
    api: portal.api,
    transport: createNodeTransport({ dispatcher }),
    hashFile: createNodeFileHasher,
    computeChecksum: nodeChecksumPart,
    checksum: "CRC32C",
    online: alwaysOnline,
    outageToleranceMs: settings.outageToleranceMs,
    ...(settings.concurrency && { concurrency: settings.concurrency }),
    ...(settings.slots && { slots: settings.slots }),
    ...(settings.tuner && { tuner: settings.tuner }),
    ...(settings.sessionGate && { sessionGate: settings.sessionGate }),
    ...(settings.partSize && { partSize: settings.partSize }),
    ...(settings.stallTimeoutMs && { stallTimeoutMs: settings.stallTimeoutMs }),
    ...(settings.retryCapMs && { retryCapMs: settings.retryCapMs }),
    ...(resume && { resume }),
    resourceFields: {
      ...(item.description !== undefined && { description: item.description }),
      ...(item.format !== undefined && { format: item.format }),
      ...(item.replaceResourceId !== undefined && { replaceResourceId: item.replaceResourceId, ...(item.replaceExternal && { replaceExternal: true }) }),
    },
    onEvent(e) {
      switch (e.type) {
        case "session":
          writer = createStateWriter({ version: 1, ...id, sessionId: e.sessionId, partSize: e.partSize, partCount: e.partCount, digests: pendingDigests, savedAt: Date.now() });
          void writer.flush();
          reporter.event({ event: "session", file: item.path, name: item.name, sessionId: e.sessionId, partSize: e.partSize, partCount: e.partCount, resumed: e.resumed });
          break;
        case "digest":
          if (writer) writer.digest(e.partNumber, e.digest);
          else pendingDigests[e.partNumber] = e.digest;
          break;
        case "progress":
          reporter.progress(item.path, e.progress);
          break;
        case "retry":
          if (e.rateLimited) {
            // The portal's limit (429 Retry-After): the engine waits and sends the request again by itself.
            reporter.event({ event: "waiting", file: item.path, what: e.what, delayMs: e.delayMs, message: `${item.name}: ${rateLimitLabel(e.delayMs)}` });
            break;
          }
          reporter.event({ event: "retry", file: item.path, what: e.what, partNumber: e.partNumber, attempt: e.attempt, delayMs: e.delayMs, error: e.error });
          break;
        case "checksums-off":
          reporter.event({ event: "checksums-off", file: item.path, reason: e.reason });
          break;
        case "error":
          lastError = e.error;
          break;
        case "completed":
          completed = { resourceId: e.result.resourceId, ckanResourceUrl: e.result.ckanResourceUrl, sha256: typeof e.result.sha256 === "string" ? e.result.sha256 : undefined };
          break;
      }
    },
  });
  interrupt.add(upload);
  try {
    if (interrupt.requested) upload.pause();
    else await upload.start();
  } finally {
    interrupt.remove(upload);
  }
  const base = { file: item.path, name: item.name, size: file.size, seconds: 0, sessionId: upload.sessionId };
  if (upload.state === "completed") {
    await writer?.close();
    await forgetState(id);
    return { ...base, status: "completed", ...completed };
  }
  await writer?.flush();
  await writer?.close();
  if (upload.state === "paused") return { ...base, status: "paused" };
  const error = lastError ?? { code: "api" as const, message: `The upload stopped in state ${upload.state}.` };
  return { ...base, status: "failed", error: { code: error.code, message: error.message, ...(error.apiCode && { apiCode: error.apiCode }) }, exitCode: exitCodeForError(error) };
}
