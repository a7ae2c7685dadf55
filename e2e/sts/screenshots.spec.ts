/**
 * Look and feel (issue 12; sts stack): screenshots of every page at 1,280 px and 390 px in the light and the
 * dark theme (prefers-color-scheme, emulated) written to .tmp/screenshots/ (kept as CI artefacts), with axe
 * (0 serious/critical) on each; and the look-and-feel rules as assertions: no "0.0 MB/s" for a tiny file,
 * the admin table breaks no token in two at 1,280 px (names truncated with a title instead), the session
 * timeline shows labels ("Part size", "CKAN dataset") rather than raw keys, and a completed session shows its ETag.
 */
import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { makeFile } from "../support/files";
import { DEMO_TOKENS, expectNoSeriousA11yViolations, signIn } from "../support/portal";

const DIR = path.resolve(__dirname, "../../.tmp/screenshots");
const WIDTHS = [{ width: 1280, height: 800 }, { width: 390, height: 844 }] as const;
const SCHEMES = ["light", "dark"] as const;

/** Uploads `files` to test-dataset from its upload page and waits until each is completed. */
async function upload(page: Page, files: Array<{ path: string }>): Promise<void> {
  await page.goto("/datasets/test-dataset/upload");
  await page.getByLabel("Choose files").setInputFiles(files.map((f) => f.path));
  for (const f of files) {
    await expect(page.getByTestId("upload-row").filter({ hasText: path.basename(f.path) })).toHaveAttribute("data-state", "completed", { timeout: 120_000 });
  }
}

/** Opens the admin page of the newest session of `fileName` from /admin/uploads. */
async function openSession(page: Page, fileName: string): Promise<void> {
  await page.goto("/admin/uploads");
  await page.locator("tr[data-session-id]").filter({ hasText: fileName }).first().getByRole("link", { name: fileName, exact: true }).click();
  await page.waitForURL(/\/admin\/uploads\/[0-9a-f-]{36}$/);
}

for (const size of WIDTHS) {
  for (const scheme of SCHEMES) {
    const variant = `${size.width}-${scheme}`;
    test(`every page at ${size.width} px in the ${scheme} theme: screenshot and axe`, async ({ browser }) => {
      fs.mkdirSync(DIR, { recursive: true });
      const context = await browser.newContext({ viewport: size, colorScheme: scheme });
      const page = await context.newPage();
      const shoot = async (name: string) => {
        await page.screenshot({ path: path.join(DIR, `${name}-${variant}.png`), fullPage: true });
        await expectNoSeriousA11yViolations(page);
        // Nothing makes the page itself scroll sideways (wide tables scroll inside their own box).
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name}: page wider than the viewport`).toBeLessThanOrEqual(size.width);
      };
      try {
        await page.goto("/login");
        // The theme follows the emulated preference: a dark page background in dark, a light one in light.
        const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        const lightness = await page.evaluate((c) => {
          // Any CSS colour (Tailwind 4 uses oklch) to sRGB through a 1-pixel canvas.
          const ctx = document.createElement("canvas").getContext("2d")!;
          ctx.fillStyle = c;
          ctx.fillRect(0, 0, 1, 1);
          const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
          return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
        }, background);
        if (scheme === "dark") expect(lightness).toBeLessThan(0.2);
        else expect(lightness).toBeGreaterThan(0.9);
        await shoot("login");

        await signIn(page, DEMO_TOKENS.ckan_admin);
        await shoot("home");
        await page.goto("/datasets/test-dataset/upload");
        await expect(page.getByLabel("Choose files")).toBeAttached();
        await shoot("upload-idle");
        const file = makeFile(`shot-${variant}-${Date.now()}.csv`, 79);
        await upload(page, [file]);
        await shoot("upload-finished");
        await page.goto("/uploads");
        await shoot("uploads");
        await page.goto("/admin/uploads");
        await shoot("admin-list");
        await openSession(page, path.basename(file.path));
        await shoot("admin-session");
        await page.goto("/datasets/new");
        await expect(page.getByRole("heading", { name: "Create a dataset" })).toBeVisible();
        await shoot("datasets-new");
        expect((await page.goto("/no-such-page"))?.status()).toBe(404);
        await shoot("not-found");

        await context.clearCookies();
        await signIn(page, DEMO_TOKENS.plain_user);
        expect((await page.goto("/datasets/test-dataset/upload"))?.status()).toBe(403);
        await shoot("forbidden");
        await page.goto("/datasets/new");
        await expect(page.getByRole("heading", { name: "You cannot create datasets yet" })).toBeVisible();
        await shoot("datasets-new-refused");
      } finally {
        await context.close();
      }
    });
  }
}

test("look and feel at 1,280 px: no 0.0 MB/s for a tiny file, no token broken in the admin table, timeline labels, the ETag", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    const stamp = Date.now();
    const tiny = makeFile(`tiny-${stamp}.csv`, 79);
    const long = makeFile(`ckan_upload_portal_quarterly_statistics_for_publication_${stamp}_final_version.csv`, 1500);
    await signIn(page, DEMO_TOKENS.ckan_admin);
    await upload(page, [tiny, long]);
    await expect(page.locator("main")).not.toContainText("0.0 MB/s");

    await page.goto("/admin/uploads");
    const table = page.locator("table", { has: page.locator("tr[data-session-id]") });
    await expect(table).toBeVisible();
    await expect(page.locator("main")).not.toContainText("0.0 MB/s");
    const tinyRow = page.locator("tr[data-session-id]").filter({ hasText: path.basename(tiny.path) });
    await expect(tinyRow.locator("td").nth(8)).toHaveText("—");
    // Every cell: no token (a run without spaces, "-" or "/") spread over two lines, and nothing overflowing
    // unless it is truncated with the full text in a title.
    const problems = await table.evaluate((t) => {
      const found: string[] = [];
      for (const cell of Array.from(t.querySelectorAll("td, th"))) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
          const node = walker.currentNode;
          if (node.parentElement?.closest(".sr-only")) continue; // screen-reader text: a 1 px clip by design
          const text = node.textContent ?? "";
          for (const m of text.matchAll(/[^\s\-/]+/g)) {
            const range = document.createRange();
            range.setStart(node, m.index!);
            range.setEnd(node, m.index! + m[0].length);
            const lines = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
            if (lines.size > 1) found.push(`broken token: ${m[0]}`);
          }
        }
        if (cell.scrollWidth > cell.clientWidth) found.push(`overflowing cell: ${cell.textContent}`);
        for (const el of Array.from(cell.querySelectorAll<HTMLElement>("*"))) {
          if (el.closest(".sr-only")) continue; // screen-reader text: clipped to 1 px by design, never shown
          if (el.scrollWidth > el.clientWidth && getComputedStyle(el).overflow === "hidden" && !el.title) found.push(`clipped without a title: ${el.textContent}`);
        }
      }
      return found;
    });
    expect(problems).toEqual([]);
    const longLink = page.getByRole("link", { name: path.basename(long.path), exact: true });
    await expect(longLink).toHaveAttribute("title", path.basename(long.path));
    expect(await longLink.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true); // truncated, not wrapped

    await openSession(page, path.basename(tiny.path));
    await expect(page.locator("main")).not.toContainText("0.0 MB/s");
    await expect(page.locator("dt", { hasText: "Average speed" }).locator("xpath=following-sibling::dd[1]")).toHaveText("—");
    const etag = (await page.getByTestId("session-etag").textContent())?.trim() ?? "";
    expect(etag).toMatch(/^"?[0-9a-f]{32}(-\d+)?"?$/);
    const timeline = page.getByRole("list", { name: "Audit timeline" });
    const started = timeline.locator('li[data-event-type="session.created"]');
    await expect(started.locator("dt")).toContainText(["CKAN dataset", "Part size"]);
    await expect(started.locator("dt", { hasText: "Part size" }).locator("xpath=following-sibling::dd[1]")).toContainText("MiB");
    const completed = timeline.locator('li[data-event-type="session.completed"]');
    await expect(completed.locator("dt", { hasText: "ETag" }).locator("xpath=following-sibling::dd[1]")).toHaveText(etag);
    for (const raw of ["packageId", "partSize", "partCount", "resourceId", "uploadId"]) {
      await expect(timeline.locator("dt", { hasText: new RegExp(`^${raw}$`) })).toHaveCount(0);
    }
  } finally {
    await context.close();
  }
});
