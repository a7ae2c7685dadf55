"use client";

/**
 * Resume state kept in the browser's IndexedDB (idb-keyval), so a reloaded or crashed page can offer to
 * continue an upload (CASES 14). One record per file fingerprint — dataset + name + size + modification
 * time — holding the session id, object key, UploadId, part size and the CRC32C of each part hashed so
 * far (compared before any stored part is skipped: CASES 15). No credentials or tokens are stored.
 */
import { createStore, del, get, getMany, set, type UseStore } from "idb-keyval";

/** What is kept for one interrupted upload. Sizes in bytes; times in ms since the epoch. */
export interface ResumeRecord {
  sessionId: string;
  key: string;
  uploadId: string | null;
  partSize: number;
  partCount: number;
  datasetId: string;
  fileName: string;
  size: number;
  lastModified: number;
  /** Part number → CRC32C (base64) of that part of the file. */
  digests: Record<number, string>;
  savedAt: number;
}

/** The identity of a file on a dataset page: dataset, name, size, modification time. */
export function fingerprint(datasetId: string, file: { name: string; size: number; lastModified: number }): string {
  return JSON.stringify([datasetId, file.name, file.size, file.lastModified]);
}

let store: UseStore | undefined;
let disabled = false;
// `indexedDB.open` throws at once where site data is blocked (CASES 27): inside try blocks only.
const db = () => (store ??= createStore("ckan-upload-portal", "resume"));
const available = () => !disabled && typeof indexedDB !== "undefined";

/** Turns the store off for this page (IndexedDB unusable: see lib/uploader/capabilities.ts). Uploads still run. */
export function disableResumeStore(): void {
  disabled = true;
}

/** The record for this file on this dataset, if an upload of it was interrupted. Never throws (blocked storage, private mode, quota). */
export async function findResume(datasetId: string, file: File): Promise<ResumeRecord | undefined> {
  if (!available()) return undefined;
  try {
    return await get<ResumeRecord>(fingerprint(datasetId, file), db());
  } catch {
    return undefined;
  }
}

/**
 * The records of `files` on this dataset (undefined where none), in one IndexedDB transaction (issue 12:
 * a transaction per file of a many-file drop). Never throws: blocked storage answers all undefined.
 */
export async function findResumes(datasetId: string, files: readonly File[]): Promise<Array<ResumeRecord | undefined>> {
  if (!available() || files.length === 0) return files.map(() => undefined);
  try {
    return await getMany<ResumeRecord>(files.map((f) => fingerprint(datasetId, f)), db());
  } catch {
    return files.map(() => undefined);
  }
}

/** One of the user's resumable uploads as `GET /api/uploads?status=resumable` lists it. */
export interface ServerResumable {
  sessionId: string;
  fileName: string;
  size: number;
  lastModified: number | null;
}

/**
 * The user's resumable uploads on this dataset (`GET /api/uploads?datasetId=…&status=resumable`, newest
 * 50): asked once per drop and shared by its files (issue 12: a request per file of a 100-file drop
 * held up the start). `undefined` when the portal does not answer. Never throws.
 */
export async function listServerResumables(datasetId: string): Promise<ServerResumable[] | undefined> {
  try {
    const q = new URLSearchParams({ datasetId, status: "resumable", limit: "50" });
    const list = await fetch(`/api/uploads?${q}`, { headers: { accept: "application/json" }, credentials: "same-origin" });
    if (!list.ok) return undefined;
    return ((await list.json()) as { uploads: ServerResumable[] }).uploads;
  } catch {
    return undefined;
  }
}

/**
 * The portal's record of an unfinished upload of this file on this dataset, when this browser has none
 * (the upload was started by the command line, or on another machine): the newest of the user's
 * resumable sessions (`GET /api/uploads?datasetId=…&status=resumable`) with the same name, size and
 * modification time. Its digests are the CRC32Cs the portal recorded for stored parts; the engine
 * compares the first and last with this file before skipping any (CASES 15), and sends parts without
 * a recorded checksum again. `resumables`: the list to look in (one {@link listServerResumables} per
 * drop); default, asked now. Never throws.
 */
export async function findServerResume(datasetId: string, file: File, resumables: Promise<ServerResumable[] | undefined> = listServerResumables(datasetId)): Promise<ResumeRecord | undefined> {
  try {
    const uploads = await resumables;
    if (!uploads) return undefined;
    const match = uploads.find((u) => u.fileName === file.name && u.size === file.size && u.lastModified === file.lastModified);
    if (!match) return undefined;
    const res = await fetch(`/api/uploads/${encodeURIComponent(match.sessionId)}`, { headers: { accept: "application/json" }, credentials: "same-origin" });
    if (!res.ok) return undefined;
    const s = (await res.json()) as { resumable: boolean; key: string; uploadId: string | null; partSize: number; partCount: number; recordedParts: Array<{ partNumber: number; checksum: string | null }> };
    if (!s.resumable) return undefined;
    const digests: Record<number, string> = {};
    for (const p of s.recordedParts) if (typeof p.checksum === "string" && p.checksum.length === 8) digests[p.partNumber] = p.checksum; // CRC32C, base64
    return { sessionId: match.sessionId, key: s.key, uploadId: s.uploadId, partSize: s.partSize, partCount: s.partCount, datasetId, fileName: file.name, size: file.size, lastModified: file.lastModified, digests, savedAt: Date.now() };
  } catch {
    return undefined;
  }
}

/** Forgets the record (completed, cancelled, or no longer resumable). Never throws. */
export async function forgetResume(datasetId: string, file: File): Promise<void> {
  if (!available()) return;
  try {
    await del(fingerprint(datasetId, file), db());
  } catch {
    // nothing kept, nothing to forget
  }
}

/**
 * Keeps one upload's record up to date: `start` when the session exists, `digest` for each part hash
 * (written at most every `intervalMs`, default 500 ms, so 10,000 parts are not 10,000 writes). A failed
 * write (quota) is reported once to `onWriteError`; it never fails the upload.
 *
 * Issue 12 (small files go fast: each record cost an IndexedDB write, often a second one for the digest,
 * and a delete, per file of a many-file drop): the first write of a new upload waits `intervalMs` too, so
 * an upload that completes sooner writes and deletes nothing; and a new upload of **one part** (every file
 * of ≤ 5 MiB) is written only when it pauses or fails (`flush`). Nothing is lost for resume: a reloaded
 * page finds such an upload through the portal's list of resumable uploads (`findServerResume`, and the
 * interrupted-uploads list), whose stored parts the portal reconciles with S3 ListParts, checksums
 * included; the engine verifies a part's CRC32C before skipping it (CASES 15) and sends a part without one
 * again — for one part, at most 5 MiB. A resumed upload (`start({ resumed: true, … })`) had a record
 * already: it is brought up to date at once, and `forget` deletes it.
 */
export function createResumeWriter(datasetId: string, file: File, intervalMs = 500, onWriteError?: (error: unknown) => void) {
  let reported = false;
  let record: ResumeRecord | undefined;
  const pending: Record<number, string> = {};
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  /** A record of this file may be in the store (written, or there before: a resumed upload). */
  let stored = false;
  /** Written only by `flush` (pause, failure): a new upload of one part. */
  let onlyOnFlush = false;
  const flush = async () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!record || closed || !available()) return;
    stored = true;
    Object.assign(record.digests, pending);
    for (const k of Object.keys(pending)) delete pending[Number(k)];
    record.savedAt = Date.now();
    try {
      await set(fingerprint(datasetId, file), record, db());
    } catch (error) {
      // Quota exceeded, storage cleared or blocked: the upload goes on, only resume-after-reload is lost.
      if (!reported) onWriteError?.(error);
      reported = true;
    }
  };
  return {
    /** The session exists (new, or resumed with the digests kept before). */
    start(s: { sessionId: string; key: string; uploadId: string | null; partSize: number; partCount: number; resumed?: boolean }, digests: Record<number, string> = {}) {
      const { resumed, ...session } = s;
      record = { ...session, datasetId, fileName: file.name, size: file.size, lastModified: file.lastModified, digests: { ...digests, ...pending }, savedAt: Date.now() };
      onlyOnFlush = !resumed && session.partCount <= 1;
      if (resumed) {
        stored = true;
        void flush(); // the record there is brought up to date at once (its session may be a new one)
      } else if (!onlyOnFlush) timer ??= setTimeout(() => void flush(), intervalMs);
    },
    digest(partNumber: number, value: string) {
      pending[partNumber] = value;
      if (!onlyOnFlush) timer ??= setTimeout(() => void flush(), intervalMs);
    },
    /** Writes what is pending now (e.g. on pause). */
    flush,
    /** The upload finished or was abandoned: forget it. */
    async forget() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (stored) await forgetResume(datasetId, file);
    },
  };
}
