import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";

/**
 * A small per-instance cache of CKAN's authorization answers (lru-cache, at most
 * {@link MAX_ENTRIES} entries, in memory: every portal instance keeps its own).
 *
 * The one rule: an answer is used only while it is younger than the bound
 * (`CKAN_AUTHZ_MAX_AGE_SECONDS`), and its age counts from the moment the question was **sent**
 * to CKAN, not from when the answer arrived. CKAN's answer describes its state at some instant
 * between the two, so a cached grant can never outlive a withdrawal by more than the bound.
 * A bound of 0 disables the cache: every decision asks CKAN. Failures are never cached.
 */
export const MAX_ENTRIES = 5000;

interface Entry {
  value: unknown;
  /** Clock time (ms) at which the question was sent to CKAN. */
  askedAt: number;
}

const cache = new LRUCache<string, Entry>({ max: MAX_ENTRIES });

let clock: () => number = () => Date.now();

/** Replaces the clock (ms since the epoch) the cache measures ages with; null restores Date.now. Tests only. */
export function setAuthzClockForTests(fn: (() => number) | null): void {
  clock = fn ?? (() => Date.now());
}

/** Forgets every cached answer (tests; nothing in the portal needs it). */
export function clearAuthzCacheForTests(): void {
  cache.clear();
}

/** SHA-256 of a CKAN token, hex: cache keys never hold the token itself. */
export function tokenKey(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * CKAN's answer to the question `key`: the cached one while it is younger than `maxAgeSeconds`,
 * else `ask()` (whose result is cached). `fresh: true` always asks (and refreshes the entry).
 * `aliases(answer)`: other keys under which the same question could be asked (a dataset by name and
 * by id): the answer is stored under them too, with the same age.
 * @throws whatever `ask` throws (and nothing is cached then).
 */
export async function cachedAnswer<T>(key: string, maxAgeSeconds: number, ask: () => Promise<T>, opts: { fresh?: boolean; aliases?: (answer: T) => string[] } = {}): Promise<T> {
  if (maxAgeSeconds > 0 && !opts.fresh) {
    const hit = cache.get(key);
    const age = hit ? clock() - hit.askedAt : Infinity;
    if (hit && age >= 0 && age < maxAgeSeconds * 1000) return hit.value as T;
  }
  const askedAt = clock();
  const value = await ask();
  if (maxAgeSeconds > 0) {
    const entry = { value, askedAt };
    for (const k of new Set([key, ...(opts.aliases?.(value) ?? [])])) cache.set(k, entry);
  }
  return value;
}
