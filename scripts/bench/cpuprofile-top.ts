/**
 * Summarises a V8 `.cpuprofile` (from `bench:api --cpu-prof DIR`, or `node --cpu-prof`): the functions
 * with the most self time, the most inclusive ("total") time, and self time by module (the package under
 * node_modules, or the file for the app's own bundles), each in ms and % of the sampled CPU (idle and
 * GC shown apart).
 *
 *   npx tsx scripts/bench/cpuprofile-top.ts FILE.cpuprofile [--top 30] [--filter SUBSTRING]
 *
 * `--filter`: the total-time table lists only functions whose name or location contains SUBSTRING.
 */
import fs from "node:fs";
import { parseArgs } from "node:util";

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface Profile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: "string", default: "30" }, filter: { type: "string" } } });
if (positionals.length !== 1) throw new Error("usage: cpuprofile-top.ts FILE.cpuprofile [--top N] [--filter S]");
const profile = JSON.parse(fs.readFileSync(positionals[0], "utf8")) as Profile;
const top = Number(values.top);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node: each sample's delta belongs to the node sampled (V8: timeDeltas[i] precedes samples[i]).
const selfUs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + Math.max(0, dt));
}

const shortUrl = (url: string) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (m) return `${m[1]}/${m[2]}`;
  return url.replace(/^file:\/\//, "").replace(/^.*\.next\/standalone\//, "").replace(/^.*\.next\//, ".next/");
};
const moduleOf = (url: string) => {
  if (!url) return "(native/V8)";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (m) return m[1];
  if (url.startsWith("node:")) return "node: (core)";
  return shortUrl(url);
};
const key = (f: CallFrame) => `${f.functionName || "(anonymous)"}  ${shortUrl(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
const special = new Set(["(idle)", "(program)", "(garbage collector)", "(root)"]);

let totalUs = 0;
let idleUs = 0;
const specialUs = new Map<string, number>();
const selfByKey = new Map<string, number>();
const selfByModule = new Map<string, number>();
for (const [id, us] of selfUs) {
  const f = byId.get(id)!.callFrame;
  totalUs += us;
  if (f.functionName === "(idle)") idleUs += us;
  if (special.has(f.functionName)) {
    specialUs.set(f.functionName, (specialUs.get(f.functionName) ?? 0) + us);
    continue;
  }
  selfByKey.set(key(f), (selfByKey.get(key(f)) ?? 0) + us);
  selfByModule.set(moduleOf(f.url), (selfByModule.get(moduleOf(f.url)) ?? 0) + us);
}
const busyUs = totalUs - idleUs;

// Inclusive time: each sample counts once for every distinct function key on its stack.
const totalByKey = new Map<string, number>();
for (const [id, us] of selfUs) {
  const seen = new Set<string>();
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const f = byId.get(n)!.callFrame;
    if (special.has(f.functionName)) continue;
    const k = key(f);
    if (seen.has(k)) continue;
    seen.add(k);
    totalByKey.set(k, (totalByKey.get(k) ?? 0) + us);
  }
}

const ms = (us: number) => (us / 1000).toFixed(1).padStart(8);
const pct = (us: number) => `${((100 * us) / busyUs).toFixed(1).padStart(5)}%`;
const print = (title: string, m: Map<string, number>, filter?: string) => {
  console.log(`\n${title}`);
  [...m].filter(([k]) => !filter || k.includes(filter)).sort((a, b) => b[1] - a[1]).slice(0, top).forEach(([k, us]) => console.log(`${ms(us)} ms ${pct(us)}  ${k}`));
};

console.log(`${positionals[0]}: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s wall, ${(busyUs / 1000).toFixed(0)} ms sampled busy (not idle), ${profile.samples.length} samples`);
console.log([...specialUs].map(([k, us]) => `${k} ${(us / 1000).toFixed(0)} ms`).join(", "));
print("self time by module (% of busy)", selfByModule);
print("self time by function", selfByKey);
print("total (inclusive) time by function", totalByKey, values.filter);
