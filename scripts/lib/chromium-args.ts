/**
 * Flags for Debian's headless Chromium, shared by the Playwright end-to-end tests
 * (playwright.config.ts) and the upload benchmark (scripts/bench/browser.ts): no sandbox (root in a
 * container), no GPU, no background traffic that would disturb tests or measurements.
 */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
