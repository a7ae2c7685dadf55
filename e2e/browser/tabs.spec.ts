/**
 * Two tabs, one file (issue 10 item 8): the tab that uploads a file owns it (Web Locks); a second tab
 * of the same browser that selects the same file shows "Uploading in another tab" and sends nothing,
 * and takes over — with the missing parts only — when the first tab is closed.
 */
import { expect, test } from "@playwright/test";
import type { FaultProxy } from "../../tests/support/fault-proxy";
import { makeFile } from "../support/files";
import { expectNoSeriousA11yViolations } from "../support/portal";
import { MiB, baseName, expectStored, keptDigests, recordedParts, sessionCount, startProxy, openUploader } from "./support";

let proxy: FaultProxy;
test.beforeAll(async () => {
  proxy = await startProxy();
});
test.afterAll(async () => proxy?.close());
test.beforeEach(() => proxy.reset());

for (const locks of ["Web Locks", "localStorage lease (no Web Locks)"] as const) {
  test(`a second tab waits while the first uploads, and takes over when it closes — ${locks}`, async ({ context }) => {
    if (locks !== "Web Locks") await context.addInitScript(`Object.defineProperty(Navigator.prototype, "locks", { get: () => undefined, configurable: true });`);
    const file = makeFile(`tabs-${Date.now()}.bin`, 60 * MiB); // 12 parts
    const name = baseName(file.path);
    const first = await context.newPage();
    await openUploader(first);
    proxy.holdPartsAfter(4);
    await first.getByLabel("Choose files").setInputFiles(file.path);
    await expect.poll(() => recordedParts(name), { timeout: 60_000 }).toBe(4);
    await expect.poll(() => keptDigests(first), { timeout: 20_000 }).toBeGreaterThanOrEqual(4);

    const second = await context.newPage();
    await second.goto("/datasets/test-dataset/upload");
    const seenBefore = proxy.stats().partPutsSeen;
    await second.getByLabel("Choose files").setInputFiles(file.path);
    const row = second.getByTestId("upload-row");
    await expect(row).toHaveAttribute("data-state", "elsewhere");
    await expect(row.getByTestId("status")).toHaveText("Uploading in another tab");
    await expectNoSeriousA11yViolations(second);
    expect(proxy.stats().partPutsSeen).toBe(seenBefore); // the second tab sent nothing

    const storedBefore = Object.keys(proxy.stats().storedParts).map(Number);
    await first.close({ runBeforeUnload: false }); // the owner goes away mid-upload
    proxy.releaseHeld(); // (its held requests died with it)
    await expect(row).toHaveAttribute("data-state", "completed", { timeout: 120_000 });
    await expect(row.getByTestId("notice")).toContainText("this tab continues");
    const stored = proxy.stats().storedParts;
    expect(Object.keys(stored).map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    for (const n of storedBefore) expect(stored[n]).toBe(1); // the first tab's parts were not sent again
    expect(sessionCount(name)).toBe(1);
    await expectStored(name, file);
  });
}
