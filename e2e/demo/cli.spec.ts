/**
 * The `ckan-upload` command line on `npm run demo`'s stack (presigned mode, embedded s3rver): a file
 * with a partial last part arrives byte-identical, as one CKAN resource with size and hash.
 */
import path from "node:path";
import { expect, test } from "@playwright/test";
import { DEMO_PORT, DEMO_S3_PORT } from "../../playwright.config";
import { cliHome, runCli } from "../support/cli";
import { makeFile } from "../support/files";
import { DEMO_TOKENS, openDb, sessionsNamed } from "../support/portal";
import { demoS3Client, objectSha256 } from "../support/s3";

test("the command line uploads in presigned mode: bytes, SHA-256 and one CKAN resource", async () => {
  const file = makeFile(`demo-cli-${Date.now()}.bin`, 12 * 1024 * 1024 + 5); // 3 parts
  const name = path.basename(file.path);
  const run = await runCli(["--portal", `http://127.0.0.1:${DEMO_PORT}`, "--json", "put", "test-dataset", file.path], { token: DEMO_TOKENS.editor_user, home: cliHome() });
  expect(run.code, run.stderr).toBe(0);
  expect(run.events.find((e) => e.event === "completed")).toMatchObject({ name, size: file.size, sha256: file.sha256 });
  const db = openDb("file:./.tmp/e2e-demo.db");
  const sessions = sessionsNamed(db, name);
  db.close();
  expect(sessions).toHaveLength(1);
  expect(sessions[0]).toMatchObject({ status: "COMPLETED", sha256: file.sha256 });
  expect(await objectSha256(demoS3Client(`http://127.0.0.1:${DEMO_S3_PORT}`), sessions[0].bucket, sessions[0].key)).toEqual({ sha256: file.sha256, size: file.size });
});
