#!/usr/bin/env node
// Writes prisma/postgresql/schema.prisma from prisma/schema.prisma (the SQLite one), so the two
// providers share one data model. Run after editing the schema: `node scripts/gen-pg-schema.mjs`.
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const src = fs.readFileSync(path.join(root, "prisma", "schema.prisma"), "utf8");
const out = src
  .replace(/^\/\/ SQLite schema.*\n(\/\/.*\n)*/m, "// GENERATED from prisma/schema.prisma by scripts/gen-pg-schema.mjs — do not edit.\n")
  .replace('provider = "sqlite"', 'provider = "postgresql"')
  .replace('output     = "../lib/generated/sqlite"', 'output     = "../../lib/generated/postgresql"');
if (out === src || !out.includes('"postgresql"')) throw new Error("gen-pg-schema: substitutions failed");
fs.mkdirSync(path.join(root, "prisma", "postgresql"), { recursive: true });
fs.writeFileSync(path.join(root, "prisma", "postgresql", "schema.prisma"), out);
console.log("wrote prisma/postgresql/schema.prisma");
