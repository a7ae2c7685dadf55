/**
 * Samples a running Node.js process's CPU through its inspector until Ctrl-C (or SIGTERM/SIGUSR2),
 * then writes a V8 `.cpuprofile` (read it with `scripts/bench/cpuprofile-top.ts`). For profiling the
 * portal of the demo stack while a benchmark drives it:
 *
 *   PORTAL_NODE_OPTIONS=--inspect=127.0.0.1:9339 npx tsx scripts/stack.ts      # the portal with an inspector
 *   node --inspect=127.0.0.1:9340 --import tsx scripts/stack.ts                 # or: demo CKAN + s3rver's process
 *   npx tsx scripts/bench/profile-process.ts --port 9339 --out /tmp/portal.cpuprofile   # Ctrl-C when the run ends
 *
 * Options: --port (inspector port, required), --host (127.0.0.1), --out FILE (required),
 * --interval-us (sampling interval in µs, default 500).
 */
import fs from "node:fs";
import { parseArgs } from "node:util";
import CDP from "chrome-remote-interface";

const { values } = parseArgs({ options: { port: { type: "string" }, host: { type: "string", default: "127.0.0.1" }, out: { type: "string" }, "interval-us": { type: "string", default: "500" } } });
if (!values.port || !values.out) throw new Error("usage: profile-process.ts --port INSPECTOR_PORT --out FILE.cpuprofile [--interval-us 500]");

async function main(): Promise<void> {
  const client = await CDP({ host: values.host, port: Number(values.port) });
  await client.Profiler.enable();
  await client.Profiler.setSamplingInterval({ interval: Number(values["interval-us"]) });
  await client.Profiler.start();
  console.error(`profiling ${values.host}:${values.port} — Ctrl-C to stop and write ${values.out}`);
  const stop = async () => {
    const { profile } = await client.Profiler.stop();
    fs.writeFileSync(values.out as string, JSON.stringify(profile));
    console.error(`wrote ${values.out}`);
    await client.close();
    process.exit(0);
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGUSR2"] as const) process.once(sig, () => void stop());
  setInterval(() => undefined, 60_000);
}

void main();
