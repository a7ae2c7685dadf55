/**
 * The page's list of interrupted uploads (components/uploader/interrupted.ts) against a fake portal:
 * the stored figure is the sum of the parts the portal answers, sessions another tab sends or the store
 * no longer holds are left out, and a file chosen again must have the upload's name and size.
 */
import { describe, expect, it } from "vitest";
import { loadInterruptedUploads, mismatch, resumeRecordFor } from "@/components/uploader/interrupted";

const MiB = 1024 * 1024;
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

function portal(sessions: Record<string, { resumable: boolean; parts: Array<{ partNumber: number; size: number; checksum: string | null }> }>) {
  const calls: string[] = [];
  const f = (async (url: string) => {
    calls.push(url);
    if (url.startsWith("/api/uploads?")) {
      return json({ uploads: Object.keys(sessions).map((id) => ({ sessionId: id, fileName: `dir/${id}.bin`, size: 20 * 5 * MiB, lastModified: 1_700_000_000_000, createdAt: "2026-11-29T22:00:00.000Z" })) });
    }
    const id = decodeURIComponent(url.split("/").pop()!);
    const s = sessions[id];
    return json({ resumable: s.resumable, size: 20 * 5 * MiB, partSize: 5 * MiB, partCount: 20, key: "k", uploadId: "u", recordedParts: s.parts });
  }) as unknown as typeof fetch;
  return { f, calls };
}

describe("loadInterruptedUploads", () => {
  it("sums the stored parts the portal answers, keeps their CRC32Cs, leaves out gone and other-tab uploads", async () => {
    const { f, calls } = portal({
      a: { resumable: true, parts: [1, 2, 3, 4, 5, 6].map((n) => ({ partNumber: n, size: 5 * MiB, checksum: n === 6 ? null : "AAAAAA==" })) },
      gone: { resumable: false, parts: [] },
      busy: { resumable: true, parts: [] },
    });
    const list = await loadInterruptedUploads("test-dataset", { fetch: f, ownedElsewhere: async (id) => id === "busy" });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ sessionId: "a", fileName: "dir/a.bin", storedBytes: 6 * 5 * MiB, storedParts: 6, partCount: 20 });
    expect(Object.keys(list[0].digests).map(Number)).toEqual([1, 2, 3, 4, 5]); // part 6 has no checksum: sent again
    expect(calls[0]).toBe("/api/uploads?datasetId=test-dataset&status=resumable&limit=20");
    expect(calls).not.toContain("/api/uploads/busy");
  });

  it("says why when the list itself fails", async () => {
    const f = (async () => json({ error: { code: "unauthenticated", message: "Sign in first." } }, 401)) as unknown as typeof fetch;
    await expect(loadInterruptedUploads("d", { fetch: f })).rejects.toThrow("Sign in first.");
  });
});

describe("choosing the file again", () => {
  const u = { sessionId: "a", fileName: "dir/a.bin", size: 100, lastModified: 1, partSize: 5 * MiB, partCount: 1, storedBytes: 0, storedParts: 0, createdAt: "", digests: { 1: "AAAAAA==" } };
  it("needs the same base name and size", () => {
    expect(mismatch(u, { name: "a.bin", size: 100 })).toBeNull();
    expect(mismatch(u, { name: "b.bin", size: 100 })).toEqual({ kind: "name", chosen: "b.bin", expected: "a.bin" });
    expect(mismatch(u, { name: "a.bin", size: 99 })).toEqual({ kind: "size", chosen: "a.bin", size: 99, expected: 100 });
  });
  it("prefers this browser's digests for the same session", () => {
    const kept = { sessionId: "a", key: "k", uploadId: "u", partSize: 5 * MiB, partCount: 1, datasetId: "d", fileName: "dir/a.bin", size: 100, lastModified: 1, digests: { 1: "BBBBBB==", 2: "CCCCCC==" }, savedAt: 0 };
    expect(resumeRecordFor(u, "d", { name: "dir/a.bin", size: 100, lastModified: 1 }, kept).digests).toEqual({ 1: "BBBBBB==", 2: "CCCCCC==" });
    expect(resumeRecordFor(u, "d", { name: "dir/a.bin", size: 100, lastModified: 1 }, { ...kept, sessionId: "other" }).digests).toEqual({ 1: "AAAAAA==" });
  });
});
