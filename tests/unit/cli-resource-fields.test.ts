/**
 * The command line's resource fields (issues 12 and 13): `--name`, `--description`, `--format` per
 * file in order, `--manifest` as CSV or JSON, `--replace` for one file; the fields reach the portal
 * with session creation (`POST /api/uploads` body), checked against the fake portal.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "undici";
import { FakePortal } from "@/lib/uploader/testing/fake-portal";
import { MemoryS3 } from "@/lib/uploader/testing/memory-s3";
import type { CreateSessionInput } from "@/lib/uploader/portal-api";
import { applyPerFileFlags, readManifest } from "@/packages/ckan-upload/src/manifest";
import { putOne, type PutItem } from "@/packages/ckan-upload/src/put";
import type { Portal } from "@/packages/ckan-upload/src/portal";
import type { Reporter } from "@/packages/ckan-upload/src/reporter";
import { CliError } from "@/packages/ckan-upload/src/exit-codes";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-fields-"));
  process.env.XDG_STATE_HOME = path.join(dir, "state");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
};

describe("--manifest", () => {
  it("reads CSV with a header in any order, RFC 4180 quoting (commas, quotes, line breaks) and a BOM", async () => {
    write("m/a.csv", "x");
    write("m/b.nc", "y");
    const manifest = write("m/manifest.csv", '\uFEFFformat,path,description,name\nCSV,a.csv,"Daily totals, in mm.\nSee ""methods"".",Rainfall\n,b.nc,,\n');
    expect(await readManifest(manifest)).toEqual([
      { path: path.join(dir, "m/a.csv"), name: "Rainfall", description: 'Daily totals, in mm.\nSee "methods".', format: "CSV" },
      { path: path.join(dir, "m/b.nc"), name: "b.nc" },
    ]);
  });

  it("reads JSON [{path, name, description, format}]", async () => {
    const manifest = write("m/manifest.json", JSON.stringify([{ path: "a.csv", description: "Notes", format: "Text CSV" }]));
    expect(await readManifest(manifest)).toEqual([{ path: path.join(dir, "m/a.csv"), name: "a.csv", description: "Notes", format: "Text CSV" }]);
  });

  it("refuses unknown CSV columns, a row without path, and bad JSON, naming the file (exit 2)", async () => {
    const bad = [
      [write("m/cols.csv", "path,title\na.csv,x\n"), /unknown column\(s\) title: use path, name, description, format/],
      [write("m/nopath.csv", "path,name\n,x\n"), /entry 1 has no "path"/],
      [write("m/bad.json", "{"), /Cannot read the manifest .*bad\.json/],
      [write("m/obj.json", '{"path": "a"}'), /must be a JSON list/],
    ] as const;
    for (const [file, message] of bad) {
      const err = await readManifest(file).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(2);
      expect((err as CliError).message).toMatch(message);
    }
  });
});

describe("per-file flags", () => {
  const items = (): PutItem[] => [{ path: "/a.csv", name: "a.csv" }, { path: "/b.csv", name: "b.csv" }];

  it("apply the n-th --name/--description/--format to the n-th file; missing ones keep the defaults", () => {
    const list = items();
    applyPerFileFlags(list, { name: ["A"], description: ["first", "second"], format: ["CSV"] });
    expect(list).toEqual([
      { path: "/a.csv", name: "A", description: "first", format: "CSV" },
      { path: "/b.csv", name: "b.csv", description: "second" },
    ]);
  });

  it("refuse more values than files, and --replace with several files or --replace-external alone", () => {
    expect(() => applyPerFileFlags(items(), { name: [], description: ["1", "2", "3"], format: [] })).toThrow(/3 --description values for 2 file\(s\)/);
    expect(() => applyPerFileFlags(items(), { name: [], description: [], format: [], replace: "r1" })).toThrow(/--replace takes exactly one file \(got 2\)/);
    expect(() => applyPerFileFlags(items().slice(0, 1), { name: [], description: [], format: [], replaceExternal: true })).toThrow(/needs --replace/);
    const one = items().slice(0, 1);
    applyPerFileFlags(one, { name: [], description: [], format: [], replace: "r1", replaceExternal: true });
    expect(one[0]).toMatchObject({ replaceResourceId: "r1", replaceExternal: true });
  });
});

describe("put", () => {
  it("sends description, format and the replaced resource with session creation (POST /api/uploads body)", async () => {
    const fake = new FakePortal({ s3: new MemoryS3() });
    const portal: Portal = { baseUrl: "http://portal.test", api: fake, listUploads: async () => [], getUpload: async () => { throw new Error("not used"); } };
    const silent: Reporter = { event() {}, note() {}, fileStart() {}, progress() {}, fileEnd() {}, summary() {}, stop() {} };
    const file = write("empty.csv", ""); // 0 bytes: stored without parts, so no store is needed
    const result = await putOne(portal, new Agent(), "test-dataset", { path: file, name: "Monthly", description: "Line one\nline two", format: "CSV", replaceResourceId: "res-9" }, { outageToleranceMs: 0, fresh: true }, silent, { requested: false, add() {}, remove() {} });
    expect(result.status).toBe("completed");
    const input = fake.callsOf("createSession")[0]!.args[0] as CreateSessionInput;
    expect(input).toMatchObject({ datasetId: "test-dataset", fileName: "Monthly", description: "Line one\nline two", format: "CSV", replaceResourceId: "res-9" });
    expect(input).not.toHaveProperty("replaceExternal");
  });
});

describe("the command", () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "packages/ckan-upload/src/main.ts", ...args], { encoding: "utf8", env: { ...process.env, NODE_NO_WARNINGS: "1", CKAN_API_TOKEN: "", CKAN_UPLOAD_PORTAL: "" } });

  it("documents the flags in put --help", () => {
    const out = cli("put", "--help");
    expect(out.status).toBe(0);
    for (const flag of ["--name <name>", "--description <text>", "--format <format>", "--manifest <file>", "--replace <resource-id>", "--replace-external"]) expect(out.stdout).toContain(flag);
  }, 120_000); // a child process started through tsx: seconds on a busy CI machine

  it("exits 2 for --replace with two files, before contacting any portal", () => {
    const a = write("c/a.csv", "1");
    const b = write("c/b.csv", "2");
    const out = cli("put", "--portal", "http://127.0.0.1:9", "ds", a, b, "--replace", "r1");
    expect(out.status).toBe(2);
    expect(out.stderr).toContain("--replace takes exactly one file (got 2)");
  }, 120_000);
});
