/**
 * Creating a dataset (issue 12) without peers: CKAN's name rules and the name derived from a title; demo
 * CKAN's package_create and license_list driven by the real client and compared in shape with CKAN 2.10.10
 * answers (shared/fixtures/ckan-2.10/package_create.json, error_validation.json); and the speed shown for
 * tiny files (never "0.0 MB/s").
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CkanError, createCkanClient } from "@/lib/ckan";
import { datasetNameProblem, nameFromTitle } from "@/lib/datasets/name-rules";
import { formatAverageSpeed, formatSpeed } from "@/lib/format";
import { DEMO_TOKENS } from "@/scripts/ckan-demo/seed";
import { startDemoCkan, type DemoCkan } from "@/scripts/ckan-demo/server";

const FIXTURE_DIR = path.resolve(__dirname, "../../../shared/fixtures/ckan-2.10");
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, name), "utf8")) as { _http_status: number; response: Record<string, any> };

describe("CKAN's dataset name rules (validators.py name_validator)", () => {
  it.each([
    ["ab", null], ["a", "too_short"], ["", "missing"], ["x".repeat(100), null], ["x".repeat(101), "too_long"],
    ["new", "reserved"], ["edit", "reserved"], ["search", "reserved"], ["data_2026-11", null],
    ["Bad Name!", "characters"], ["données", "characters"], ["UPPER", "characters"],
  ])("%j → %s", (name, problem) => {
    expect(datasetNameProblem(name)).toBe(problem);
  });

  it("derives a name from a title: accents dropped, lowercase, other runs one dash, at most 100 characters", () => {
    expect(nameFromTitle("Données été 2026!")).toBe("donnees-ete-2026");
    expect(nameFromTitle("  Monthly  figures / Q3 ")).toBe("monthly-figures-q3");
    expect(nameFromTitle("snake_case stays")).toBe("snake_case-stays");
    expect(nameFromTitle("日本語")).toBe("");
    const long = nameFromTitle(`${"a".repeat(99)} b`);
    expect(long).toBe("a".repeat(99));
    expect(datasetNameProblem(nameFromTitle("Ünïcödé title with – dashes — and more"))).toBeNull();
  });
});

describe("demo CKAN package_create and license_list, as CKAN 2.10 answers", () => {
  let demo: DemoCkan;
  beforeAll(async () => {
    demo = await startDemoCkan({ port: 0 });
  });
  afterAll(async () => {
    await demo.close();
  });
  const as = (user: keyof typeof DEMO_TOKENS) => createCkanClient({ baseUrl: demo.url, token: DEMO_TOKENS[user], timeoutMs: 5000 });
  const raw = async (token: string, body: unknown) => {
    const res = await fetch(`${demo.url}/api/3/action/package_create`, { method: "POST", headers: { Authorization: token, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };

  it("an editor's package_create answers the fixture's fields; `state` is ignored for non-sysadmins (ckan/ckan#5497)", async () => {
    const answer = await raw(DEMO_TOKENS.editor_user, { name: "probe-set", title: "Probe", owner_org: "test-org", notes: "n", private: true, license_id: "cc-by", state: "draft" });
    const expected = fixture("package_create.json");
    expect(answer.status).toBe(expected._http_status);
    expect(Object.keys(answer.json.result).sort()).toEqual(Object.keys(expected.response.result).sort());
    expect(answer.json.result).toMatchObject({ name: "probe-set", state: "active", private: true, license_id: "cc-by", license_title: "Creative Commons Attribution", owner_org: "f1b320fb-a460-46a9-9336-ab3d0a8eb2a4" });
  });

  it("a sysadmin's `state: draft` is kept", async () => {
    const pkg = await as("ckan_admin").packageCreate({ name: "admin-draft", owner_org: "other-org", state: "draft" });
    expect(pkg.state).toBe("draft");
  });

  it("a bad name answers 409 like the fixture; a name in use 'That URL is already in use.'; no organization 'An organization must be provided'", async () => {
    const bad = await raw(DEMO_TOKENS.editor_user, { name: "Bad Name!", owner_org: "test-org" });
    const expected = fixture("error_validation.json");
    expect(bad.status).toBe(expected._http_status);
    expect(bad.json).toEqual({ ...expected.response, help: `${demo.url}/api/3/action/help_show?name=package_create` });
    const taken = (await as("editor_user").packageCreate({ name: "test-dataset", owner_org: "test-org" }).catch((e: unknown) => e)) as CkanError;
    expect(taken).toBeInstanceOf(CkanError);
    expect([taken.kind, taken.status, taken.fieldErrors]).toEqual(["validation", 409, { name: ["That URL is already in use."] }]);
    const noOrg = await raw(DEMO_TOKENS.ckan_admin, { name: "orphan" });
    expect(noOrg.json.error).toEqual({ owner_org: ["An organization must be provided"], __type: "Validation Error" });
  });

  it("auth as CKAN 2.10: no editor role anywhere → 'not authorized to create packages'; another organization → 'to add dataset to this organization'", async () => {
    const plain = (await as("plain_user").packageCreate({ name: "plain-set", owner_org: "test-org" }).catch((e: unknown) => e)) as CkanError;
    expect([plain.kind, plain.status, plain.ckanMessage]).toEqual(["authorization", 403, "Access denied: User plain_user not authorized to create packages"]);
    const other = (await as("editor_user").packageCreate({ name: "elsewhere", owner_org: "other-org" }).catch((e: unknown) => e)) as CkanError;
    expect(other.ckanMessage).toBe("Access denied: User editor_user not authorized to add dataset to this organization");
    expect(demo.state.getDataset("plain-set")).toBeUndefined();
    expect(demo.state.getDataset("elsewhere")).toBeUndefined();
  });

  it("license_list: CKAN's default register, in order", async () => {
    const licenses = await as("editor_user").licenseList();
    expect(licenses.map((l) => l.id)).toEqual([
      "notspecified", "odc-pddl", "odc-odbl", "odc-by", "cc-zero", "cc-by", "cc-by-sa", "gfdl",
      "other-open", "other-pd", "other-at", "uk-ogl", "cc-nc", "other-nc", "other-closed",
    ]);
    expect(licenses[5]).toEqual({ id: "cc-by", title: "Creative Commons Attribution" });
  });
});

describe("speeds shown in the UI", () => {
  it("never '0.0 MB/s': no speed yet is '—', a slow one is in kB/s, files under 1 MiB have no average speed", () => {
    expect(formatSpeed(0)).toBe("—");
    expect(formatSpeed(Number.NaN)).toBe("—");
    expect(formatSpeed(158)).toBe("1 kB/s");
    expect(formatSpeed(42_000)).toBe("42 kB/s");
    expect(formatSpeed(2_500_000)).toBe("2.5 MB/s");
    expect(formatAverageSpeed(79, 158)).toBe("—");
    expect(formatAverageSpeed(20 * 1024 * 1024, null)).toBe("—");
    expect(formatAverageSpeed(20 * 1024 * 1024, 4_000_000)).toBe("4.0 MB/s");
  });
});
