/** Human-readable byte count in binary units: 0 B, 1 B, 5.0 MiB, 2.0 GiB. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/**
 * Smallest upload whose average speed is shown, in bytes (1 MiB): below it the time is request round trips
 * (sessions, signing, CKAN), not transfer, and a rate would say nothing ("0.0 MB/s" for a 79-byte file).
 */
export const MIN_BYTES_FOR_SPEED = 1024 * 1024;

/**
 * Speed in MB/s (10^6 bytes per second), one decimal; below 0.1 MB/s in kB/s (never "0.0 MB/s");
 * "—" when there is no speed yet (0, negative or not finite).
 */
export function formatSpeed(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return "—";
  if (bytesPerSecond < 1e5) return `${Math.max(1, Math.round(bytesPerSecond / 1e3))} kB/s`;
  return `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`;
}

/** An upload's average speed: "—" when unknown or for files under {@link MIN_BYTES_FOR_SPEED}; else formatSpeed. */
export function formatAverageSpeed(sizeBytes: number, bytesPerSecond: number | null): string {
  if (bytesPerSecond === null || sizeBytes < MIN_BYTES_FOR_SPEED) return "—";
  return formatSpeed(bytesPerSecond);
}

/** Duration in seconds as `1 h 2 min`, `3 min 4 s` or `5 s`; "—" when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${s} s`;
}
