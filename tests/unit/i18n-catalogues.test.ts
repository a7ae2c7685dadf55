/**
 * The message catalogues (messages/*.json, issue 12): every locale has exactly the keys of en.json, every
 * message is valid ICU MessageFormat (parsed as next-intl parses it), and a locale's plural messages name
 * the plural categories its language needs (CLDR, via Intl.PluralRules).
 */
import fs from "node:fs";
import path from "node:path";
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { describe, expect, it } from "vitest";
import { LOCALES } from "@/lib/i18n/locales";

const dir = path.resolve(__dirname, "../../messages");
type Tree = { [key: string]: string | Tree };

function load(locale: string): Tree {
  return JSON.parse(fs.readFileSync(path.join(dir, `${locale}.json`), "utf8")) as Tree;
}

/** Dotted key → message, e.g. `home.count`. A non-string, non-object leaf is reported by the caller. */
function flatten(tree: Tree, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v)) for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
    else out.set(key, v);
  }
  return out;
}

/** Every plural element of a parsed message, with its categories. */
function pluralOptions(elements: MessageFormatElement[]): string[][] {
  const found: string[][] = [];
  for (const el of elements) {
    if (el.type === TYPE.plural) found.push(Object.keys(el.options));
    if (el.type === TYPE.plural || el.type === TYPE.select) for (const o of Object.values(el.options)) found.push(...pluralOptions(o.value));
    if (el.type === TYPE.tag) found.push(...pluralOptions(el.children));
  }
  return found;
}

const en = flatten(load("en"));

describe("message catalogues", () => {
  it("the locale list and the messages folder agree", () => {
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, "")).sort()).toEqual([...LOCALES].sort());
  });

  it.each(LOCALES.filter((l) => l !== "en"))("%s has exactly the keys of en.json", (locale) => {
    const keys = flatten(load(locale));
    expect({ missing: [...en.keys()].filter((k) => !keys.has(k)), extra: [...keys.keys()].filter((k) => !en.has(k)) }).toEqual({ missing: [], extra: [] });
  });

  it.each(LOCALES)("every %s message is a non-empty string of valid ICU MessageFormat", (locale) => {
    const bad: string[] = [];
    for (const [key, msg] of flatten(load(locale))) {
      if (typeof msg !== "string" || msg.trim() === "") {
        bad.push(`${key}: not a non-empty string`);
        continue;
      }
      try {
        parse(msg);
      } catch (err) {
        bad.push(`${key}: ${(err as Error).message}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it.each(LOCALES)("%s plural messages cover the language's plural categories", (locale) => {
    const needed = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
    const bad: string[] = [];
    for (const [key, msg] of flatten(load(locale))) {
      if (typeof msg !== "string") continue;
      let elements: MessageFormatElement[];
      try {
        elements = parse(msg);
      } catch {
        continue; // reported by the previous test
      }
      for (const options of pluralOptions(elements)) {
        const missing = needed.filter((c) => !options.includes(c));
        if (missing.length > 0) bad.push(`${key}: missing ${missing.join(", ")}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
