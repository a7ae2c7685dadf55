import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, S3_MAX_OBJECT_BYTES } from "@/lib/config";

const minimal = {
  CKAN_URL: "https://ckan.example.org/",
  S3_BUCKET: "ckan-uploads",
  S3_ROLE_ARN: "arn:aws:iam::123456789012:role/ckan-upload",
  NEXTAUTH_SECRET: "s".repeat(32),
};

function issues(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  it("fills every default", () => {
    const c = parseConfig(minimal);
    expect(c).toMatchObject({
      CKAN_URL: "https://ckan.example.org",
      CKAN_API_TOKEN_HEADER: "Authorization",
      S3_REGION: "us-east-1",
      S3_FORCE_PATH_STYLE: false,
      S3_KEY_PREFIX: "uploads/",
      STS_DURATION_SECONDS: 900,
      CREDENTIALS_MODE: "sts",
      MAX_UPLOAD_BYTES: S3_MAX_OBJECT_BYTES,
      PART_SIZE_BYTES: 5 * 1024 * 1024,
      PART_CONCURRENCY: 4,
      PART_TUNING: "adaptive",
      DATABASE_URL: "file:./data/portal.db",
      PORTAL_ADMINS: [],
    });
  });

  it("names each missing variable", () => {
    expect(issues({})).toEqual(expect.arrayContaining(["CKAN_URL: is required", "S3_BUCKET: is required", "NEXTAUTH_SECRET: is required"]));
  });

  it("names each malformed variable", () => {
    const found = issues({ ...minimal, CKAN_URL: "not a url", PART_SIZE_BYTES: "1000", PART_CONCURRENCY: "x", PART_TUNING: "smart", S3_FORCE_PATH_STYLE: "maybe", CREDENTIALS_MODE: "magic", S3_KEY_PREFIX: "/abs" });
    for (const name of ["CKAN_URL", "PART_SIZE_BYTES", "PART_CONCURRENCY", "PART_TUNING", "S3_FORCE_PATH_STYLE", "CREDENTIALS_MODE", "S3_KEY_PREFIX"]) {
      expect(found.some((i) => i.startsWith(`${name}:`))).toBe(true);
    }
  });

  it("requires S3_ROLE_ARN in sts mode only", () => {
    expect(issues({ ...minimal, S3_ROLE_ARN: undefined })).toEqual(["S3_ROLE_ARN: is required when CREDENTIALS_MODE=sts"]);
    expect(parseConfig({ ...minimal, S3_ROLE_ARN: undefined, CREDENTIALS_MODE: "presigned" }).CREDENTIALS_MODE).toBe("presigned");
  });

  it("parses lists and numbers", () => {
    const c = parseConfig({ ...minimal, PORTAL_ADMINS: " alice, bob ,", MAX_UPLOAD_BYTES: "1048576", S3_FORCE_PATH_STYLE: "true" });
    expect(c.PORTAL_ADMINS).toEqual(["alice", "bob"]);
    expect(c.MAX_UPLOAD_BYTES).toBe(1048576);
    expect(c.S3_FORCE_PATH_STYLE).toBe(true);
  });
});

describe("parseConfig: upload engine settings (issue 3)", () => {
  it("defaults the sweeper, the refresh margin and the browser endpoint", () => {
    const c = parseConfig(minimal);
    expect(c).toMatchObject({ STALE_UPLOAD_HOURS: 72, SWEEP_INTERVAL_MINUTES: 0, STS_REFRESH_MARGIN_SECONDS: 300 });
    expect(c.S3_BROWSER_ENDPOINT).toBeUndefined();
  });

  it("reads them, and refuses a malformed browser endpoint or a stale age of 0", () => {
    const c = parseConfig({ ...minimal, STALE_UPLOAD_HOURS: "24", SWEEP_INTERVAL_MINUTES: "15", S3_BROWSER_ENDPOINT: "http://127.0.0.1:4700" });
    expect(c).toMatchObject({ STALE_UPLOAD_HOURS: 24, SWEEP_INTERVAL_MINUTES: 15, S3_BROWSER_ENDPOINT: "http://127.0.0.1:4700" });
    expect(() => parseConfig({ ...minimal, S3_BROWSER_ENDPOINT: "not a url" })).toThrow(/S3_BROWSER_ENDPOINT/);
    expect(() => parseConfig({ ...minimal, STALE_UPLOAD_HOURS: "0" })).toThrow(/STALE_UPLOAD_HOURS/);
  });
});

describe("parseConfig: STS_DURATION_SECONDS (issue 10 item 6, CASES 30; issue 9 credential window)", () => {
  const bounds = "must be between 900 and 43,200 seconds (AWS STS AssumeRole DurationSeconds; above 3,600 the role's maximum session duration must allow it — npm run doctor checks)";

  it("defaults to 900 s, AWS's minimum, with the 300 s refresh margin", () => {
    expect(parseConfig(minimal)).toMatchObject({ STS_DURATION_SECONDS: 900, STS_REFRESH_MARGIN_SECONDS: 300 });
  });

  it.each(["600", "60", "899", "43201", "86400"])("refuses %s, naming the variable and AWS's bounds", (value) => {
    expect(issues({ ...minimal, STS_DURATION_SECONDS: value })).toEqual([`STS_DURATION_SECONDS: ${bounds}`]);
  });

  it("refuses a fraction or a word, naming the variable", () => {
    expect(issues({ ...minimal, STS_DURATION_SECONDS: "900.5" })).toEqual(["STS_DURATION_SECONDS: must be a whole number of seconds"]);
    expect(issues({ ...minimal, STS_DURATION_SECONDS: "an hour" })[0]).toMatch(/^STS_DURATION_SECONDS: /);
  });

  it.each(["900", "3600", "7200", "43200"])("accepts %s (the role's maximum is checked by npm run doctor, not here)", (value) => {
    expect(parseConfig({ ...minimal, STS_DURATION_SECONDS: value }).STS_DURATION_SECONDS).toBe(Number(value));
  });

  it("refuses a refresh margin as long as the credential (sts mode), and keeps the e2e faults stack's 900/890", () => {
    expect(issues({ ...minimal, STS_DURATION_SECONDS: "900", STS_REFRESH_MARGIN_SECONDS: "900" })).toEqual([
      "STS_REFRESH_MARGIN_SECONDS: must be less than STS_DURATION_SECONDS (900): browsers refresh credentials this many seconds before they expire",
    ]);
    expect(parseConfig({ ...minimal, STS_DURATION_SECONDS: "900", STS_REFRESH_MARGIN_SECONDS: "890" }).STS_REFRESH_MARGIN_SECONDS).toBe(890);
    expect(parseConfig({ ...minimal, CREDENTIALS_MODE: "presigned", STS_REFRESH_MARGIN_SECONDS: "900" }).CREDENTIALS_MODE).toBe("presigned");
  });
});
