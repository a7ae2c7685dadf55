/**
 * Smoke run of `npm run demo`'s stack (embedded s3rver, presigned mode, demo CKAN): one 20 MB upload
 * from sign-in to CKAN resource, so the README's demo command stays proven.
 */
import { expect, test } from "@playwright/test";
import { DEMO_S3_PORT } from "../../playwright.config";
import { demoS3Client, objectSha256 } from "../support/s3";
import { makeFile } from "../support/files";
import { DEMO_TOKENS, expectNoSeriousA11yViolations, openDb, sessionsNamed, signIn } from "../support/portal";

const DB_URL = "file:./.tmp/e2e-demo.db";
const S3_ENDPOINT = `http://127.0.0.1:${DEMO_S3_PORT}`;

test("the demo stack uploads a 20 MB file to a CKAN dataset in presigned mode", async ({ page }) => {
  const file = makeFile(`demo-smoke-${Date.now()}.bin`, 20 * 1000 * 1000);
  await signIn(page, DEMO_TOKENS.editor_user, "/login?callbackUrl=%2Fdatasets%2Ftest-dataset%2Fupload", "/datasets/test-dataset/upload");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Test Dataset");
  await expectNoSeriousA11yViolations(page);

  await expect(page.getByLabel("Choose files")).toBeEnabled();
  await page.getByLabel("Choose files").setInputFiles(file.path);
  const row = page.getByTestId("upload-row").filter({ hasText: file.path.split("/").pop()! });
  await expect(row).toHaveAttribute("data-state", "completed", { timeout: 120_000 });
  await expect(row.getByRole("link", { name: /Open the resource in CKAN/ })).toBeVisible();
  await expectNoSeriousA11yViolations(page);

  const db = openDb(DB_URL);
  const [session] = sessionsNamed(db, file.path.split("/").pop()!);
  db.close();
  expect(session.status).toBe("COMPLETED");
  expect(session.resourceId).toBeTruthy();
  expect(await objectSha256(demoS3Client(S3_ENDPOINT), session.bucket, session.key)).toEqual({ sha256: file.sha256, size: file.size });
});

test("no page prefetches the datasets' upload pages or the header's pages: each would be a server render asking CKAN, again after every live refresh", async ({ page }) => {
  const prefetched: string[] = [];
  page.on("request", (r) => {
    if (r.headers()["next-router-prefetch"]) prefetched.push(new URL(r.url()).pathname);
  });
  await signIn(page, DEMO_TOKENS.editor_user);
  await expect(page.getByRole("link", { name: /Upload files/ }).first()).toBeVisible();
  await page.waitForLoadState("networkidle");
  await page.goto("/datasets/test-dataset/upload");
  await expect(page.getByLabel("Choose files")).toBeEnabled();
  await page.waitForLoadState("networkidle");
  // A link is still fetched when it is followed (and Next.js may prefetch it on hover): only the eager ones are gone.
  expect(prefetched).toEqual([]);
});
