/**
 * The Node file reader: a file on disk as the engine's `UploadFile` (a Blob with
 * `name` and `lastModified`), read through one `FileHandle` with positional
 * reads (`read(buffer, 0, length, offset)`, i.e. pread) — never a whole-file
 * buffer. A slice holds only its offsets; its bytes are read when the hasher or
 * the transport asks for them, in chunks of {@link READ_CHUNK_BYTES}, so memory
 * stays about (parts in flight × chunk) for sending and one part for hashing.
 * Node-only (node:fs): the engine core never imports this file.
 */
import { open, type FileHandle } from "node:fs/promises";
import { basename } from "node:path";
import type { UploadFile } from "../file-upload-options";

/** Bytes read from disk per chunk while streaming a slice: 1 MiB. */
export const READ_CHUNK_BYTES = 1024 * 1024;

/** A byte range of an open file that behaves like a Blob (only what the engine and the Node transport use). */
export class FileHandleSlice {
  readonly type: string;
  constructor(
    private readonly handle: FileHandle,
    /** First byte, inclusive. */
    readonly start: number,
    /** Last byte, exclusive. */
    readonly end: number,
    type = "",
  ) {
    this.type = type;
  }

  /** Length in bytes. */
  get size(): number {
    return this.end - this.start;
  }

  /** A sub-range, with Blob.slice semantics (negative offsets count from the end; clamped). */
  slice(start = 0, end = this.size, contentType = ""): FileHandleSlice {
    const clamp = (v: number) => Math.min(this.size, Math.max(0, v < 0 ? this.size + v : v));
    const s = clamp(start);
    const e = Math.max(s, clamp(end));
    return new FileHandleSlice(this.handle, this.start + s, this.start + e, contentType || this.type);
  }

  /** The range's bytes in one buffer (one part at most: used for hashing). @throws when the file became shorter. */
  async bytes(): Promise<Uint8Array> {
    const out = new Uint8Array(this.size);
    let done = 0;
    while (done < out.length) {
      const { bytesRead } = await this.handle.read(out, done, out.length - done, this.start + done);
      if (bytesRead === 0) throw new Error(`The file became shorter while it was read (at byte ${this.start + done}).`);
      done += bytesRead;
    }
    return out;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = await this.bytes();
    return b.buffer.byteLength === b.length ? (b.buffer as ArrayBuffer) : (b.slice().buffer as ArrayBuffer);
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  /** The range's bytes as chunks of at most {@link READ_CHUNK_BYTES}, each read when the consumer wants it. */
  async *chunks(chunkBytes = READ_CHUNK_BYTES): AsyncGenerator<Uint8Array> {
    let pos = this.start;
    while (pos < this.end) {
      const len = Math.min(chunkBytes, this.end - pos);
      const buf = new Uint8Array(len);
      let got = 0;
      while (got < len) {
        const { bytesRead } = await this.handle.read(buf, got, len - got, pos + got);
        if (bytesRead === 0) throw new Error(`The file became shorter while it was read (at byte ${pos + got}).`);
        got += bytesRead;
      }
      pos += len;
      yield buf;
    }
  }

  /** A web ReadableStream of the range (Blob.stream). */
  stream(): ReadableStream<Uint8Array> {
    const it = this.chunks();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await it.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel() {
        await it.return(undefined);
      },
    });
  }
}

/** An open file on disk as an `UploadFile`. Call `close()` when the upload has stopped. */
export class NodeUploadFile extends FileHandleSlice {
  constructor(
    handle: FileHandle,
    size: number,
    /** The name sent to the portal (the resource name); default the file's base name. */
    readonly name: string,
    /** Modification time, ms since the epoch (with name and size: the resume fingerprint). */
    readonly lastModified: number,
    /** Absolute path on disk. */
    readonly path: string,
    type = "",
  ) {
    super(handle, 0, size, type);
    this.fileHandle = handle;
  }
  private readonly fileHandle: FileHandle;

  /** The engine's view of this file (it only uses `size`, `name`, `lastModified`, `type` and `slice`). */
  asUploadFile(): UploadFile {
    return this as unknown as UploadFile;
  }

  async close(): Promise<void> {
    await this.fileHandle.close().catch(() => undefined);
  }
}

/**
 * Opens `path` for upload. The size and modification time are taken once, from the open handle (fstat).
 * @param opts.name the name sent to the portal (default the base name), `type` its MIME type.
 * @throws Error (ENOENT, EACCES, EISDIR…) from node:fs.
 */
export async function openNodeFile(path: string, opts: { name?: string; type?: string } = {}): Promise<NodeUploadFile> {
  const handle = await open(path, "r");
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: "EISDIR" });
    return new NodeUploadFile(handle, st.size, opts.name ?? basename(path), Math.floor(st.mtimeMs), path, opts.type ?? "");
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
}
