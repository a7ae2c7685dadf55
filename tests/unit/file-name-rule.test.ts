/**
 * CASES 39: file names with bidi controls or other invisible format characters are refused at upload
 * start (message naming the character and its position), and neutralised to a visible `<U+XXXX>` in
 * the CSV export and the CKAN resource name.
 */
import { describe, expect, it } from "vitest";
import { stringify } from "csv-stringify/sync";
import { parse } from "csv-parse/sync";
import { neutraliseCells } from "@/lib/admin/csv";
import { findInvisibleCharacters, invisibleCharacterMessage, neutraliseInvisible } from "@/lib/uploads/file-name-rule";
import { createUploadSchema } from "@/lib/uploads/schemas";

const RLO = "\u202e";
const base = { datasetId: "test-dataset", size: 1, contentType: "" };

describe("the file-name rule", () => {
  it.each([
    ["U+202A", "\u202a"], ["U+202B", "\u202b"], ["U+202C", "\u202c"], ["U+202D", "\u202d"], ["U+202E", "\u202e"],
    ["U+2066", "\u2066"], ["U+2067", "\u2067"], ["U+2068", "\u2068"], ["U+2069", "\u2069"],
    ["U+200B", "\u200b"], ["U+200E", "\u200e"], ["U+200F", "\u200f"], ["U+FEFF", "\ufeff"], ["U+2060", "\u2060"],
    ["U+2064", "\u2064"], ["U+00AD", "\u00ad"], ["U+061C", "\u061c"], ["U+E0041", "\u{e0041}"],
  ])("refuses %s anywhere in a name", (code, ch) => {
    for (const name of [`${ch}report.csv`, `rep${ch}ort.csv`, `report.csv${ch}`]) {
      const found = findInvisibleCharacters(name);
      expect(found.map((f) => f.codePoint)).toEqual([code]);
      expect(invisibleCharacterMessage(name)).toContain(code);
    }
  });

  it("names the character and its 1-based position in characters (an emoji before it counts once)", () => {
    expect(findInvisibleCharacters(`${RLO}vsc.exe`)).toEqual([{ codePoint: "U+202E", name: "RIGHT-TO-LEFT OVERRIDE", position: 1 }]);
    expect(findInvisibleCharacters(`📊a${RLO}b`)).toEqual([{ codePoint: "U+202E", name: "RIGHT-TO-LEFT OVERRIDE", position: 3 }]);
    expect(invisibleCharacterMessage(`a\u200bb\u2066c`)).toMatch(/^contains the invisible character U\+200B ZERO WIDTH SPACE at position 2 \(and 1 more\)/);
  });

  it("accepts ordinary names of every script, emoji sequences with ZWJ and Persian ZWNJ inside a word", () => {
    for (const name of ["report & notes #1?.csv", "日本語データ.csv", "données été.xlsx", "📊 results 🚀.json", "تقرير.csv", "דוח.csv", "👩\u200d💻 code.zip", "می\u200cخواهم.csv"]) {
      expect([name, findInvisibleCharacters(name)]).toEqual([name, []]);
    }
  });

  it("refuses a joiner that joins nothing (at either end, or next to a space)", () => {
    expect(findInvisibleCharacters("\u200dname.csv").map((f) => f.position)).toEqual([1]);
    expect(findInvisibleCharacters("name.csv\u200c").map((f) => f.position)).toEqual([9]);
    expect(findInvisibleCharacters("a \u200d b").map((f) => f.position)).toEqual([3]);
  });

  it("is applied by the upload-start schema: ‮vsc.exe is refused with the character named", () => {
    const r = createUploadSchema.safeParse({ ...base, fileName: `${RLO}vsc.exe` });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ["fileName"], message: expect.stringContaining("U+202E RIGHT-TO-LEFT OVERRIDE at position 1") });
    expect(createUploadSchema.safeParse({ ...base, fileName: "csv.exe" }).success).toBe(true);
  });
});

describe("neutralising for exports", () => {
  it("replaces each refused character with a visible escape and keeps everything else", () => {
    expect(neutraliseInvisible(`${RLO}vsc.exe`)).toBe("<U+202E>vsc.exe");
    expect(neutraliseInvisible("a\u2066b\u2069\ufeff")).toBe("a<U+2066>b<U+2069><U+FEFF>");
    expect(neutraliseInvisible("日本語 👩\u200d💻.csv")).toBe("日本語 👩\u200d💻.csv");
  });

  it("CSV cells: the name is neutralised, numbers and nulls pass through, formulas are still escaped", () => {
    const cells = neutraliseCells([`${RLO}vsc.exe`, 42, null, "=HYPERLINK(\"x\")"]);
    expect(cells).toEqual(["<U+202E>vsc.exe", 42, null, "=HYPERLINK(\"x\")"]);
    const csv = stringify([cells], { escape_formulas: true });
    expect(csv).not.toContain(RLO);
    expect(parse(csv)[0]).toEqual(["<U+202E>vsc.exe", "42", "", "'=HYPERLINK(\"x\")"]);
  });
});
