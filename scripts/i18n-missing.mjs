#!/usr/bin/env node
// Lists the message keys of messages/en.json that another locale lacks (and keys it has that en.json
// does not), per locale: `node scripts/i18n-missing.mjs [de es ar]`. Exit status 1 when any differ.
// The lead uses it to translate the keys other engineers added to en.json (docs/i18n.md).
import fs from "node:fs";
import path from "node:path";

const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../messages");
const flatten = (tree, prefix = "") =>
  Object.entries(tree).flatMap(([k, v]) => (v && typeof v === "object" ? flatten(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v]]));
const load = (locale) => new Map(flatten(JSON.parse(fs.readFileSync(path.join(dir, `${locale}.json`), "utf8"))));

const en = load("en");
const locales = process.argv.slice(2).length ? process.argv.slice(2) : fs.readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "en.json").map((f) => f.slice(0, -5));
let differ = false;
for (const locale of locales.sort()) {
  const keys = load(locale);
  const missing = [...en.keys()].filter((k) => !keys.has(k));
  const extra = [...keys.keys()].filter((k) => !en.has(k));
  if (missing.length + extra.length === 0) {
    console.log(`${locale}: complete`);
    continue;
  }
  differ = true;
  console.log(`${locale}: ${missing.length} missing, ${extra.length} not in en.json`);
  for (const k of missing) console.log(`  - ${k}  (en: ${JSON.stringify(en.get(k))})`);
  for (const k of extra) console.log(`  + ${k}`);
}
process.exit(differ ? 1 : 0);
