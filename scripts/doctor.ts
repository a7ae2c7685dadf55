/**
 * `npm run doctor [-- --apply] [-- --origin https://upload.example.org] [-- --json]`: checks the
 * portal's S3 bucket (reachable, CORS, lifecycle), its credentials (role + one-key upload), and CKAN
 * (≥ 2.10), with the portal's own configuration (the environment, as `npm start` reads it). Prints ✓
 * or ✗ per check with the exact JSON that fixes it; `--apply` applies the bucket-side fixes (CORS,
 * lifecycle). Exit status: 0 when every check passes, 1 otherwise, 2 for an invalid configuration.
 */
import { ConfigError, parseConfig } from "../lib/config";
import { formatReport, runDoctor } from "../lib/doctor/checks";

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const apply = argv.includes("--apply");
  const json = argv.includes("--json");
  const originAt = argv.indexOf("--origin");
  const origin = originAt >= 0 ? argv[originAt + 1] : undefined;
  let config;
  try {
    config = parseConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.log(`✗ configuration\n${err.message}`);
      return 2;
    }
    throw err;
  }
  const results = await runDoctor(config, { apply, origin });
  console.log(json ? JSON.stringify(results, null, 2) : formatReport(results));
  return results.some((r) => r.status === "fail") ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
