/**
 * The upload page's live region (components/uploader/announcer.ts, issue 12): a drop of a few files is
 * announced per file as before (start, every 10 %, outcome); a bulk drop as one throttled summary —
 * "12 of 100 files uploaded" — instead of every file's start, progress and outcome. Time is injected;
 * the summary's wording is checked in all four catalogues (ICU plurals).
 */
import { createTranslator } from "next-intl";
import { describe, expect, it } from "vitest";
import en from "@/messages/en.json";
import de from "@/messages/de.json";
import es from "@/messages/es.json";
import ar from "@/messages/ar.json";
import { type Announcement, type AnnouncerClock, createAnnouncer, SUMMARY_FROM_FILES, SUMMARY_INTERVAL_MS } from "@/components/uploader/announcer";
import { createUploadStore } from "@/components/uploader/upload-store";
import { newUploadItem, type UploadItem } from "@/components/uploader/use-upload-queue";

/** A clock whose time moves only when the test says so, with its timers. */
function manualClock() {
  let now = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  const clock: AnnouncerClock = {
    now: () => now,
    setTimeout: (fn, ms) => (timers.set(next, { at: now + ms, fn }), next++),
    clearTimeout: (h) => void timers.delete(h as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at > now) continue;
      timers.delete(id);
      t.fn();
    }
  };
  return { clock, advance };
}

/** A store with an announcer on it; `said` is everything announced, in order. */
function page() {
  const { clock, advance } = manualClock();
  const store = createUploadStore();
  const said: Announcement[] = [];
  const announcer = createAnnouncer({ announce: (a) => said.push(a), clock });
  store.onRowChange(announcer.change);
  const add = (n: number, from = 0, state: UploadItem["state"] = "queued") =>
    store.add(Array.from({ length: n }, (_, i) => newUploadItem(`f${from + i}`, { name: `f${from + i}.csv`, size: 1000 }, state)));
  const set = (id: string, change: Partial<UploadItem>) => store.update(new Map([[id, change]]));
  const progress = (percent: number) => ({ bytesSent: percent * 10, total: 1000, percent, speedBps: 0, etaSeconds: null });
  return { store, said, add, set, progress, advance, last: () => said.at(-1) };
}

describe("the upload page's announcements", () => {
  it("a few files: each file's start, every 10 % and its outcome, as before", () => {
    const p = page();
    p.add(SUMMARY_FROM_FILES - 1);
    expect(p.said).toEqual([]);
    p.set("f0", { state: "uploading", progress: p.progress(0) });
    p.set("f0", { progress: p.progress(5) }); // same decile: nothing new
    p.set("f0", { progress: p.progress(23) });
    p.set("f1", { state: "failed", error: { code: "network", message: "offline" } });
    p.set("f0", { state: "completed", progress: p.progress(100) });
    expect(p.said).toEqual([
      { kind: "uploading", name: "f0.csv", percent: 0 },
      { kind: "uploading", name: "f0.csv", percent: 20 },
      { kind: "failed", name: "f1.csv", error: { code: "network", message: "offline" } },
      { kind: "completed", name: "f0.csv" },
    ]);
  });

  it("a bulk drop: one summary at the start, at most one per interval with the latest figures, the last at once", () => {
    const p = page();
    p.add(100);
    expect(p.said).toEqual([{ kind: "summary", uploaded: 0, total: 100, failed: 0 }]);
    for (let i = 0; i < 12; i++) {
      p.set(`f${i}`, { state: "uploading", progress: p.progress(50) });
      p.set(`f${i}`, { state: "completed", progress: p.progress(100) });
    }
    p.set("f12", { state: "failed", error: { code: "network", message: "offline" } });
    expect(p.said).toHaveLength(1); // no start, progress or outcome per file; the interval has not passed
    p.advance(SUMMARY_INTERVAL_MS - 1);
    expect(p.said).toHaveLength(1);
    p.advance(1);
    expect(p.last()).toEqual({ kind: "summary", uploaded: 12, total: 100, failed: 1 });
    p.set("f13", { state: "cancelled" }); // a cancelled file leaves the total
    p.advance(SUMMARY_INTERVAL_MS);
    expect(p.last()).toEqual({ kind: "summary", uploaded: 12, total: 99, failed: 1 });
    for (let i = 14; i < 99; i++) p.set(`f${i}`, { state: "completed" });
    const before = p.said.length;
    p.set("f99", { state: "completed" });
    p.set("f12", { state: "uploading" }); // Retry of the failed one reopens the drop
    p.set("f12", { state: "completed" });
    expect(p.said.slice(before)).toEqual([{ kind: "summary", uploaded: 98, total: 99, failed: 1 }, { kind: "summary", uploaded: 99, total: 99, failed: 0 }]);
    p.advance(60_000);
    expect(p.said.slice(before)).toHaveLength(2); // nothing more once the drop is over
  });

  it("what asks the user for something is still said per file in a bulk drop", () => {
    const p = page();
    p.add(10);
    p.set("f3", { state: "paused" });
    expect(p.last()).toEqual({ kind: "paused", name: "f3.csv" });
    p.set("f4", { signedOut: "signed out" });
    expect(p.last()).toEqual({ kind: "signedOut", name: "f4.csv" });
  });

  it("a drop after an earlier one has finished starts its own count; a single file keeps the per-file announcements", () => {
    const p = page();
    p.add(6);
    for (let i = 0; i < 6; i++) p.set(`f${i}`, { state: "completed" });
    expect(p.last()).toEqual({ kind: "summary", uploaded: 6, total: 6, failed: 0 });
    p.add(1, 6);
    p.set("f6", { state: "uploading", progress: p.progress(40) });
    expect(p.last()).toEqual({ kind: "uploading", name: "f6.csv", percent: 40 });
    p.set("f6", { state: "completed" });
    expect(p.last()).toEqual({ kind: "completed", name: "f6.csv" });
    p.add(7, 7);
    expect(p.last()).toEqual({ kind: "summary", uploaded: 0, total: 7, failed: 0 });
  });
});

describe("the summary in each catalogue (ICU plurals, locale numbers)", () => {
  const say = (messages: typeof en, locale: "en" | "de" | "es" | "ar", values: { uploaded: number; total: number; failed: number }) =>
    createTranslator({ locale, messages, namespace: "uploader" })("announce.summary", values);
  it("English", () => {
    expect(say(en, "en", { uploaded: 12, total: 100, failed: 0 })).toBe("12 of 100 files uploaded");
    expect(say(en, "en", { uploaded: 1, total: 1, failed: 0 })).toBe("1 of 1 file uploaded");
    expect(say(en, "en", { uploaded: 1234, total: 2000, failed: 1 })).toBe("1,234 of 2,000 files uploaded, 1 failed");
  });
  it("German", () => {
    expect(say(de, "de", { uploaded: 12, total: 100, failed: 2 })).toBe("12 von 100 Dateien hochgeladen, 2 fehlgeschlagen");
    expect(say(de, "de", { uploaded: 0, total: 1, failed: 0 })).toBe("0 von 1 Datei hochgeladen");
  });
  it("Spanish", () => {
    expect(say(es, "es", { uploaded: 12, total: 100, failed: 1 })).toBe("12 de 100 archivos subidos, 1 con error");
    expect(say(es, "es", { uploaded: 1, total: 1, failed: 0 })).toBe("1 de 1 archivo subido");
  });
  it("Arabic", () => {
    const n = (x: number) => new Intl.NumberFormat("ar").format(x);
    expect(say(ar, "ar", { uploaded: 12, total: 100, failed: 0 })).toBe(`تم رفع ${n(12)} من ${n(100)} ملف`);
    expect(say(ar, "ar", { uploaded: 1, total: 2, failed: 1 })).toBe(`تم رفع ${n(1)} من ملفين، وفشل ملف واحد`);
    expect(say(ar, "ar", { uploaded: 3, total: 5, failed: 2 })).toBe(`تم رفع ${n(3)} من ${n(5)} ملفات، وفشل ملفان`);
  });
});
