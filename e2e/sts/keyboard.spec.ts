/**
 * Keyboard use of the deep-link page: the file picker comes before the (possibly long) resources
 * list; Pause and Resume are one control, so focus stays on it; Cancel asks first (a modal dialog whose
 * safe answer has focus; "Keep uploading" gives focus back to Cancel); after Cancel, focus stays in the row.
 */
import { expect, test } from "@playwright/test";
import { makeFile } from "../support/files";
import { DEMO_TOKENS, signIn } from "../support/portal";

test("keyboard users keep their place while pausing, resuming and cancelling an upload", async ({ page }) => {
  const file = makeFile(`keyboard-${Date.now()}.bin`, 60 * 1000 * 1000);
  await signIn(page, DEMO_TOKENS.editor_user);
  await page.goto("/datasets/test-dataset/upload");
  const pickerFirst = await page.evaluate(() => {
    const input = document.getElementById("file-input");
    const resources = document.getElementById("resources-heading");
    return Boolean(input && resources && input.compareDocumentPosition(resources) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  expect(pickerFirst).toBe(true);

  // Slow the upload down (5 MB/s) so there is time to act on it.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 5_000_000 });

  await expect(page.getByLabel("Choose files")).toBeEnabled();
  await page.getByLabel("Choose files").setInputFiles(file.path);
  const row = page.getByTestId("upload-row");
  await expect(row).toHaveAttribute("data-state", "uploading");

  await row.getByRole("button", { name: /^Pause/ }).focus();
  await page.keyboard.press("Enter");
  await expect(row).toHaveAttribute("data-state", "paused");
  await expect(row.getByRole("button", { name: /^Resume/ })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(row).toHaveAttribute("data-state", "uploading");
  await expect(row.getByRole("button", { name: /^Pause/ })).toBeFocused();

  await page.keyboard.press("Tab");
  const cancelButton = row.getByRole("button", { name: /^Cancel/ });
  await expect(cancelButton).toBeFocused();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: /^Cancel the upload of keyboard-/ });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Keep uploading" })).toBeFocused();
  await page.keyboard.press("Escape"); // the safe answer
  await expect(dialog).toBeHidden();
  await expect(cancelButton).toBeFocused();
  await expect(row).toHaveAttribute("data-state", "uploading");
  await page.keyboard.press("Enter");
  await expect(dialog.getByRole("button", { name: "Keep uploading" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Cancel upload" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(row).toHaveAttribute("data-state", "cancelled");
  await expect(row).toBeFocused();
});
