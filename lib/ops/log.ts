import pino, { type Logger } from "pino";
import { instanceId } from "./instance";

/**
 * Paths pino replaces with "[redacted]" wherever they appear in a log object: the CKAN token, STS and
 * S3 secrets, session cookies and authorization headers never reach a log line.
 */
export const REDACT_PATHS = [
  "token",
  "*.token",
  "apiToken",
  "*.apiToken",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  "*.headers.cookie",
  "*.headers[\"x-ckan-api-key\"]",
  "cookie",
  "*.cookie",
  "secretAccessKey",
  "*.secretAccessKey",
  "sessionToken",
  "*.sessionToken",
  "credentials",
  "*.credentials",
];

const globalForLog = globalThis as unknown as { portalLogger?: Logger };

/**
 * The process-wide structured logger (pino): one JSON object per line on stdout, with `instance`
 * (lib/ops/instance.ts) on every line. Level from LOG_LEVEL (trace, debug, info, warn, error, fatal,
 * silent; default info).
 */
export function getLogger(): Logger {
  globalForLog.portalLogger ??= pino({
    level: process.env.LOG_LEVEL || "info",
    base: { instance: instanceId() },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    formatters: { level: (label) => ({ level: label }) },
  });
  return globalForLog.portalLogger;
}

/**
 * Logs one upload state change (`event` as in the audit trail, e.g. `session.completed`) with the
 * session id and the request id that caused it. Never pass secrets in `fields`.
 */
export function logUploadEvent(event: string, fields: { sessionId?: string | null; requestId?: string | null } & Record<string, unknown>): void {
  getLogger().info({ msg: "upload", event, ...fields });
}
