/**
 * The authorization answer cache (lib/authz/answer-cache.ts): an answer is used only while younger
 * than the bound, measured from when the question was sent; a bound of 0 always asks; failures are
 * never cached. The clock is injected: no waiting.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cachedAnswer, clearAuthzCacheForTests, setAuthzClockForTests, tokenKey } from "@/lib/authz/answer-cache";

let now = 1_000_000;
beforeEach(() => {
  clearAuthzCacheForTests();
  setAuthzClockForTests(() => now);
});
afterEach(() => setAuthzClockForTests(null));

describe("cachedAnswer", () => {
  it("uses an answer younger than the bound and asks again at the bound", async () => {
    let asked = 0;
    const ask = async () => ++asked;
    expect(await cachedAnswer("k", 60, ask)).toBe(1);
    now += 59_999;
    expect(await cachedAnswer("k", 60, ask)).toBe(1);
    now += 1;
    expect(await cachedAnswer("k", 60, ask)).toBe(2);
  });

  it("counts an answer's age from when the question was sent, not when the answer arrived", async () => {
    const slow = async () => {
      now += 30_000; // CKAN took 30 s to answer
      return "granted";
    };
    const start = now;
    await cachedAnswer("slow", 60, slow);
    now = start + 60_000;
    let asked = false;
    await cachedAnswer("slow", 60, async () => ((asked = true), "withdrawn"));
    expect(asked).toBe(true);
  });

  it("with a bound of 0 always asks; fresh: true always asks; failures are not cached", async () => {
    let asked = 0;
    const ask = async () => ++asked;
    await cachedAnswer("z", 0, ask);
    await cachedAnswer("z", 0, ask);
    expect(asked).toBe(2);
    await cachedAnswer("f", 60, ask);
    await cachedAnswer("f", 60, ask, { fresh: true });
    expect(asked).toBe(4);
    await expect(cachedAnswer("e", 60, async () => Promise.reject(new Error("CKAN down")))).rejects.toThrow("CKAN down");
    expect(await cachedAnswer("e", 60, async () => "ok")).toBe("ok");
  });

  it("an answer from the future (a clock set back) is not used", async () => {
    let asked = 0;
    await cachedAnswer("b", 60, async () => ++asked);
    now -= 1;
    await cachedAnswer("b", 60, async () => ++asked);
    expect(asked).toBe(2);
  });

  it("keys never hold the token", () => {
    expect(tokenKey("secret-token")).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenKey("secret-token")).not.toContain("secret");
  });
});
