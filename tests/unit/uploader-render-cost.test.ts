// @vitest-environment jsdom
/**
 * Small files go fast (issue 12): the upload page's cost per progress or state event must not grow
 * with the number of rows. With 100 files chosen at once, every event of one file re-rendered and
 * re-formatted all N rows (O(N²) for the drop: 21 of 24 s of the page's main thread busy, 4.2 files/s).
 *
 * The real Uploader (components/uploader/uploader.tsx) is rendered in jsdom with next-intl's provider;
 * its queue hook is replaced by a store the test drives (the engine is not under test here), and
 * lib/format.ts's byte formatter counts its calls: each row formats three sizes per render, so the
 * calls after one event say how many rows rendered again.
 */
import { createElement } from "react";
import { act, cleanup, render, screen, within } from "@testing-library/react";
import { NextIntlClientProvider } from "next-intl";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import en from "@/messages/en.json";
import type { UploadItem } from "@/components/uploader/use-upload-queue";
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

/** The rows the fake queue hook returns; `set` replaces them and tells React (as the real hook's setItems does). */
const store = vi.hoisted(() => {
  let items: UploadItem[] = [];
  const listeners = new Set<() => void>();
  return {
    get: () => items,
    set(next: UploadItem[]) {
      items = next;
      for (const l of listeners) l();
    },
    subscribe(l: () => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
});

vi.mock("@/components/uploader/use-upload-queue", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/components/uploader/use-upload-queue")>();
  const { useSyncExternalStore } = await import("react");
  const noop = () => undefined;
  // Stable functions, as the real hook's useCallback ones.
  const actions = { addFiles: noop, resumeFile: noop, cancel: noop, pause: noop, resume: noop, retry: noop, acceptResume: noop, startOver: noop, describe: async () => null };
  return { ...real, useUploadQueue: () => ({ items: useSyncExternalStore(store.subscribe, store.get, store.get), notices: [], ...actions }) };
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

/** One row changed as the real hook's `patch` does: a new object for it, the others kept as they are. */
function patch(id: string, change: Partial<UploadItem>): void {
  act(() => store.set(store.get().map((it) => (it.id === id ? { ...it, ...change } : it))));
}

function renderPage(n: number) {
  store.set(rows(n));
  render(
    createElement(NextIntlClientProvider, {
      locale: "en",
      messages: en,
      timeZone: "UTC",
      children: createElement(Uploader, { datasetId: "d1", datasetName: "test-dataset", partSize: 8 * 1024 * KiB, concurrency: 4, maxBytes: 1024 ** 4 }),
    }),
  );
}

// DOM queries, not getByRole: computing accessible names over hundreds of rows takes jsdom seconds.
const rowOf = (name: string) => screen.getAllByTestId("upload-row").find((r) => r.textContent?.includes(name))!;

beforeEach(() => {
  formatBytesCalls.count = 0;
});
afterEach(() => cleanup());

describe("the upload page's cost per event", () => {
  for (const n of [20, 200]) {
    it(`formats only the changed row on one file's progress, with ${n} rows on the page`, () => {
      renderPage(n);
      expect(screen.getAllByTestId("upload-row")).toHaveLength(n);
      formatBytesCalls.count = 0;
      patch("f7", { progress: { bytesSent: 32 * KiB, total: 64 * KiB, percent: 50, speedBps: 1e6, etaSeconds: 1 } });
      expect(within(rowOf("f-00007.bin")).getByText("32.0 KiB of 64.0 KiB")).toBeTruthy();
      expect(rowOf("f-00007.bin").dataset.bytesSent).toBe(String(32 * KiB));
      expect(rowOf("f-00008.bin").dataset.bytesSent).toBe("0");
      // The changed row only: its size, bytes sent and total (old main: 6 per row, for every row).
      expect(formatBytesCalls.count).toBe(3);
    });
  }

  it("renders only the changed row on one file's state change, and the page still says so", () => {
    renderPage(200);
    formatBytesCalls.count = 0;
    patch("f3", { state: "completed", progress: { bytesSent: 64 * KiB, total: 64 * KiB, percent: 100, speedBps: 0, etaSeconds: null } });
    expect(rowOf("f-00003.bin").dataset.state).toBe("completed");
    expect(screen.getByTestId("announcer").textContent).toContain("f-00003.bin");
    expect(document.body.textContent).toContain("Clear finished");
    expect(formatBytesCalls.count).toBe(3);
  });
});
