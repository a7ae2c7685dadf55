/**
 * lib/format.ts builds each Intl formatter once per locale and options (issue 12, small files): the upload
 * page formats sizes on every progress event, and a new Intl.NumberFormat per call cost the page ~3 s of
 * main thread for 100 files of 64 KiB. The output is the same as before (tests/unit/i18n*.test.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import { formatBytes, formatDateTime, formatDuration, formatSpeed } from "@/lib/format";
import { formattersFor } from "@/lib/i18n/format";

const RealNumberFormat = Intl.NumberFormat;
const RealDateTimeFormat = Intl.DateTimeFormat;
afterEach(() => {
  Intl.NumberFormat = RealNumberFormat;
  Intl.DateTimeFormat = RealDateTimeFormat;
});

/** Replaces `Intl[name]` with a subclass that counts constructions. */
function countBuilds(name: "NumberFormat" | "DateTimeFormat"): { count: number } {
  const built = { count: 0 };
  const Real = Intl[name] as unknown as new (...args: unknown[]) => object;
  class Counting extends Real {
    constructor(...args: unknown[]) {
      super(...args);
      built.count++;
    }
  }
  (Intl as unknown as Record<string, unknown>)[name] = Counting;
  return built;
}

describe("Intl formatters", () => {
  it("are built once per locale and options, however many values are formatted", () => {
    const built = countBuilds("NumberFormat");
    // Locales not formatted by any other test of this file (the cache is per process).
    const out: string[] = [];
    for (let i = 0; i < 1000; i++) out.push(formatBytes(i * 1024, "fr"), formatSpeed(i * 1e5, "fr"), formatDuration(i * 61, "fr"));
    // fr: bytes (plain, 1 decimal), speed (plain, 1 decimal: the same two), duration's minute, second and hour units.
    expect(built.count).toBeLessThanOrEqual(5);
    expect(out[3]).toBe(formatBytes(1024, "fr"));
    expect(formatBytes(5 * 1024 * 1024, "de")).toBe("5,0 MiB");
    expect(formatBytes(5 * 1024 * 1024, "en")).toBe("5.0 MiB");
  });

  it("keeps one date formatter per locale, options and time zone", () => {
    const built = countBuilds("DateTimeFormat");
    const a = formatDateTime(Date.UTC(2026, 10, 30, 4, 0), "it", "UTC");
    for (let i = 0; i < 100; i++) formatDateTime(Date.UTC(2026, 10, 30, 4, i), "it", "UTC");
    formatDateTime(0, "it", "Europe/Rome");
    expect(built.count).toBe(2);
    expect(a).toBe(new RealDateTimeFormat("it", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(Date.UTC(2026, 10, 30, 4, 0)));
  });

  it("bound to a locale are one object per locale and time zone (stable for React)", () => {
    expect(formattersFor("de", "UTC")).toBe(formattersFor("de", "UTC"));
    expect(formattersFor("de", "UTC")).not.toBe(formattersFor("de", "Europe/Berlin"));
    expect(formattersFor("de").bytes(1536)).toBe("1,5 KiB");
  });
});
