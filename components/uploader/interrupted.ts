/**
 * The caller's interrupted uploads to one dataset, as the portal knows them — so a reloaded page can list
 * them (name, size, bytes stored) before any file is chosen again. Plain TypeScript (no React).
 *
 * Source: `GET /api/uploads?datasetId=…&status=resumable` (the caller's own sessions that may still take
 * parts), then `GET /api/uploads/{id}` for each, whose `recordedParts` are the portal's part records
 * reconciled with S3 ListParts (lib/uploads/resume.ts): "stored" is their sum, never a guess.
 */
import type { ResumeRecord } from "./resume-store";

/** One interrupted upload. Sizes in bytes; `lastModified` in ms since the epoch. */
export interface InterruptedUpload {
  sessionId: string;
  /** The name the upload was started with (a relative path for files from a folder). */
  fileName: string;
  size: number;
  lastModified: number | null;
  partSize: number;
  partCount: number;
  /** Sum of the sizes of the parts stored in S3 and recorded by the portal. */
  storedBytes: number;
  storedParts: number;
  createdAt: string;
  /** Part number → CRC32C (base64) the portal recorded: lets the engine check the file before skipping parts. */
  digests: Record<number, string>;
}

interface ListAnswer {
  uploads: Array<{ sessionId: string; fileName: string; size: number; lastModified: number | null; createdAt: string }>;
}
interface SessionAnswer {
  resumable: boolean;
  size: number;
  partSize: number;
  partCount: number;
  key: string;
  uploadId: string | null;
  recordedParts: Array<{ partNumber: number; size: number; checksum: string | null }>;
}

/**
 * Loads the interrupted uploads of `datasetId` (newest first, at most `limit`, default 20). Sessions that
 * `ownedElsewhere` says another tab is uploading right now, and sessions the store no longer holds
 * (`resumable: false`), are left out. @throws Error with the portal's message when the list itself fails
 * (a session whose details fail is left out).
 */
export async function loadInterruptedUploads(
  datasetId: string,
  opts: { fetch?: typeof fetch; limit?: number; ownedElsewhere?: (sessionId: string) => Promise<boolean> } = {},
): Promise<InterruptedUpload[]> {
  const f = opts.fetch ?? fetch;
  const q = new URLSearchParams({ datasetId, status: "resumable", limit: String(opts.limit ?? 20) });
  const init: RequestInit = { headers: { accept: "application/json" }, credentials: "same-origin" };
  const res = await f(`/api/uploads?${q}`, init);
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  }
  const { uploads } = (await res.json()) as ListAnswer;
  const found = await Promise.all(
    uploads.map(async (u): Promise<InterruptedUpload | null> => {
      if (await opts.ownedElsewhere?.(u.sessionId)) return null;
      const r = await f(`/api/uploads/${encodeURIComponent(u.sessionId)}`, init).catch(() => null);
      if (!r?.ok) return null;
      const s = (await r.json()) as SessionAnswer;
      if (!s.resumable) return null;
      const digests: Record<number, string> = {};
      for (const p of s.recordedParts) if (typeof p.checksum === "string" && p.checksum.length === 8) digests[p.partNumber] = p.checksum; // CRC32C, base64
      return {
        sessionId: u.sessionId, fileName: u.fileName, size: s.size, lastModified: u.lastModified, partSize: s.partSize, partCount: s.partCount,
        storedBytes: s.recordedParts.reduce((sum, p) => sum + p.size, 0), storedParts: s.recordedParts.length, createdAt: u.createdAt, digests,
      };
    }),
  );
  return found.filter((x): x is InterruptedUpload => x !== null);
}

/** Last path segment: "survey/2026/march.csv" → "march.csv" (what a file picker's `File.name` is). */
export const baseName = (name: string) => name.split("/").pop() ?? name;

/** Why a file chosen again cannot continue an interrupted upload (the page words it in the user's language). */
export type Mismatch = { kind: "name"; chosen: string; expected: string } | { kind: "size"; chosen: string; size: number; expected: number };

/**
 * Whether `file` (chosen again by the user) can continue `u`: same base name and size. The modification
 * time is not required to match (a copy may carry another date): the engine compares the CRC32C of the
 * first and last stored parts with the file before it skips any (CASES 15).
 * @returns null when it matches, else what differs.
 */
export function mismatch(u: InterruptedUpload, file: { name: string; size: number }): Mismatch | null {
  if (baseName(file.name) !== baseName(u.fileName)) return { kind: "name", chosen: file.name, expected: baseName(u.fileName) };
  if (file.size !== u.size) return { kind: "size", chosen: file.name, size: file.size, expected: u.size };
  return null;
}

/** The resume record the upload engine continues from: this browser's digests (if kept) over the portal's. */
export function resumeRecordFor(u: InterruptedUpload, datasetId: string, file: { name: string; size: number; lastModified: number }, kept?: ResumeRecord): ResumeRecord {
  const own = kept && kept.sessionId === u.sessionId ? kept.digests : {};
  return {
    sessionId: u.sessionId, key: kept?.key ?? "", uploadId: kept?.uploadId ?? null, partSize: u.partSize, partCount: u.partCount, datasetId,
    fileName: file.name, size: file.size, lastModified: file.lastModified, digests: { ...u.digests, ...own }, savedAt: Date.now(),
  };
}
