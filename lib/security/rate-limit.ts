import "server-only";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { ApiError } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";

/** What is limited: starting upload sessions, or credential refreshes and sign calls together. */
export type RateLimitBucket = "uploads" | "sign";

const globalForLimits = globalThis as unknown as { portalRateLimiters?: Map<RateLimitBucket, RateLimiterMemory> };

function limiter(bucket: RateLimitBucket): RateLimiterMemory {
  const map = (globalForLimits.portalRateLimiters ??= new Map());
  let l = map.get(bucket);
  if (!l) {
    const c = getConfig();
    const points = bucket === "uploads" ? c.RATE_LIMIT_UPLOADS_PER_MINUTE : c.RATE_LIMIT_SIGN_PER_MINUTE;
    l = new RateLimiterMemory({ keyPrefix: bucket, points, duration: 60 });
    map.set(bucket, l);
  }
  return l;
}

/**
 * Counts one call of `userId` against `bucket` (RATE_LIMIT_UPLOADS_PER_MINUTE or
 * RATE_LIMIT_SIGN_PER_MINUTE per 60 s window). The counters live in this process's memory
 * (rate-limiter-flexible's RateLimiterMemory): the limit is per portal instance.
 * @throws ApiError 429 `rate_limited` with a Retry-After header in whole seconds.
 */
export async function consumeRateLimit(bucket: RateLimitBucket, userId: string): Promise<void> {
  try {
    await limiter(bucket).consume(userId);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
    const what = bucket === "uploads" ? "upload starts" : "credential and signing requests";
    const e = new ApiError("rate_limited", `Too many ${what}: try again in ${seconds} s.`);
    e.headers = { "retry-after": String(seconds) };
    throw e;
  }
}

/** Test hook: forget every counter (and the configured limits). */
export function resetRateLimitsForTests(): void {
  globalForLimits.portalRateLimiters = undefined;
}
