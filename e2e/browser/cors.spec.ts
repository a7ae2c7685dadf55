/**
 * Misdiagnosis (issue 10 item 3): the bucket's CORS rule removed in RGW looks, to a browser, exactly
 * like an outage (XMLHttpRequest status 0). The engine's probe tells them apart, so the row names the
 * CORS rule within seconds instead of waiting out the 5-minute outage tolerance.
 */
import { expect, test } from "@playwright/test";
import { DeleteBucketCorsCommand, GetBucketCorsCommand, type GetBucketCorsCommandOutput, PutBucketCorsCommand } from "@aws-sdk/client-s3";
import type { FaultProxy } from "../../tests/support/fault-proxy";
import { makeFile } from "../support/files";
import { rgwClient } from "../support/s3";
import { MiB, openUploader, recordedParts, baseName, startProxy } from "./support";

const bucket = process.env.S3_BUCKET ?? "ckan-uploads";
let proxy: FaultProxy;
let saved: GetBucketCorsCommandOutput | undefined;
test.beforeAll(async () => {
  proxy = await startProxy();
  saved = await rgwClient().send(new GetBucketCorsCommand({ Bucket: bucket }));
});
// In a hook, not a finally: a hook runs even when the test times out, so the bucket always gets its rule back.
test.afterAll(async () => {
  if (saved) await rgwClient().send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: saved.CORSRules } }));
  await proxy?.close();
});

test("the bucket's CORS rule removed: named within seconds, not waited out as an outage; the parts are kept", async ({ page }) => {
  const s3 = rgwClient();
  const file = makeFile(`cors-${Date.now()}.bin`, 6 * MiB);
  await openUploader(page);
  await s3.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
  try {
    const started = Date.now();
    await page.getByLabel("Choose files").setInputFiles(file.path);
    const row = page.getByTestId("upload-row");
    await expect(row).toHaveAttribute("data-state", "failed", { timeout: 20_000 });
    const seconds = (Date.now() - started) / 1000;
    console.log(`CORS rule missing: named after ${seconds.toFixed(1)} s`);
    await expect(row.getByRole("alert")).toContainText("CORS rule does not let this page");
    await expect(row.getByRole("alert")).toContainText("AllowedHeaders");
    expect(recordedParts(baseName(file.path))).toBe(0);
  } finally {
    await s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: saved!.CORSRules } }));
  }
  // With the rule back, Retry finishes the same upload.
  await page.getByRole("button", { name: /^Retry/ }).click();
  await expect(page.getByTestId("upload-row")).toHaveAttribute("data-state", "completed", { timeout: 60_000 });
});
