/**
 * package_search for the demo: a tiny stand-in for CKAN's Solr query.
 * - q: "*:*" or empty = all; otherwise every word must occur in name, title or notes
 *   (case-insensitive substring).
 * - fq: clauses `field:value` or `field:(v1 OR v2 ...)`, values bare or "quoted" (with \"
 *   escapes), joined all by OR or all by AND/whitespace/"+". Fields: id, name, owner_org,
 *   organization (org name), capacity (public|private). Anything else is a Search Query Error.
 * - sort: "<field> asc|desc" on name, title_string, metadata_modified, metadata_created;
 *   CKAN's default "score desc, metadata_modified desc" sorts by modification, newest first.
 */
import type { DemoDataset } from "./model";
import type { DemoState } from "./state";

export class SearchQueryError extends Error {}

type Clause = { field: string; values: string[] };
const FIELDS = new Set(["id", "name", "owner_org", "organization", "capacity"]);

function tokenize(fq: string): string[] {
  const tokens: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|[()]|[+]|[^\s()"+]+)/gy;
  let match: RegExpExecArray | null;
  let index = 0;
  while (index < fq.length && (match = re.exec(fq)) !== null) {
    tokens.push(match[1] ?? "");
    index = re.lastIndex;
  }
  if (fq.slice(index).trim()) throw new SearchQueryError(`cannot parse fq at: ${fq.slice(index)}`);
  return tokens;
}

function unquote(token: string): string {
  return token.startsWith('"') ? token.slice(1, -1).replace(/\\(.)/g, "$1") : token;
}

/** Parse a filter query into clauses and a joiner. */
export function parseFilter(fq: string): { join: "OR" | "AND"; clauses: Clause[] } {
  const tokens = tokenize(fq);
  const clauses: Clause[] = [];
  const joins = new Set<string>();
  let i = 0;
  while (i < tokens.length) {
    let token = tokens[i++] ?? "";
    if (token === "+") token = tokens[i++] ?? "";
    const colon = token.indexOf(":");
    if (colon <= 0) throw new SearchQueryError(`expected field:value, got ${token}`);
    const field = token.slice(0, colon);
    if (!FIELDS.has(field)) throw new SearchQueryError(`unsupported field ${field}`);
    let rest = token.slice(colon + 1);
    if (!rest) rest = tokens[i++] ?? "";
    const values: string[] = [];
    if (rest === "(") {
      while (i < tokens.length && tokens[i] !== ")") {
        const value = tokens[i++] ?? "";
        if (value !== "OR") values.push(unquote(value));
      }
      if (tokens[i++] !== ")") throw new SearchQueryError("unbalanced parentheses");
    } else values.push(unquote(rest));
    clauses.push({ field, values });
    const next = tokens[i];
    if (next === "OR" || next === "AND") {
      joins.add(next);
      i++;
    } else if (next !== undefined) joins.add("AND");
  }
  if (joins.size > 1) throw new SearchQueryError("mixing AND and OR is not supported by the demo");
  return { join: joins.has("OR") ? "OR" : "AND", clauses };
}

function fieldValue(state: DemoState, dataset: DemoDataset, field: string): string {
  switch (field) {
    case "id": return dataset.id;
    case "name": return dataset.name;
    case "owner_org": return dataset.ownerOrg ?? "";
    case "organization": return dataset.ownerOrg ? state.organizations.get(dataset.ownerOrg)?.name ?? "" : "";
    default: return dataset.private ? "private" : "public";
  }
}

export function matchesFilter(state: DemoState, dataset: DemoDataset, fq: string | undefined): boolean {
  if (!fq?.trim()) return true;
  const { join, clauses } = parseFilter(fq);
  const test = (c: Clause) => c.values.includes(fieldValue(state, dataset, c.field));
  return join === "OR" ? clauses.some(test) : clauses.every(test);
}

export function matchesText(dataset: DemoDataset, q: string | undefined): boolean {
  const text = (q ?? "").trim();
  if (!text || text === "*:*") return true;
  const haystack = `${dataset.name} ${dataset.title} ${dataset.notes ?? ""}`.toLowerCase();
  return text.toLowerCase().replace(/"/g, " ").split(/\s+/).filter(Boolean).every((w) => haystack.includes(w));
}

export function sortDatasets(datasets: DemoDataset[], sort: string | undefined): DemoDataset[] {
  const [rawField, rawDir] = (sort ?? "").split(",")[0]?.trim().split(/\s+/) ?? [];
  const key = (d: DemoDataset): string => {
    switch (rawField) {
      case "name": return d.name;
      case "title_string": return d.title.toLowerCase();
      case "metadata_created": return d.metadataCreated;
      default: return d.metadataModified;
    }
  };
  const usesDefault = !rawField || rawField === "score";
  const dir = usesDefault ? -1 : rawDir === "desc" ? -1 : 1;
  return [...datasets].sort((a, b) => (key(a) < key(b) ? -dir : key(a) > key(b) ? dir : 0));
}
