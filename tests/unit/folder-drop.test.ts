/**
 * The folder walker of the upload page (components/uploader/folder-drop.ts) with fake
 * FileSystemEntry objects that answer readEntries() in batches of at most 100, as Chromium does.
 */
import { describe, expect, it } from "vitest";
import { collectFromDirectoryInput, collectFromEntries, type EntryLike, withRelativeName } from "@/components/uploader/folder-drop";

const BATCH = 100;

function fileEntry(fullPath: string, content = fullPath, fail?: string): EntryLike {
  const name = fullPath.split("/").pop()!;
  return {
    name, fullPath, isFile: true, isDirectory: false,
    file(ok: (f: File) => void, err?: (e: unknown) => void) {
      if (fail) err?.(Object.assign(new Error("no"), { name: fail }));
      else ok(new File([content], name, { type: "text/csv", lastModified: 1_700_000_000_000 }));
    },
  } as EntryLike;
}

function dirEntry(fullPath: string, children: EntryLike[], fail?: string): EntryLike & { calls: number } {
  const d = {
    name: fullPath.split("/").pop()!, fullPath, isFile: false, isDirectory: true, calls: 0,
    createReader() {
      let pos = 0;
      return {
        readEntries(ok: (e: EntryLike[]) => void, err?: (e: unknown) => void) {
          d.calls++;
          // Asynchronous, like the browser's callbacks.
          queueMicrotask(() => {
            if (fail) return err?.(Object.assign(new Error("no"), { name: fail }));
            const batch = children.slice(pos, pos + BATCH);
            pos += batch.length;
            ok(batch);
          });
        },
      };
    },
  };
  return d;
}

describe("collectFromEntries", () => {
  it("reads every entry of a folder with 250 files (three batches of ≤ 100 and an empty one), named by relative path", async () => {
    const children = Array.from({ length: 250 }, (_, i) => fileEntry(`/big/f${String(i).padStart(3, "0")}.csv`));
    const big = dirEntry("/big", children);
    const { files, problems } = await collectFromEntries([big]);
    expect(files).toHaveLength(250);
    expect(big.calls).toBe(4); // 100 + 100 + 50 + the empty answer that ends the listing
    expect(files[0].name).toBe("big/f000.csv");
    expect(files[249].name).toBe("big/f249.csv");
    expect(new Set(files.map((f) => f.name)).size).toBe(250);
    expect(problems).toEqual([]);
  });

  it("walks nested folders, keeps bytes, type and date, and names empty and unreadable entries", async () => {
    const tree = dirEntry("/survey", [
      fileEntry("/survey/a.csv", "a,b\n1,2\n"),
      dirEntry("/survey/2026", [fileEntry("/survey/2026/march.csv", "m"), dirEntry("/survey/2026/empty", [])]),
      fileEntry("/survey/locked.csv", "", "NotReadableError"),
      dirEntry("/survey/private", [], "SecurityError"),
    ]);
    const loose = fileEntry("/top.txt", "top");
    const { files, problems } = await collectFromEntries([tree, loose]);
    expect(files.map((f) => f.name)).toEqual(["survey/a.csv", "survey/2026/march.csv", "top.txt"]);
    expect(await files[0].text()).toBe("a,b\n1,2\n");
    expect(files[0].type).toBe("text/csv");
    expect(files[0].lastModified).toBe(1_700_000_000_000);
    expect(problems).toEqual([
      { kind: "empty-folder", path: "survey/2026/empty" },
      { kind: "unreadable", path: "survey/locked.csv", reason: "NotReadableError" },
      { kind: "unreadable", path: "survey/private", reason: "SecurityError" },
    ]);
  });

  it("a dropped empty folder alone yields no file and one problem", async () => {
    expect(await collectFromEntries([dirEntry("/nothing", [])])).toEqual({ files: [], problems: [{ kind: "empty-folder", path: "nothing" }] });
  });
});

describe("folder picker and names", () => {
  it("names picked files by webkitRelativePath", () => {
    const f = new File(["x"], "b.csv");
    Object.defineProperty(f, "webkitRelativePath", { value: "data/sub/b.csv" });
    const g = new File(["y"], "c.csv");
    Object.defineProperty(g, "webkitRelativePath", { value: "" });
    expect(collectFromDirectoryInput([f, g]).files.map((x) => x.name)).toEqual(["data/sub/b.csv", "c.csv"]);
  });

  it("withRelativeName keeps the file itself when the name does not change", () => {
    const f = new File(["x"], "a.csv");
    expect(withRelativeName(f, "a.csv")).toBe(f);
    expect(withRelativeName(f, "d/a.csv").name).toBe("d/a.csv");
    expect(withRelativeName(f, "d/a.csv").size).toBe(1);
  });
});
