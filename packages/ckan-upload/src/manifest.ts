/**
 * `put --manifest FILE`: the files to upload and their CKAN resource fields, as CSV or JSON.
 * - CSV (csv-parse; RFC 4180 quoting, UTF-8, optional BOM): a header row naming the columns `path`
 *   (required), `name`, `description`, `format`, in any order; one file per row.
 * - JSON: a list of objects `{path, name?, description?, format?}`.
 * Which one is decided by the file's extension (`.csv` is CSV, anything else JSON). Paths are relative
 * to the manifest's folder. An empty `name` means the file name; an empty `description` or `format`
 * is not sent (the portal's default: no description, the format guessed from the file).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { CliError, EXIT } from "./exit-codes";
import type { PutItem } from "./put";

const COLUMNS = ["path", "name", "description", "format"] as const;

/** Reads and checks a manifest. @throws CliError (exit 2) naming the file and the entry at fault. */
export async function readManifest(file: string): Promise<PutItem[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new CliError(`Cannot read the manifest ${file}: ${(err as Error).message}`, EXIT.usage);
  }
  const rows = /\.csv$/i.test(file) ? parseCsv(file, text) : parseJson(file, text);
  const base = path.dirname(file);
  return rows.map((row, i) => {
    const where = `Manifest ${file}, entry ${i + 1}`;
    if (typeof row.path !== "string" || !row.path.trim()) throw new CliError(`${where} has no "path".`, EXIT.usage);
    for (const key of ["name", "description", "format"] as const) {
      if (row[key] !== undefined && row[key] !== null && typeof row[key] !== "string") throw new CliError(`${where}: "${key}" must be text.`, EXIT.usage);
    }
    const p = path.resolve(base, row.path);
    const text = (v: unknown) => (typeof v === "string" && v.trim() ? v : undefined);
    return {
      path: p,
      name: text(row.name)?.trim() ?? path.basename(p),
      ...(text(row.description) !== undefined && { description: text(row.description) }),
      ...(text(row.format) !== undefined && { format: text(row.format)!.trim() }),
    };
  });
}

function parseCsv(file: string, text: string): Array<Record<string, unknown>> {
  let rows: Array<Record<string, string>>;
  try {
    rows = parse(text, { columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), bom: true, skip_empty_lines: true, trim: false });
  } catch (err) {
    throw new CliError(`The manifest ${file} is not valid CSV: ${(err as Error).message}`, EXIT.usage);
  }
  const header = rows.length ? Object.keys(rows[0]!) : [];
  const unknown = header.filter((h) => !(COLUMNS as readonly string[]).includes(h));
  if (unknown.length) throw new CliError(`The manifest ${file} has unknown column(s) ${unknown.join(", ")}: use ${COLUMNS.join(", ")}.`, EXIT.usage);
  return rows;
}

function parseJson(file: string, text: string): Array<Record<string, unknown>> {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch (err) {
    throw new CliError(`Cannot read the manifest ${file}: ${(err as Error).message}`, EXIT.usage);
  }
  if (!Array.isArray(list) || !list.every((e) => e && typeof e === "object")) throw new CliError("The manifest must be a JSON list of {path, name, description, format}.", EXIT.usage);
  return list as Array<Record<string, unknown>>;
}

/** The per-file flags of `put`. */
export interface PerFileFlags {
  name: string[];
  description: string[];
  format: string[];
  replace?: string;
  replaceExternal?: boolean;
}

/**
 * Applies `--name`, `--description`, `--format` (the n-th value to the n-th file, in command-line
 * order after the manifest's files; more values than files is a usage error) and `--replace` (one file only).
 * @throws CliError exit 2.
 */
export function applyPerFileFlags(items: PutItem[], opts: PerFileFlags): void {
  for (const flag of ["name", "description", "format"] as const) {
    const values = opts[flag];
    if (values.length > items.length) throw new CliError(`${values.length} --${flag} values for ${items.length} file(s): give at most one per file, in the order of the files.`, EXIT.usage);
    values.forEach((v, i) => (items[i] = { ...items[i]!, [flag]: v }));
  }
  if (opts.replaceExternal && !opts.replace) throw new CliError("--replace-external needs --replace RESOURCE_ID.", EXIT.usage);
  if (opts.replace) {
    if (items.length !== 1) throw new CliError(`--replace takes exactly one file (got ${items.length}): one file replaces one resource.`, EXIT.usage);
    items[0] = { ...items[0]!, replaceResourceId: opts.replace, ...(opts.replaceExternal && { replaceExternal: true }) };
  }
}
