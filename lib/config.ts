import ipaddr from "ipaddr.js";
import { z } from "zod";
import { LOCALES } from "@/lib/i18n/locales";

/** S3 limits (AWS S3 User Guide, "Amazon S3 multipart upload limits"). */
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
export const S3_MAX_OBJECT_BYTES = 10_000 * 5 * GiB;

/**
 * AssumeRole `DurationSeconds` bounds (AWS STS API Reference, AssumeRole): at least 900 s, at most the
 * role's maximum session duration, which is 3,600 s by default and can be raised to 43,200 s (12 h).
 */
export const STS_MIN_DURATION_SECONDS = 900;
export const STS_MAX_DURATION_SECONDS = 43_200;

/** Demo secrets: accepted only outside NODE_ENV=production (see issue "Security hardening"). */
export const DEMO_NEXTAUTH_SECRET = "demo-only-secret-change-me-0123456789abcdef";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const url = z.string().url();
const durationMessage = `must be between ${STS_MIN_DURATION_SECONDS} and ${STS_MAX_DURATION_SECONDS.toLocaleString("en")} seconds (AWS STS AssumeRole DurationSeconds; above 3,600 the role's maximum session duration must allow it — npm run doctor checks)`;

/** True for "10.0.0.0/8", "::1/128" or a bare address ("127.0.0.1"). */
function isCidrOrAddress(s: string): boolean {
  try {
    if (s.includes("/")) ipaddr.parseCIDR(s);
    else ipaddr.parse(s);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every environment variable the portal reads, with its default. README's configuration table
 * mirrors this schema. Units: bytes for *_BYTES, seconds for *_SECONDS.
 */
export const configSchema = z
  .object({
    CKAN_URL: url.transform((u) => u.replace(/\/+$/, "")),
    CKAN_API_TOKEN_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/).default("Authorization"),
    S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be a valid S3 bucket name"),
    S3_REGION: z.string().min(1).default("us-east-1"),
    S3_ENDPOINT: url.optional(),
    S3_BROWSER_ENDPOINT: url.optional(),
    STS_ENDPOINT: url.optional(),
    S3_FORCE_PATH_STYLE: bool.default(false),
    S3_KEY_PREFIX: z
      .string()
      .regex(/^([A-Za-z0-9._-]+\/)*$/, "must be empty or path segments ending with '/' (e.g. uploads/)")
      .default("uploads/"),
    S3_PUBLIC_BASE_URL: url.transform((u) => u.replace(/\/+$/, "")).optional(),
    S3_ROLE_ARN: z.string().regex(/^arn:aws:iam::\d*:role\/.+$/, "must be an IAM role ARN").optional(),
    /**
     * Lifetime of each upload credential. Default 900 s, AWS's minimum: the shortest window in which a
     * user whose CKAN rights were withdrawn can still write their one object (issue 9); browsers refresh
     * STS_REFRESH_MARGIN_SECONDS before expiry. Above 3,600 s the role's maximum session duration must be raised.
     */
    STS_DURATION_SECONDS: z.coerce
      .number()
      .int("must be a whole number of seconds")
      .min(STS_MIN_DURATION_SECONDS, durationMessage)
      .max(STS_MAX_DURATION_SECONDS, durationMessage)
      .default(STS_MIN_DURATION_SECONDS),
    CREDENTIALS_MODE: z.enum(["sts", "presigned"]).default("sts"),
    PRESIGN_EXPIRES_SECONDS: int(60, 7 * 24 * 3600).default(900),
    MAX_UPLOAD_BYTES: int(0, S3_MAX_OBJECT_BYTES).default(S3_MAX_OBJECT_BYTES),
    PART_SIZE_BYTES: int(5 * MiB, 5 * GiB).default(5 * MiB),
    PART_CONCURRENCY: int(1, 64).default(4),
    /** `adaptive`: browsers tune parts in flight (up to 16) and, for large files, the part size to the link (issue 11); `fixed`: PART_SIZE_BYTES × PART_CONCURRENCY exactly. */
    PART_TUNING: z.enum(["adaptive", "fixed"]).default("adaptive"),
    STS_REFRESH_MARGIN_SECONDS: int(0, 43_200).default(300),
    STALE_UPLOAD_HOURS: z.coerce.number().positive().max(24 * 365).default(72),
    SWEEP_INTERVAL_MINUTES: z.coerce.number().min(0).max(7 * 24 * 60).default(0),
    DATABASE_URL: z.string().min(1).default("file:./data/portal.db"),
    NEXTAUTH_URL: url.optional(),
    NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters (use `openssl rand -base64 32`)"),
    PORTAL_ADMINS: z
      .string()
      .default("")
      .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean)),
    // ---- security hardening and downloads (issue 5) ----
    /** `direct`: public datasets link the object URL; `redirect`: every resource links /download/… (private datasets always do). */
    DOWNLOAD_MODE: z.enum(["direct", "redirect"]).default("direct"),
    DOWNLOAD_URL_SECONDS: int(1, 7 * 24 * 3600).default(300),
    /** Per user and per portal instance (in memory): upload sessions started per minute. */
    RATE_LIMIT_UPLOADS_PER_MINUTE: int(1, 100_000).default(1_200),
    /** Per user, all instances (counted in the database): uploads under way at once; 0 = no limit. 429 + Retry-After beyond it. */
    MAX_ACTIVE_UPLOADS_PER_USER: int(0, 100_000).default(32),
    /** A CREATED/UPLOADING/COMPLETING session not updated for this long no longer counts as under way. */
    ACTIVE_UPLOAD_IDLE_MINUTES: int(1, 24 * 60).default(10),
    /** Per user and per portal instance (in memory): credential refreshes plus sign calls per minute. */
    RATE_LIMIT_SIGN_PER_MINUTE: int(1, 1_000_000).default(3_000),
    /** Per user (shared through PostgreSQL, else per process): `PATCH /api/uploads/{id}/resource` calls per minute (each may be a CKAN resource_patch). */
    RATE_LIMIT_DESCRIBE_PER_MINUTE: int(1, 100_000).default(600),
    /** Set by `npm run demo` (scripts/stack.ts): allows the demo secret and demo credentials under NODE_ENV=production. */
    PORTAL_DEMO: bool.default(false),
    /** Client IP kept in the audit trail: `full`, `truncated` (IPv4 /24, IPv6 /48) or `off`. */
    AUDIT_STORE_IP: z.enum(["full", "truncated", "off"]).default("truncated"),
    // ---- CKAN decides for the whole life of an upload (issue 9) ----
    /** Oldest CKAN authorization answer (sysadmin flag, dataset editability and state) a decision may use, seconds; 0 = ask CKAN every time. */
    CKAN_AUTHZ_MAX_AGE_SECONDS: int(0, 3600).default(60),
    /** The first completed upload to a `draft` dataset makes it `active` (CKAN package_patch as the user), as CKAN's own "Finish" step does. */
    ACTIVATE_DRAFT_DATASETS: bool.default(true),
    /** Replacing a resource's file (issue 12): `keep` the earlier object (audit trail, old download links) or `delete` it once the resource points to the new one. */
    REPLACED_OBJECTS: z.enum(["keep", "delete"]).default("keep"),
    /** UI language when the user chose none (NEXT_LOCALE cookie) and Accept-Language matches none of LOCALES (docs/i18n.md). */
    DEFAULT_LOCALE: z.enum(LOCALES).default("en"),
    // ---- running as a service (issue 14; docs/operations.md) ----
    /** Comma-separated CIDRs (or addresses) of reverse proxies whose X-Forwarded-For is believed; empty = none. */
    TRUSTED_PROXIES: z
      .string()
      .default("")
      .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
      .refine((list) => list.every(isCidrOrAddress), "must be a comma-separated list of CIDRs or IP addresses (e.g. 127.0.0.1/32,10.0.0.0/8)"),
    /** Bearer token that unlocks GET /metrics (Prometheus); unset = /metrics answers 404. */
    METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    /** pino log level. */
    LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
    // ---- sign-in that outlives a fixed lifetime (issue 10) ----
    /** Idle timeout, minutes: a session not renewed (no activity, no running upload) for this long ends. Decimals allowed (tests). */
    SESSION_IDLE_MINUTES: z.coerce.number().min(0.1).max(7 * 24 * 60).default(480),
    /** Absolute cap, hours since sign-in: no renewal extends a session past it. */
    SESSION_MAX_AGE_HOURS: z.coerce.number().min(0.01).max(365 * 24).default(168),
    /** While a session is renewed, its CKAN API token is checked again (`user_show`) at most this often, minutes. */
    SESSION_CKAN_CHECK_MINUTES: z.coerce.number().min(0).max(24 * 60).default(10),
  })
  .superRefine((c, ctx) => {
    if (c.CREDENTIALS_MODE === "sts" && !c.S3_ROLE_ARN) {
      ctx.addIssue({ code: "custom", path: ["S3_ROLE_ARN"], message: "is required when CREDENTIALS_MODE=sts" });
    }
    // A margin as long as the credential would make every credential "due for refresh" on arrival.
    const durationValid = c.STS_DURATION_SECONDS >= STS_MIN_DURATION_SECONDS && c.STS_DURATION_SECONDS <= STS_MAX_DURATION_SECONDS;
    if (c.CREDENTIALS_MODE === "sts" && durationValid && c.STS_REFRESH_MARGIN_SECONDS >= c.STS_DURATION_SECONDS) {
      ctx.addIssue({
        code: "custom",
        path: ["STS_REFRESH_MARGIN_SECONDS"],
        message: `must be less than STS_DURATION_SECONDS (${c.STS_DURATION_SECONDS}): browsers refresh credentials this many seconds before they expire`,
      });
    }
  });

export type Config = z.infer<typeof configSchema>;

/** Thrown when the environment is invalid; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(public readonly issues: string[]) {
    super(`Invalid portal configuration:\n  - ${issues.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

/**
 * Parses and validates the configuration from `env` (default `process.env`).
 * @throws ConfigError naming each missing or malformed variable.
 */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => {
        const name = String(i.path[0] ?? "config");
        const missing = i.code === "invalid_type" && cleaned[name] === undefined;
        return missing ? `${name}: is required` : `${name}: ${i.message}`;
      }),
    );
  }
  return result.data;
}

let cached: Config | undefined;

/** The validated configuration of this process (parsed once). @throws ConfigError */
export function getConfig(): Config {
  cached ??= parseConfig();
  return cached;
}

/** Test hook: forget the cached configuration. */
export function resetConfigForTests(): void {
  cached = undefined;
}
