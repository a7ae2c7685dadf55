/**
 * Start the demo CKAN from a shell:
 *   npx tsx scripts/ckan-demo/cli.ts [--port 5000] [--host 127.0.0.1]
 * Prints the site URL and the API token of each seeded user; Ctrl-C stops it.
 */
import { parseArgs } from "node:util";
import { DEMO_TOKENS } from "./seed";
import { startDemoCkan } from "./server";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "5000" },
      host: { type: "string", default: "127.0.0.1" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log("Usage: tsx scripts/ckan-demo/cli.ts [--port 5000] [--host 127.0.0.1]");
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, got ${values.port}`);

  const ckan = await startDemoCkan({ port, host: values.host });
  console.log(`Demo CKAN 2.10.10 listening on ${ckan.url}`);
  console.log(`  action API: ${ckan.url}/api/3/action/status_show`);
  console.log("  API tokens (send raw in the Authorization header):");
  for (const [user, token] of Object.entries(DEMO_TOKENS)) console.log(`    ${user.padEnd(14)} ${token}`);

  const stop = () => {
    ckan.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
