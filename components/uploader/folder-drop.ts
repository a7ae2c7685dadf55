/**
 * Files from a drop or a folder picker, each named by its path relative to what the user chose
 * ("survey/2026/march.csv"), which becomes the upload's file name and so the CKAN resource's default name.
 *
 * Drops are read through the File and Directory Entries API (`DataTransferItem.webkitGetAsEntry()`,
 * https://wicg.github.io/entries-api/): a directory is read with `FileSystemDirectoryReader.readEntries()`
 * until it answers an empty batch — Chromium answers at most 100 entries per call, so one call is never
 * enough for a large folder. A folder picker (`<input type=file webkitdirectory>`) gives flat `File`s
 * with `webkitRelativePath`; browsers leave empty folders out of it.
 *
 * Plain TypeScript (no React): the walker takes any object of the entries' shape, so it is unit-tested
 * with fakes (tests/unit/folder-drop.test.ts).
 */

/** The part of `FileSystemEntry` the walker uses. */
export interface EntryLike {
  name: string;
  /** "/survey/2026/march.csv": the path from the dropped item's parent. */
  fullPath: string;
  isFile: boolean;
  isDirectory: boolean;
}

/** The part of `FileSystemFileEntry` the walker uses. */
export interface FileEntryLike extends EntryLike {
  file(success: (file: File) => void, error?: (err: unknown) => void): void;
}

/** The part of `FileSystemDirectoryEntry` the walker uses. */
export interface DirectoryEntryLike extends EntryLike {
  createReader(): { readEntries(success: (entries: EntryLike[]) => void, error?: (err: unknown) => void): void };
}

/** Something in a drop that adds no file: an empty folder, or an entry the browser could not read. */
export interface DropProblem {
  kind: "empty-folder" | "unreadable";
  /** Relative path of the folder or file, without a leading "/"; "" for the folder picked with the folder picker. */
  path: string;
  /** The browser's error name (e.g. "NotReadableError", "NotFoundError", "SecurityError"), for `unreadable`. */
  reason?: string;
}

/** What a drop or a folder choice yields: the files (named by relative path) and the problems met. */
export interface CollectedFiles {
  files: File[];
  problems: DropProblem[];
}

/** Stops a walk that would never end (a symbolic link loop): at most this many entries are visited. */
export const MAX_DROP_ENTRIES = 100_000;

const relative = (fullPath: string) => fullPath.replace(/^\/+/, "");
const errorName = (err: unknown) => (err && typeof err === "object" && "name" in err && typeof err.name === "string" ? err.name : "Error");

/**
 * `file` under the name `relativePath` (same bytes, type and modification time; no copy: a File
 * built from a Blob refers to the same data). A name without a folder gives `file` back unchanged.
 */
export function withRelativeName(file: File, relativePath: string): File {
  if (!relativePath || relativePath === file.name) return file;
  return new File([file], relativePath, { type: file.type, lastModified: file.lastModified });
}

/**
 * Every entry of a directory: `readEntries()` is called until it answers an empty batch (each call
 * returns the next batch — at most 100 in Chromium). @throws the browser's error if a call fails.
 */
export function readAllEntries(dir: DirectoryEntryLike): Promise<EntryLike[]> {
  const reader = dir.createReader();
  const all: EntryLike[] = [];
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) return resolve(all);
        all.push(...batch);
        next();
      }, reject);
    next();
  });
}

const readFile = (entry: FileEntryLike) => new Promise<File>((resolve, reject) => entry.file(resolve, reject));

/**
 * Walks dropped entries depth-first (folders' contents in the order the browser lists them) and returns
 * every file named by its relative path, plus an `empty-folder` problem for each folder without entries
 * and an `unreadable` problem for each file or folder the browser refused to read (the walk goes on with
 * the rest). Never rejects.
 */
export async function collectFromEntries(entries: EntryLike[]): Promise<CollectedFiles> {
  const files: File[] = [];
  const problems: DropProblem[] = [];
  let visited = 0;
  const visit = async (entry: EntryLike): Promise<void> => {
    if (++visited > MAX_DROP_ENTRIES) return;
    const path = relative(entry.fullPath || entry.name);
    if (entry.isFile) {
      try {
        files.push(withRelativeName(await readFile(entry as FileEntryLike), path));
      } catch (err) {
        problems.push({ kind: "unreadable", path, reason: errorName(err) });
      }
    } else if (entry.isDirectory) {
      let children: EntryLike[];
      try {
        children = await readAllEntries(entry as DirectoryEntryLike);
      } catch (err) {
        problems.push({ kind: "unreadable", path, reason: errorName(err) });
        return;
      }
      if (children.length === 0) problems.push({ kind: "empty-folder", path });
      for (const child of children) await visit(child);
    }
  };
  for (const entry of entries) await visit(entry);
  return { files, problems };
}

/**
 * The files of a drop event. Must be called inside the `drop` handler: the entries are taken at once
 * (a DataTransfer's items are emptied when the handler returns), then read asynchronously. Items without
 * an entry (a browser without the Entries API, or files built by a script) fall back to `getAsFile()`,
 * and with no items at all to `dataTransfer.files`.
 */
export function collectFromDataTransfer(dt: DataTransfer): Promise<CollectedFiles> {
  const entries: EntryLike[] = [];
  const loose: File[] = [];
  const items = dt.items ? Array.from(dt.items) : [];
  for (const item of items) {
    if (item.kind !== "file") continue;
    const entry = typeof item.webkitGetAsEntry === "function" ? (item.webkitGetAsEntry() as EntryLike | null) : null;
    if (entry) entries.push(entry);
    else {
      const file = item.getAsFile();
      if (file) loose.push(file);
    }
  }
  if (items.length === 0) loose.push(...Array.from(dt.files ?? []));
  return collectFromEntries(entries).then((r) => ({ files: [...loose, ...r.files], problems: r.problems }));
}

/** The files of a folder picker (`webkitdirectory`), each named by its `webkitRelativePath`. */
export function collectFromDirectoryInput(list: ArrayLike<File>): CollectedFiles {
  return { files: Array.from(list, (f) => withRelativeName(f, f.webkitRelativePath || f.name)), problems: [] };
}
