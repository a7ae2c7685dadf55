"use client";
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import type { DayTotal } from "@/lib/admin/uploads";
import { formatBytes } from "@/lib/format";

/**
 * Bar chart of bytes uploaded per UTC day (recharts, SVG). Fixed size, so it renders the same on the
 * server and in the browser (no ResizeObserver measurement); the figures are also in a table for
 * screen readers and keyboard users (the SVG is hidden from assistive technology).
 */
export function BytesPerDayChart({ days }: { days: DayTotal[] }) {
  if (days.length === 0) return null;
  return (
    <figure className="mb-4 rounded border border-slate-200 bg-white p-4">
      <figcaption className="mb-2 font-medium">Bytes uploaded per day (UTC, by start of upload)</figcaption>
      <div aria-hidden="true" className="overflow-x-auto">
        <BarChart width={900} height={220} data={days} margin={{ top: 8, right: 8, bottom: 8, left: 16 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" tick={{ fontSize: 11 }} minTickGap={24} />
          <YAxis tickFormatter={(v: number) => formatBytes(v)} tick={{ fontSize: 11 }} width={80} />
          <Tooltip formatter={(v) => formatBytes(Number(v))} labelFormatter={(l) => `${l} (UTC)`} />
          <Bar dataKey="bytes" name="Bytes" fill="#1e40af" isAnimationActive={false} />
        </BarChart>
      </div>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer text-blue-800 underline">Show the figures as a table</summary>
        <table className="mt-2 text-left">
          <caption className="sr-only">Bytes uploaded per day</caption>
          <thead><tr><th scope="col" className="pr-4">Day (UTC)</th><th scope="col" className="pr-4">Uploads</th><th scope="col" className="pr-4">Bytes</th><th scope="col">Failures</th></tr></thead>
          <tbody>
            {days.map((d) => <tr key={d.day}><td className="pr-4">{d.day}</td><td className="pr-4">{d.count}</td><td className="pr-4">{formatBytes(d.bytes)}</td><td>{d.failures}</td></tr>)}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
