// @vitest-environment jsdom
/**
 * Small files go fast (issue 12): the upload page's cost per progress or state event must not grow
 * with the number of rows. With 100 files chosen at once, every event of one file re-rendered and
 * re-formatted all N rows (O(N²) for the drop: 21 of 24 s of the page's main thread busy, 4.2 files/s).
 *
 * The real Uploader (components/uploader/uploader.tsx) is rendered in jsdom with next-intl's provider;
 * its queue hook is replaced by the queue's real store (components/uploader/upload-store.ts), which the
 * test drives (the engine is not under test here). Two counters say how many rows rendered again after
 * one event: lib/format.ts's byte formatter (a row formats bytes sent and total per render, its size once),
 * and FileRow
 * wrapped in a component that is *not* memoised, so it counts every row the list renders — a list that
 * reconciles its N memoised rows on each event (before: one React update of the whole list per state
 * change) counts N, a per-row subscription counts 1.
 */
import { createElement } from "react";
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { NextIntlClientProvider } from "next-intl";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import en from "@/messages/en.json";
import type { UploadItem } from "@/components/uploader/use-upload-queue";
import type { FileRowProps } from "@/components/uploader/file-row";
import { createUploadStore, type UploadStore } from "@/components/uploader/upload-store";
import { uploadItem } from "./support/render-intl";

const formatBytesCalls = vi.hoisted(() => ({ count: 0 }));

vi.mock("@/lib/format", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/format")>();
  return {
    ...real,
    formatBytes: (bytes: number, locale?: string) => {
      formatBytesCalls.count++;
      return real.formatBytes(bytes, locale);
    },
  };
});

/** Calls of the resource format guess, which a row makes when it renders its resource fields' initial values. */
const formatGuesses = vi.hoisted(() => ({ count: 0 }));
vi.mock("@/lib/resource-format", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/resource-format")>();
  return { ...real, guessResourceFormat: (...args: Parameters<typeof real.guessResourceFormat>) => (formatGuesses.count++, real.guessResourceFormat(...args)) };
});

/** The queue's store, as the real hook keeps it; the test adds and changes rows as the hook does. */
const queue = vi.hoisted(() => ({ store: null as unknown as UploadStore }));
/** Renders of each row (by id) since the last reset. */
const rowRenders = vi.hoisted(() => new Map<string, number>());

vi.mock("@/components/uploader/use-upload-queue", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/components/uploader/use-upload-queue")>();
  const { useSyncExternalStore } = await import("react");
  const noop = () => undefined;
  // Stable functions, as the real hook's useCallback ones. `items` too, for a page that reads all rows at once.
  const actions = { addFiles: noop, resumeFile: noop, cancel: noop, pause: noop, resume: noop, retry: noop, acceptResume: noop, startOver: noop, describe: async () => null };
  return { ...real, useUploadQueue: () => ({ store: queue.store, items: useSyncExternalStore(queue.store.subscribeAll, queue.store.items, queue.store.items), notices: [], ...actions }) };
});
vi.mock("@/components/uploader/file-row", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/components/uploader/file-row")>();
  const { createElement: h } = await import("react");
  // Not memoised: every time the list renders a row, it counts.
  const FileRow = (props: FileRowProps) => {
    rowRenders.set(props.item.id, (rowRenders.get(props.item.id) ?? 0) + 1);
    return h(real.FileRow, props);
  };
  return { ...real, FileRow };
});
// Not under test: the interrupted uploads (IndexedDB, portal API) and the router refresh after completions.
vi.mock("@/components/uploader/interrupted-uploads", () => ({ InterruptedUploads: () => null }));
vi.mock("@/components/uploader/live-refresh", () => ({ useRefreshWhenFinished: () => undefined }));

const { Uploader } = await import("@/components/uploader/uploader");

const KiB = 1024;
function rows(n: number): UploadItem[] {
  return Array.from({ length: n }, (_, i) =>
    uploadItem({ id: `f${i}`, name: `f-${String(i).padStart(5, "0")}.bin`, size: 64 * KiB, progress: { bytesSent: 0, total: 64 * KiB, percent: 0, speedBps: 0, etaSeconds: null }, sessionId: null }),
  );
}

/** One row changed as the real hook's `patch` does. */
function patch(id: string, change: Partial<UploadItem>): void {
  act(() => queue.store.update(new Map([[id, change]])));
}

/** The page, then `n` rows chosen at once (added after the page is there, as on the real page). */
function renderPage(n: number) {
  queue.store = createUploadStore();
  render(
    createElement(NextIntlClientProvider, {
      locale: "en",
      messages: en,
      timeZone: "UTC",
      children: createElement(Uploader, { datasetId: "d1", datasetName: "test-dataset", partSize: 8 * 1024 * KiB, concurrency: 4, maxBytes: 1024 ** 4 }),
    }),
  );
  act(() => queue.store.add(rows(n)));
}
const totalRowRenders = () => [...rowRenders.values()].reduce((a, b) => a + b, 0);

// DOM queries, not getByRole: computing accessible names over hundreds of rows takes jsdom seconds.
const rowOf = (name: string) => screen.getAllByTestId("upload-row").find((r) => r.textContent?.includes(name))!;

beforeEach(() => {
  formatBytesCalls.count = 0;
  rowRenders.clear();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe("the upload page's cost per event", () => {
  for (const n of [20, 200]) {
    it(`formats only the changed row on one file's progress, with ${n} rows on the page`, () => {
      renderPage(n);
      expect(screen.getAllByTestId("upload-row")).toHaveLength(n);
      formatBytesCalls.count = 0;
      formatGuesses.count = 0;
      rowRenders.clear();
      patch("f7", { progress: { bytesSent: 32 * KiB, total: 64 * KiB, percent: 50, speedBps: 1e6, etaSeconds: 1 } });
      expect(within(rowOf("f-00007.bin")).getByText("32.0 KiB of 64.0 KiB")).toBeTruthy();
      expect(rowOf("f-00007.bin").dataset.bytesSent).toBe(String(32 * KiB));
      expect(rowOf("f-00008.bin").dataset.bytesSent).toBe("0");
      // The changed row only: its bytes sent and total (its size, which never changes, is not formatted
      // again; before: 3 for the row, and on old main 6 per row, for every row).
      expect(formatBytesCalls.count).toBe(2);
      // and the list did not render its other rows (before: all n of them, memoised).
      expect(Object.fromEntries(rowRenders)).toEqual({ f7: 1 });
      // The row's parts that do not change with progress (resource fields, buttons) did not render again.
      expect(formatGuesses.count).toBe(0);
    });
  }

  for (const n of [20, 200]) {
    it(`renders only the changed row on one file's state change, with ${n} rows, and the page's counts still follow`, () => {
      renderPage(n);
      expect(document.body.textContent).toContain(`${n} uploads in progress`);
      formatBytesCalls.count = 0;
      rowRenders.clear();
      patch("f3", { state: "completed", progress: { bytesSent: 64 * KiB, total: 64 * KiB, percent: 100, speedBps: 0, etaSeconds: null } });
      expect(rowOf("f-00003.bin").dataset.state).toBe("completed");
      expect(document.body.textContent).toContain("Clear finished");
      expect(document.body.textContent).toContain(`${n - 1} uploads in progress`);
      expect(formatBytesCalls.count).toBe(2);
      expect(totalRowRenders()).toBe(1);
      patch("f4", { state: "preparing" });
      patch("f4", { state: "uploading" });
      expect(totalRowRenders()).toBe(3);
    });
  }

  it("clearing finished rows keeps the other rows mounted: their elements, focus and typed fields stay", () => {
    renderPage(120);
    for (let i = 0; i < 60; i++) patch(`f${i}`, { state: "completed" });
    const later = rowOf("f-00100.bin");
    const name = later.querySelector("input") as HTMLInputElement; // the resource name field
    fireEvent.change(name, { target: { value: "typed before clearing" } });
    name.focus();
    act(() => [...document.querySelectorAll("button")].find((b) => b.textContent === "Clear finished (60)")!.click());
    expect(screen.getAllByTestId("upload-row")).toHaveLength(60);
    expect(later.isConnected).toBe(true); // the same element: not unmounted and mounted again
    expect(name.value).toBe("typed before clearing");
    expect(document.activeElement).toBe(name);
    // The list is still one <ul> of rows in the order chosen.
    const list = document.querySelector("ul[aria-label='Uploads']")!;
    expect([...list.children].map((li) => li.querySelector("[id^=name-]")?.textContent)).toEqual(Array.from({ length: 60 }, (_, i) => `f-${String(60 + i).padStart(5, "0")}.bin`));
  });

  it("a bulk drop is announced as a summary (throttled), a few files per file as before", () => {
    vi.useFakeTimers();
    renderPage(100);
    const announcer = () => screen.getByTestId("announcer").textContent;
    expect(announcer()).toBe("0 of 100 files uploaded");
    for (let i = 0; i < 12; i++) patch(`f${i}`, { state: "completed" });
    expect(announcer()).toBe("0 of 100 files uploaded"); // not per file, and not more often than every 5 s
    act(() => vi.advanceTimersByTime(5000));
    expect(announcer()).toBe("12 of 100 files uploaded");
    patch("f12", { state: "failed" });
    for (let i = 13; i < 100; i++) patch(`f${i}`, { state: "completed" });
    expect(announcer()).toBe("99 of 100 files uploaded, 1 failed"); // the last file finished: at once
    cleanup();

    renderPage(2);
    patch("f1", { state: "uploading", progress: { bytesSent: 32 * KiB, total: 64 * KiB, percent: 50, speedBps: 1e6, etaSeconds: 1 } });
    expect(announcer()).toBe("f-00001.bin: 50 percent uploaded");
    patch("f1", { state: "completed" });
    expect(announcer()).toBe("f-00001.bin: upload complete");
  });
});
