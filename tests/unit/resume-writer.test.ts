/**
 * The page's resume record (components/uploader/resume-store.ts) for a many-file drop (issue 12, small
 * files go fast): a new upload's record is written only once it has run `intervalMs`, and a new upload of
 * one part only when it pauses or fails, so a small file costs IndexedDB nothing (it cost a write, often a
 * second, and a delete), while a longer upload, a paused or failed one and a resumed one keep their record.
 * idb-keyval is replaced by a Map that counts its writes and deletes; time is vitest's fake timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const idb = vi.hoisted(() => ({ data: new Map<string, unknown>(), sets: 0, dels: 0, reads: 0 }));
vi.mock("idb-keyval", () => ({
  createStore: () => "store",
  get: async (key: string) => (idb.reads++, idb.data.get(key)),
  getMany: async (keys: string[]) => (idb.reads++, keys.map((k) => idb.data.get(k))),
  set: async (key: string, value: unknown) => {
    idb.sets++;
    idb.data.set(key, structuredClone(value));
  },
  del: async (key: string) => {
    idb.dels++;
    idb.data.delete(key);
  },
}));

const { createResumeWriter, findResume, findResumes } = await import("@/components/uploader/resume-store");

const session = { sessionId: "s1", key: "k/a.csv", uploadId: "u1", partSize: 5 * 1024 * 1024, partCount: 3 };
const onePart = { ...session, partCount: 1 };
const file = new File([new Uint8Array(64 * 1024)], "a.csv", { lastModified: 1_700_000_000_000 });

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal("indexedDB", {}); // present: the store is used
  idb.data.clear();
  idb.sets = 0;
  idb.dels = 0;
  idb.reads = 0;
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("resume record of one upload", () => {
  it("a new upload that completes within the interval writes and deletes nothing", async () => {
    const writer = createResumeWriter("ds-1", file, 500);
    writer.start({ ...session, resumed: false });
    writer.digest(1, "AAAAAA==");
    await vi.advanceTimersByTimeAsync(499);
    await writer.forget();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(idb.sets).toBe(0);
    expect(idb.dels).toBe(0);
  });

  it("a new upload still running after the interval has its record, with its digests, until it is forgotten", async () => {
    const writer = createResumeWriter("ds-1", file, 500);
    writer.start({ ...session, resumed: false });
    writer.digest(1, "AAAAAA==");
    await vi.advanceTimersByTimeAsync(500);
    expect(idb.sets).toBe(1);
    expect(await findResume("ds-1", file)).toMatchObject({ sessionId: "s1", uploadId: "u1", fileName: "a.csv", size: file.size, digests: { 1: "AAAAAA==" } });
    await writer.forget();
    expect(await findResume("ds-1", file)).toBeUndefined();
  });

  it("a new upload of one part writes nothing while it runs, however long; a pause or failure writes it", async () => {
    const writer = createResumeWriter("ds-1", file, 500);
    writer.start({ ...onePart, resumed: false });
    writer.digest(1, "AAAAAA==");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(idb.sets).toBe(0);
    await writer.flush(); // paused or failed
    expect(await findResume("ds-1", file)).toMatchObject({ sessionId: "s1", partCount: 1, digests: { 1: "AAAAAA==" } });
    await writer.forget();
    expect(await findResume("ds-1", file)).toBeUndefined();
  });

  it("a completed one-part upload deletes nothing it did not write", async () => {
    const writer = createResumeWriter("ds-1", file, 500);
    writer.start({ ...onePart, resumed: false });
    await vi.advanceTimersByTimeAsync(5_000);
    await writer.forget();
    expect([idb.sets, idb.dels]).toEqual([0, 0]);
  });

  it("a pause or failure (flush) writes the record at once", async () => {
    const writer = createResumeWriter("ds-1", file, 500);
    writer.start({ ...session, resumed: false });
    await writer.flush();
    expect(await findResume("ds-1", file)).toMatchObject({ sessionId: "s1" });
    await vi.advanceTimersByTimeAsync(1000);
    expect(idb.sets).toBe(1); // the deferred first write does not come on top
  });

  it("a resumed upload brings its record up to date at once and deletes it when done", async () => {
    const writer = createResumeWriter("ds-1", file, 500);
    writer.start({ ...session, resumed: true }, { 1: "BBBBBB==" });
    await vi.advanceTimersByTimeAsync(0);
    expect(await findResume("ds-1", file)).toMatchObject({ sessionId: "s1", digests: { 1: "BBBBBB==" } });
    await writer.forget();
    expect(idb.dels).toBe(1);
    expect(await findResume("ds-1", file)).toBeUndefined();
  });
});

describe("resume records of a drop", () => {
  it("are read in one transaction for all files, each file's record (or none) in order", async () => {
    const files = Array.from({ length: 100 }, (_, i) => new File(["x"], `f${i}.csv`, { lastModified: 1_700_000_000_000 }));
    const writer = createResumeWriter("ds-1", files[42], 0);
    writer.start({ ...session, resumed: true });
    await vi.advanceTimersByTimeAsync(0);
    idb.reads = 0;
    const found = await findResumes("ds-1", files);
    expect(idb.reads).toBe(1);
    expect(found).toHaveLength(100);
    expect(found.findIndex((r) => r !== undefined)).toBe(42);
    expect(found[42]).toMatchObject({ sessionId: "s1", fileName: "f42.csv" });
  });
});
