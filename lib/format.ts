/**
 * Locale-aware formatting of bytes, rates, durations and dates (ECMA-402 `Intl`, no network, no data
 * files). Every function takes an optional BCP 47 `locale` (default "en", the historic output); UI code
 * passes the request's locale: `useLocale()` in client components, `await getLocale()` in server
 * components (next-intl), or uses `useFormat()` / `getFormat()` from lib/i18n/format.ts.
 */

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/**
 * Intl formatters are costly to build (ICU data look-ups: ~0.1 ms each) and cheap to use, and the upload
 * page formats every row's sizes on every progress event: each distinct locale + options is built once per
 * process (a page) and kept. Keys are few (4 locales × a handful of option sets × the time zones in use).
 */
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** The cached `Intl.NumberFormat` for `locale` and `options` (built on first use). */
export function numberFormat(locale: string, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let nf = numberFormats.get(key);
  if (!nf) numberFormats.set(key, (nf = new Intl.NumberFormat(locale, options)));
  return nf;
}

/** The cached `Intl.DateTimeFormat` for `locale` and `options` (built on first use). */
export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let df = dateTimeFormats.get(key);
  if (!df) dateTimeFormats.set(key, (df = new Intl.DateTimeFormat(locale, options)));
  return df;
}

function decimal(locale: string, fractionDigits: number): Intl.NumberFormat {
  return numberFormat(locale, { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits });
}

/**
 * Human-readable byte count in binary units (IEC 80000-13 symbols, the same in every locale), the number
 * in the locale's digits and separators: en `0 B`, `5.0 MiB`; de `5,0 MiB`.
 */
export function formatBytes(bytes: number, locale = "en"): string {
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${numberFormat(locale).format(v)} B` : `${decimal(locale, 1).format(v)} ${BYTE_UNITS[i]}`;
}

/**
 * Smallest upload whose average speed is shown, in bytes (1 MiB): below it the time is request round trips
 * (sessions, signing, CKAN), not transfer, and a rate would say nothing ("0.0 MB/s" for a 79-byte file).
 */
export const MIN_BYTES_FOR_SPEED = 1024 * 1024;

/**
 * Speed in MB/s (10^6 bytes per second), one decimal, in the locale's digits: en `12.3 MB/s`, de `12,3 MB/s`;
 * below 0.1 MB/s in whole kB/s (never "0.0 MB/s"); "—" when there is no speed yet (0, negative or not finite).
 */
export function formatSpeed(bytesPerSecond: number, locale = "en"): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return "—";
  if (bytesPerSecond < 1e5) return `${numberFormat(locale).format(Math.max(1, Math.round(bytesPerSecond / 1e3)))} kB/s`;
  return `${decimal(locale, 1).format(bytesPerSecond / 1e6)} MB/s`;
}

/** An upload's average speed: "—" when unknown or for files under {@link MIN_BYTES_FOR_SPEED}; else formatSpeed. */
export function formatAverageSpeed(sizeBytes: number, bytesPerSecond: number | null, locale = "en"): string {
  if (bytesPerSecond === null || sizeBytes < MIN_BYTES_FOR_SPEED) return "—";
  return formatSpeed(bytesPerSecond, locale);
}

/**
 * Duration in seconds: en `1 h 2 min`, `3 min 4 s`, `5 s` (compact, as before); other locales the
 * locale's own short unit names (Intl unit style, e.g. de `1 Std. 2 Min.`); "—" when unknown.
 */
export function formatDuration(seconds: number | null | undefined, locale = "en"): string {
  if (seconds == null || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  const parts: Array<[number, "hour" | "minute" | "second"]> =
    s >= 3600 ? [[Math.floor(s / 3600), "hour"], [Math.floor((s % 3600) / 60), "minute"]]
    : s >= 60 ? [[Math.floor(s / 60), "minute"], [s % 60, "second"]]
    : [[s, "second"]];
  if (locale === "en") {
    const short = { hour: "h", minute: "min", second: "s" };
    return parts.map(([n, unit]) => `${n} ${short[unit]}`).join(" ");
  }
  return parts.map(([n, unit]) => numberFormat(locale, { style: "unit", unit, unitDisplay: "short" }).format(n)).join(" ");
}

/** A date and time in the locale's medium date and short time style, in `timeZone` (default UTC): en `Nov 29, 2026, 10:03 PM`. */
export function formatDateTime(date: Date | string | number, locale = "en", timeZone = "UTC"): string {
  return dateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(date));
}

/**
 * An audit timestamp to the millisecond with its time zone, in `timeZone` (default UTC), in the locale's
 * date order and 24-hour clock: en `Nov 30, 2026, 01:02:03.456 UTC`, de `30. Nov. 2026, 01:02:03,456 UTC`.
 */
export function formatPreciseDateTime(date: Date | string | number, locale = "en", timeZone = "UTC"): string {
  return dateTimeFormat(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    fractionalSecondDigits: 3,
    hourCycle: "h23",
    timeZone,
    timeZoneName: "short",
  }).format(new Date(date));
}

/** A plain number in the locale's digits and grouping: en `1,234`, de `1.234`. */
export function formatNumber(n: number, locale = "en"): string {
  return numberFormat(locale).format(n);
}
