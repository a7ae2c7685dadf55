/**
 * Local resume state: one JSON file per unfinished upload in `$XDG_STATE_HOME/ckan-upload/uploads/`,
 * named by the file's fingerprint — portal + dataset + absolute path + resource name + size +
 * modification time (SHA-256, hex). It holds the session id and the CRC32C of each part hashed so
 * far; never a token or credentials. Written atomically (temp file + rename), at most every 500 ms.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { stateDir } from "./config";

/** One unfinished upload. Sizes in bytes, times in ms since the epoch. */
export interface UploadState {
  version: 1;
  portal: string;
  datasetId: string;
  /** Absolute path of the local file. */
  path: string;
  /** Resource name sent to the portal. */
  name: string;
  size: number;
  lastModified: number;
  sessionId: string;
  partSize: number;
  partCount: number;
  /** Part number → CRC32C (base64) of that part of the local file. */
  digests: Record<number, string>;
  savedAt: number;
}

export type FileIdentity = Pick<UploadState, "portal" | "datasetId" | "path" | "name" | "size" | "lastModified">;

/** The fingerprint (file name of the state) of a local file's upload to a dataset. */
export function fingerprint(id: FileIdentity): string {
  return createHash("sha256").update(JSON.stringify([id.portal, id.datasetId, id.path, id.name, id.size, id.lastModified])).digest("hex").slice(0, 32);
}

const uploadsDir = () => path.join(stateDir(), "uploads");
const fileFor = (id: FileIdentity) => path.join(uploadsDir(), `${fingerprint(id)}.json`);

/** The saved state of this file's upload, or undefined. */
export async function loadState(id: FileIdentity): Promise<UploadState | undefined> {
  try {
    const s = JSON.parse(await readFile(fileFor(id), "utf8")) as UploadState;
    return s.version === 1 && s.size === id.size && s.lastModified === id.lastModified ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Every saved state (for `resume` without arguments), oldest first. */
export async function listStates(): Promise<UploadState[]> {
  let names: string[];
  try {
    names = await readdir(uploadsDir());
  } catch {
    return [];
  }
  const out: UploadState[] = [];
  for (const n of names.filter((n) => n.endsWith(".json"))) {
    try {
      const s = JSON.parse(await readFile(path.join(uploadsDir(), n), "utf8")) as UploadState;
      if (s.version === 1) out.push(s);
    } catch {
      /* a torn or foreign file is ignored */
    }
  }
  return out.sort((a, b) => a.savedAt - b.savedAt);
}

/** Forgets the state (completed, or the session can no longer be resumed). */
export async function forgetState(id: FileIdentity): Promise<void> {
  await rm(fileFor(id), { force: true });
}

/** Keeps one upload's state file up to date; `flush()` writes now (before exit). */
export function createStateWriter(initial: UploadState, intervalMs = 500) {
  const state = initial;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;
  const write = () => {
    timer = undefined;
    if (closed) return writing;
    state.savedAt = Date.now();
    const text = JSON.stringify(state);
    writing = writing.then(async () => {
      await mkdir(uploadsDir(), { recursive: true, mode: 0o700 });
      const file = fileFor(state);
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, text, { mode: 0o600 });
      await rename(tmp, file);
    }).catch(() => undefined); // a state that cannot be written costs the resume, not the upload
    return writing;
  };
  return {
    state,
    digest(partNumber: number, digest: string) {
      state.digests[partNumber] = digest;
      timer ??= setTimeout(write, intervalMs);
    },
    flush(): Promise<void> {
      if (timer) clearTimeout(timer);
      return write();
    },
    async close(): Promise<void> {
      if (timer) clearTimeout(timer);
      closed = true;
      await writing;
    },
  };
}
