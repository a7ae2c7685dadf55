import { useLocale, useTimeZone } from "next-intl";
import * as f from "@/lib/format";

/** The lib/format.ts functions bound to one locale (and time zone, for dates). */
export interface Formatters {
  bytes: (bytes: number) => string;
  speed: (bytesPerSecond: number) => string;
  duration: (seconds: number | null | undefined) => string;
  dateTime: (date: Date | string | number) => string;
  /** To the millisecond, with the time zone (audit pages). */
  preciseDateTime: (date: Date | string | number) => string;
  number: (n: number) => string;
}

const bound = new Map<string, Formatters>();

/**
 * Formatters for `locale` and `timeZone` (server components: `formattersFor(await getLocale(), await getTimeZone())`).
 * One object per locale and time zone, kept (its Intl formatters are cached by lib/format.ts): the same
 * object on every call, so client components may pass it on or depend on it without re-rendering.
 */
export function formattersFor(locale: string, timeZone = "UTC"): Formatters {
  const key = `${locale}|${timeZone}`;
  let formatters = bound.get(key);
  if (!formatters) bound.set(key, (formatters = bind(locale, timeZone)));
  return formatters;
}

function bind(locale: string, timeZone: string): Formatters {
  return {
    bytes: (b) => f.formatBytes(b, locale),
    speed: (r) => f.formatSpeed(r, locale),
    duration: (s) => f.formatDuration(s, locale),
    dateTime: (d) => f.formatDateTime(d, locale, timeZone),
    preciseDateTime: (d) => f.formatPreciseDateTime(d, locale, timeZone),
    number: (n) => f.formatNumber(n, locale),
  };
}

/** Hook for client (and shared) components: formatters in the request's locale and time zone (next-intl). */
export function useFormat(): Formatters {
  const locale = useLocale();
  const timeZone = useTimeZone();
  return formattersFor(locale, timeZone);
}
