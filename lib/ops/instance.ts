import os from "node:os";

/**
 * This portal instance's name, for audit events and logs when several instances share one database:
 * INSTANCE_ID when set (e.g. the container or pod name), else `hostname:pid`.
 */
export function instanceId(): string {
  const fromEnv = process.env.INSTANCE_ID?.trim();
  return fromEnv ? fromEnv.slice(0, 128) : `${os.hostname()}:${process.pid}`;
}
