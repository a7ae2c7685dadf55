/**
 * Runs once when the portal's server starts: validates the configuration so a missing or malformed
 * variable stops start-up with a message naming it (instead of failing on the first request).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { checkConfigAtStartup } = await import("./lib/startup");
    checkConfigAtStartup();
    const { startSweeperInterval } = await import("./lib/uploads/sweep");
    startSweeperInterval();
  }
}
