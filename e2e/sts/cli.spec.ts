/**
 * The `ckan-upload` command line's throughput run (issue 13): a 1 GiB file, straight to Ceph RGW in
 * sts mode, object SHA-256 = the file's, one CKAN resource with size and hash. Prints MB/s.
 * (The fault, resume and error cases are in e2e/faults/cli.spec.ts, on smaller files.)
 */
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { STS_PORT } from "../../playwright.config";
import { cliHome, runCli } from "../support/cli";
import { makeFile } from "../support/files";
import { DEMO_TOKENS, newestSession } from "../support/portal";
import { objectSha256, rgwClient } from "../support/s3";

test("1 GiB through the command line: byte-identical, one resource with size and hash", async () => {
  test.setTimeout(900_000);
  const size = Number(process.env.E2E_CLI_BYTES ?? 1024 ** 3);
  const file = makeFile(`cli-1gib-${Date.now()}.bin`, size);
  const name = path.basename(file.path);
  try {
    const started = Date.now();
    const run = await runCli(["--portal", `http://127.0.0.1:${STS_PORT}`, "--json", "put", "test-dataset", file.path], { token: DEMO_TOKENS.editor_user, home: cliHome() });
    const seconds = (Date.now() - started) / 1000;
    expect(run.code, run.stderr).toBe(0);
    const done = run.events.find((e) => e.event === "completed")!;
    expect(done).toMatchObject({ name, size, sha256: file.sha256 });
    console.log(`ckan-upload: ${(size / 1024 ** 2).toFixed(0)} MiB in ${seconds.toFixed(1)} s = ${(size / 1e6 / seconds).toFixed(1)} MB/s (engine ${Number(done.seconds).toFixed(1)} s)`);
    const s = newestSession("file:./.tmp/e2e-sts.db", name)!;
    expect(s).toMatchObject({ status: "COMPLETED", size, sha256: file.sha256 });
    expect(s.resourceId).toBeTruthy();
    expect(await objectSha256(rgwClient(), s.bucket, s.key)).toEqual({ sha256: file.sha256, size });
  } finally {
    fs.rmSync(file.path, { force: true });
  }
});
