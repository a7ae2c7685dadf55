/**
 * Browsers without a capability the engine uses (issue 10 item 2, CASES 27): each missing one is
 * broken by an init script before the page loads; the upload still completes with the file's bytes in
 * the bucket, and the page says in one line what is lost.
 */
import { expect, test } from "@playwright/test";
import type { FaultProxy } from "../../tests/support/fault-proxy";
import { CAPABILITY_NOTICES } from "../../lib/uploader/capabilities";
import { makeFile } from "../support/files";
import { expectNoSeriousA11yViolations, newestSession } from "../support/portal";
import { DB_URL, MiB, baseName, expectStored, openUploader, startProxy } from "./support";

let proxy: FaultProxy;
test.beforeAll(async () => {
  proxy = await startProxy();
});
test.afterAll(async () => proxy?.close());
test.beforeEach(() => proxy.reset());

const CASES: Array<{ name: string; script: string; notice: string; wholeFileHash: boolean }> = [
  {
    name: "indexedDB.open throws at once (site data blocked)",
    script: `IDBFactory.prototype.open = function () { throw new DOMException("The user denied permission to access the database.", "SecurityError"); };`,
    notice: CAPABILITY_NOTICES.indexedDb,
    wholeFileHash: true,
  },
  { name: "no Web Workers", script: `delete window.Worker; Object.defineProperty(window, "Worker", { value: undefined, configurable: true });`, notice: CAPABILITY_NOTICES.workers, wholeFileHash: true },
  { name: "no WebAssembly", script: `Object.defineProperty(window, "WebAssembly", { value: undefined, configurable: true });`, notice: CAPABILITY_NOTICES.webAssembly, wholeFileHash: false },
  { name: "no Web Locks", script: `Object.defineProperty(Navigator.prototype, "locks", { get: () => undefined, configurable: true });`, notice: CAPABILITY_NOTICES.webLocks, wholeFileHash: true },
  { name: "no BroadcastChannel", script: `Object.defineProperty(window, "BroadcastChannel", { value: undefined, configurable: true });`, notice: CAPABILITY_NOTICES.broadcastChannel, wholeFileHash: true },
  { name: "no crypto.subtle", script: `Object.defineProperty(Crypto.prototype, "subtle", { get: () => undefined, configurable: true });`, notice: CAPABILITY_NOTICES.cryptoSubtle, wholeFileHash: true },
];

for (const c of CASES) {
  test(`${c.name}: the upload completes and the page says what is lost (CASES 27)`, async ({ page }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.addInitScript(c.script);
    const file = makeFile(`cap-${Date.now()}.bin`, 6 * MiB); // 2 parts
    await openUploader(page);
    await page.getByLabel("Choose files").setInputFiles(file.path);
    const row = page.getByTestId("upload-row");
    await expect(row).toHaveAttribute("data-state", "completed", { timeout: 60_000 });
    await expect(page.getByTestId("capability-notices")).toContainText(c.notice);
    await expect(page.getByTestId("capability-notices").getByRole("listitem")).toHaveCount(1); // only what is missing
    await expectNoSeriousA11yViolations(page);
    await expectStored(baseName(file.path), file);
    const s = newestSession(DB_URL, baseName(file.path))!;
    expect(s.sha256).toBe(c.wholeFileHash ? file.sha256 : null);
    expect(errors).toEqual([]);
  });
}
