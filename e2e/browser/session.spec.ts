/**
 * Sign-in that outlives its lifetime (issue 10 item 1, CASES 31), in Chromium against RGW through the
 * fault proxy. This stack ends a sign-in that is not renewed for 30 s (SESSION_IDLE_MINUTES=0.5).
 */
import { expect, test } from "@playwright/test";
import type { FaultProxy } from "../../tests/support/fault-proxy";
import { makeFile } from "../support/files";
import { DEMO_TOKENS, expectNoSeriousA11yViolations, signIn } from "../support/portal";
import { MiB, baseName, expectStored, openUploader, recordedParts, seenRowStates, startProxy, watchRowStates } from "./support";

const COOKIE = "next-auth.session-token";
let proxy: FaultProxy;

test.beforeAll(async () => {
  proxy = await startProxy();
});
test.afterAll(async () => proxy?.close());
test.beforeEach(() => proxy.reset());

test("a sign-in cookie that expires 30 s into a 60 MiB upload is renewed: the upload completes, no failure shown (CASES 31)", async ({ page, context }) => {
  const file = makeFile(`renew-${Date.now()}.bin`, 60 * MiB); // 12 parts
  await openUploader(page);
  // The browser drops the session cookie 30 s from now unless a response renews it (as it did with the old fixed lifetime).
  const cookie = (await context.cookies()).find((c) => c.name === COOKIE)!;
  const expiresAt = Math.floor(Date.now() / 1000) + 30;
  await context.addCookies([{ ...cookie, expires: expiresAt }]);
  await watchRowStates(page);
  proxy.holdPartsAfter(4); // the upload sits at 4 of 12 parts until the original cookie has expired
  await page.getByLabel("Choose files").setInputFiles(file.path);
  await expect.poll(() => Object.keys(proxy.stats().storedParts).length, { timeout: 60_000 }).toBe(4);
  // Wait for the moment an unrenewed sign-in has ended: the original cookie's expiry plus 5 s.
  await expect.poll(() => Date.now() / 1000 > expiresAt + 5, { timeout: 60_000, intervals: [1_000] }).toBe(true);
  proxy.releaseHeld();
  const row = page.getByTestId("upload-row");
  await expect(row).toHaveAttribute("data-state", "completed", { timeout: 120_000 });
  const seen = await seenRowStates(page);
  expect(seen.filter((s) => s.includes("failed") || s.includes("signed-out"))).toEqual([]);
  const renewed = (await context.cookies()).find((c) => c.name === COOKIE);
  expect(renewed?.expires ?? 0).toBeGreaterThan(expiresAt); // the keep-alive re-issued it
  expect(Object.values(proxy.stats().storedParts)).toEqual(Array(12).fill(1)); // every part once
  await expectStored(baseName(file.path), file);
});

test("signed out in another tab mid-upload: the row says so, keeps every part, and completes after signing in again — no Retry (CASES 31)", async ({ page, context }) => {
  const file = makeFile(`signout-${Date.now()}.bin`, 60 * MiB);
  const name = baseName(file.path);
  await openUploader(page);
  await watchRowStates(page);
  proxy.holdPartsAfter(4);
  await page.getByLabel("Choose files").setInputFiles(file.path);
  await expect.poll(() => recordedParts(name), { timeout: 60_000 }).toBe(4);

  const other = await context.newPage();
  await other.goto("/");
  await other.getByRole("button", { name: "Sign out" }).click();
  await other.waitForURL((u) => u.pathname === "/login");
  proxy.releaseHeld(); // the parts go on (their STS credentials are still valid); reporting them gets 401

  const row = page.getByTestId("upload-row");
  await expect(row).toHaveAttribute("data-signed-out", "true", { timeout: 60_000 });
  await expect(row.getByTestId("status")).toHaveText("Signed out — sign in again in another tab; the upload continues by itself.");
  await expect(row.getByRole("button", { name: /^Retry/ })).toHaveCount(0);
  await expectNoSeriousA11yViolations(page);
  await expect.poll(() => Object.keys(proxy.stats().storedParts).length, { timeout: 60_000 }).toBe(12); // every part kept going
  await expect(row).not.toHaveAttribute("data-state", "completed");

  await signIn(other, DEMO_TOKENS.editor_user); // the login page tells the other tabs
  await expect(row).toHaveAttribute("data-state", "completed", { timeout: 60_000 });
  expect((await seenRowStates(page)).filter((s) => s.startsWith("failed"))).toEqual([]);
  expect(Object.values(proxy.stats().storedParts)).toEqual(Array(12).fill(1)); // nothing sent twice
  expect(recordedParts(name)).toBe(12);
  await expectStored(name, file);
});
