import { ConfigError, parseConfig } from "@/lib/config";
import { productionSecretIssues } from "@/lib/production-guard";

/**
 * Validates the environment at server start; on a ConfigError (a missing or malformed variable, or —
 * under NODE_ENV=production — the demo secret or demo credentials) prints the named variables and exits 1.
 */
export function checkConfigAtStartup(): void {
  try {
    parseConfig();
    const issues = productionSecretIssues();
    if (issues.length > 0) throw new ConfigError(issues.map((i) => `${i} (refusing to start with NODE_ENV=production)`));
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
