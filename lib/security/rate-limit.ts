import "server-only";
import { Pool } from "pg";
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { ApiError } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";
import { isPostgresUrl } from "@/lib/db";

/** What is limited: starting upload sessions; credential refreshes and sign calls together; resource descriptions (PATCH …/resource). */
export type RateLimitBucket = "uploads" | "sign" | "describe";

/** The setting that sizes each bucket (calls per user per minute). */
const POINTS = { uploads: "RATE_LIMIT_UPLOADS_PER_MINUTE", sign: "RATE_LIMIT_SIGN_PER_MINUTE", describe: "RATE_LIMIT_DESCRIBE_PER_MINUTE" } as const;

/** What the 429 message calls each bucket's calls. */
const WHAT = { uploads: "upload starts", sign: "credential and signing requests", describe: "resource description changes" } as const;

/** The PostgreSQL table holding shared counters (model RateLimit, created by a Prisma migration). */
export const RATE_LIMIT_TABLE = "rate_limit";

const globalForLimits = globalThis as unknown as { portalRateLimiters?: Map<RateLimitBucket, RateLimiterAbstract>; portalRateLimitPool?: Pool };

/**
 * The limiter for `bucket`: on PostgreSQL (DATABASE_URL `postgresql://…`) rate-limiter-flexible's
 * RateLimiterPostgres on the `rate_limit` table through a small pg pool, so every portal instance
 * counts against the same numbers; on SQLite (one process) RateLimiterMemory in this process.
 */
function limiter(bucket: RateLimitBucket): RateLimiterAbstract {
  const map = (globalForLimits.portalRateLimiters ??= new Map());
  let l = map.get(bucket);
  if (!l) {
    const c = getConfig();
    const points = c[POINTS[bucket]];
    if (isPostgresUrl(c.DATABASE_URL)) {
      globalForLimits.portalRateLimitPool ??= new Pool({ connectionString: c.DATABASE_URL, max: 4 });
      // tableCreated: the table comes from the migrations; clearExpiredByTimeout deletes old rows hourly.
      l = new RateLimiterPostgres({ storeClient: globalForLimits.portalRateLimitPool, storeType: "pool", tableName: RATE_LIMIT_TABLE, tableCreated: true, keyPrefix: bucket, points, duration: 60 });
    } else {
      l = new RateLimiterMemory({ keyPrefix: bucket, points, duration: 60 });
    }
    map.set(bucket, l);
  }
  return l;
}

/**
 * Counts one call of `userId` against `bucket` (RATE_LIMIT_UPLOADS_PER_MINUTE, RATE_LIMIT_SIGN_PER_MINUTE
 * or RATE_LIMIT_DESCRIBE_PER_MINUTE per 60 s window). On PostgreSQL the counters are shared by all portal
 * instances; on SQLite they live in this process's memory.
 * @throws ApiError 429 `rate_limited` with a Retry-After header in whole seconds.
 */
export async function consumeRateLimit(bucket: RateLimitBucket, userId: string): Promise<void> {
  try {
    await limiter(bucket).consume(userId);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
    const what = WHAT[bucket];
    const e = new ApiError("rate_limited", `Too many ${what}: try again in ${seconds} s.`);
    e.headers = { "retry-after": String(seconds) };
    throw e;
  }
}

/** Test hook: forget every counter (and the configured limits) and the pg pool. Rows in PostgreSQL are kept. */
export function resetRateLimitsForTests(): void {
  globalForLimits.portalRateLimiters = undefined;
  void globalForLimits.portalRateLimitPool?.end().catch(() => undefined);
  globalForLimits.portalRateLimitPool = undefined;
}
