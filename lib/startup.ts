import { ConfigError, parseConfig } from "@/lib/config";

/** Validates the environment at server start; on a ConfigError prints the named variables and exits 1. */
export function checkConfigAtStartup(): void {
  try {
    parseConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
