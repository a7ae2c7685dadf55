import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "@/lib/safe-redirect";
import { formatFromFileName, resolveContentType } from "@/lib/uploads/file-types";
import { formatBytes, formatDuration } from "@/lib/format";

describe("safeCallbackPath (no open redirect)", () => {
  it.each([
    ["/datasets/x/upload?y=1", "/datasets/x/upload?y=1"],
    ["/", "/"],
    [undefined, "/"],
    ["https://evil.example/", "/"],
    ["//evil.example/x", "/"],
    ["/\\evil.example", "/"],
    ["javascript:alert(1)", "/"],
    ["relative/path", "/"],
  ])("%j → %j", (input, expected) => {
    expect(safeCallbackPath(input)).toBe(expected);
  });
});

describe("file types", () => {
  it("prefers the browser's type, else the extension, else octet-stream", () => {
    expect(resolveContentType("a.csv", "text/csv")).toBe("text/csv");
    expect(resolveContentType("a.csv", "")).toBe("text/csv");
    expect(resolveContentType("données été.xlsx")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(resolveContentType("noext")).toBe("application/octet-stream");
    expect(resolveContentType("a.csv", "bogus type")).toBe("text/csv");
  });

  it("derives the CKAN format from the extension", () => {
    expect(formatFromFileName("report.csv")).toBe("CSV");
    expect(formatFromFileName("a.tar.gz")).toBe("GZ");
    expect(formatFromFileName("README")).toBe("");
  });

  it("guesses the format as CKAN does: a known extension (mime's database), else the browser's MIME type, else none", () => {
    expect(formatFromFileName("grid.nc")).toBe("NC");
    expect(formatFromFileName("sheet.XLSX")).toBe("XLSX");
    expect(formatFromFileName("export", "text/csv")).toBe("CSV");
    expect(formatFromFileName("run.zzq9", "application/json; charset=utf-8")).toBe("JSON");
    expect(formatFromFileName("run.zzq9")).toBe(""); // CKAN's mimetypes.guess_type knows no .zzq9 either
    expect(formatFromFileName("blob", "application/octet-stream")).toBe("");
  });
});

describe("format", () => {
  it("formats bytes and durations", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MiB");
    expect(formatBytes(10_000 * 5 * 1024 ** 3)).toBe("48.8 TiB");
    expect(formatDuration(3725)).toBe("1 h 2 min");
    expect(formatDuration(null)).toBe("—");
  });
});

describe("content types that cannot travel as an HTTP header", () => {
  it("fall back to the extension", () => {
    expect(resolveContentType("a.txt", "text/plain; charset=é中")).toBe("text/plain");
    expect(resolveContentType("a.txt", "text/plain;\u0007")).toBe("text/plain");
    expect(resolveContentType("a.csv", "text/csv; charset=utf-8")).toBe("text/csv; charset=utf-8");
    expect(resolveContentType("a.csv", 'text/csv; charset="utf-8"')).toBe('text/csv; charset="utf-8"');
  });
});
