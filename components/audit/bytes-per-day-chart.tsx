"use client";
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import type { DayTotal } from "@/lib/admin/uploads";
import { useTranslations } from "next-intl";
import { useFormat } from "@/lib/i18n/format";

/**
 * Bar chart of bytes uploaded per UTC day (recharts, SVG). Fixed size, so it renders the same on the
 * server and in the browser (no ResizeObserver measurement); the figures are also in a table for
 * screen readers and keyboard users (the SVG is hidden from assistive technology).
 */
export function BytesPerDayChart({ days }: { days: DayTotal[] }) {
  const t = useTranslations("bytesPerDay");
  const format = useFormat();
  if (days.length === 0) return null;
  return (
    <figure className="mb-4 rounded border border-slate-200 bg-white p-4">
      <figcaption className="mb-2 font-medium">{t("caption")}</figcaption>
      <div aria-hidden="true" className="overflow-x-auto">
        <BarChart width={900} height={220} data={days} margin={{ top: 8, right: 8, bottom: 8, left: 16 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" tick={{ fontSize: 11 }} minTickGap={24} />
          <YAxis tickFormatter={(v: number) => format.bytes(v)} tick={{ fontSize: 11 }} width={80} />
          <Tooltip formatter={(v) => format.bytes(Number(v))} labelFormatter={(l) => t("tooltipDay", { day: String(l) })} />
          <Bar dataKey="bytes" name={t("bytes")} fill="#1e40af" isAnimationActive={false} />
        </BarChart>
      </div>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer text-blue-800 underline">{t("showTable")}</summary>
        <table className="mt-2 text-start">
          <caption className="sr-only">{t("tableCaption")}</caption>
          <thead><tr><th scope="col" className="pe-4">{t("day")}</th><th scope="col" className="pe-4">{t("uploads")}</th><th scope="col" className="pe-4">{t("bytes")}</th><th scope="col">{t("failures")}</th></tr></thead>
          <tbody>
            {days.map((d) => <tr key={d.day}><td className="pe-4">{d.day}</td><td className="pe-4">{format.number(d.count)}</td><td className="pe-4">{format.bytes(d.bytes)}</td><td>{format.number(d.failures)}</td></tr>)}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
