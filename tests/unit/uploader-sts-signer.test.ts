/**
 * The STS signer's SigV4 header signature is checked against two verifiers that
 * rebuild the request from what the browser actually sends (the returned URL,
 * the returned headers and the Host the browser derives from the URL):
 * - an independent implementation of the SigV4 spec with node:crypto HMAC;
 * - a separate @smithy/signature-v4 SignatureV4 fed with a node:crypto SHA-256.
 * So a wrong canonical URI (non-ASCII key, double encoding), query (RGW's `2~`
 * UploadIds), Host (path-style with a port, virtual-hosted) or signed-header
 * set would fail here, not only against a real store.
 */
import { createHash, createHmac } from "node:crypto";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import type { Clock } from "@/lib/uploader/clock";
import { type StsCredentials, type StsSignerOptions, createStsSigner } from "@/lib/uploader/sts-signer";

const NOW = Date.UTC(2026, 10, 29, 13, 40, 9); // 2026-11-29T13:40:09Z
const KEY = "uploads/org/ds/uuid/日本語データ.csv";
const UPLOAD_ID = "2~abc_DEF-1";
const ENCODED_NAME = "%E6%97%A5%E6%9C%AC%E8%AA%9E%E3%83%87%E3%83%BC%E3%82%BF.csv";
const CREDS: StsCredentials = {
  accessKeyId: "ASIATESTKEY",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  sessionToken: "FwoGZXIvYXdzEJr//////////wEaDH+token/with=chars",
  expiration: NOW + 3600_000,
};

const fixedClock = (ms: number): Clock => ({ now: () => ms, sleep: async () => {} });

function signer(o: Partial<StsSignerOptions> = {}) {
  return createStsSigner({
    bucket: "bucket",
    key: KEY,
    uploadId: UPLOAD_ID,
    region: "us-east-1",
    credentials: CREDS,
    refreshCredentials: async () => {
      throw new Error("no refresh expected");
    },
    clock: fixedClock(NOW),
    ...o,
  });
}

/** RFC 3986 percent-encoding as SigV4 wants it (unreserved: A-Z a-z 0-9 - . _ ~). */
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hex = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

interface Sent {
  method: string;
  url: URL;
  /** The headers on the wire: the signer's plus the Host the browser sets. */
  headers: Record<string, string>;
}

/** What the browser sends for a signed part. */
function onTheWire(part: { url: string; headers: Record<string, string> }): Sent {
  const url = new URL(part.url);
  return { method: "PUT", url, headers: { ...part.headers, host: url.host } };
}

/** Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. */
function parseAuthorization(value: string) {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(value);
  if (!m) throw new Error(`malformed Authorization: ${value}`);
  return { accessKeyId: m[1], date: m[2], region: m[3], service: m[4], signedHeaders: m[5].split(";"), signature: m[6] };
}

/** SigV4 per the spec, from scratch (what S3 / RGW compute from the request they receive). */
function independentSignature(sent: Sent, secretAccessKey: string): string {
  const lower = Object.fromEntries(Object.entries(sent.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const auth = parseAuthorization(lower.authorization);
  const amzDate = lower["x-amz-date"];
  // S3 canonical URI: the path as sent, each segment encoded once (decode then re-encode to normalise).
  const canonicalUri = sent.url.pathname.split("/").map((seg) => rfc3986(decodeURIComponent(seg))).join("/");
  const canonicalQuery = [...sent.url.searchParams.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)])
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonicalHeaders = auth.signedHeaders.map((name) => `${name}:${String(lower[name] ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
  const canonicalRequest = [
    sent.method,
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    auth.signedHeaders.join(";"),
    lower["x-amz-content-sha256"],
  ].join("\n");
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, hex(canonicalRequest)].join("\n");
  const kDate = hmac(`AWS4${secretAccessKey}`, auth.date);
  const kRegion = hmac(kDate, auth.region);
  const kService = hmac(kRegion, auth.service);
  const kSigning = hmac(kService, "aws4_request");
  return createHmac("sha256", kSigning).update(stringToSign, "utf8").digest("hex");
}

/** SHA-256 / HMAC-SHA-256 for SignatureV4, from node:crypto (not the signer's own hash). */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key = secret === undefined ? undefined : typeof secret === "string" ? secret : ArrayBuffer.isView(secret) ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength) : Buffer.from(secret);
    this.hash = key === undefined ? createHash("sha256") : createHmac("sha256", key);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === "string" ? data : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    throw new Error("not needed");
  }
}

/** The same request signed by a separately configured SignatureV4 (S3 settings: no double path encoding). */
async function smithySignature(sent: Sent, creds: StsCredentials, region: string, signingDate: Date): Promise<string> {
  const { authorization: _a, "x-amz-date": _d, "x-amz-security-token": _t, ...unsigned } = sent.headers;
  const query: Record<string, string> = {};
  for (const [k, v] of sent.url.searchParams) query[k] = v;
  const request = new HttpRequest({
    method: sent.method,
    protocol: sent.url.protocol,
    hostname: sent.url.hostname,
    port: sent.url.port ? Number(sent.url.port) : undefined,
    path: sent.url.pathname,
    query,
    headers: unsigned,
  });
  const v4 = new SignatureV4({
    service: "s3",
    region,
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: false,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken },
  });
  const signed = await v4.sign(request, { signingDate });
  return parseAuthorization(signed.headers.authorization).signature;
}

const cases = [
  {
    name: "path-style with an endpoint and port (RGW)",
    opts: { endpoint: "http://127.0.0.1:7480", forcePathStyle: true, region: "us-east-1" },
    url: `http://127.0.0.1:7480/bucket/uploads/org/ds/uuid/${ENCODED_NAME}`,
  },
  {
    name: "virtual-hosted on AWS (no endpoint)",
    opts: { region: "eu-west-1" },
    url: `https://bucket.s3.eu-west-1.amazonaws.com/uploads/org/ds/uuid/${ENCODED_NAME}`,
  },
] as const;

describe.each(cases)("STS signer, header-signed SigV4: $name", ({ opts, url }) => {
  it("returns the plain part URL (UploadId `2~` unescaped) and SigV4 headers, without Host", async () => {
    const part = await signer(opts).sign(3, { contentLength: 5 });
    expect(part.url).toBe(`${url}?partNumber=3&uploadId=2~abc_DEF-1`);
    expect(part.url).not.toMatch(/X-Amz-/i);
    expect(Object.keys(part.headers).sort()).toEqual(["authorization", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"]);
    expect(Object.keys(part.headers).map((h) => h.toLowerCase())).not.toContain("host");
    expect(part.headers["x-amz-date"]).toBe("20261129T134009Z");
    expect(part.headers["x-amz-security-token"]).toBe(CREDS.sessionToken);
    expect(part.headers["x-amz-content-sha256"]).toBe("UNSIGNED-PAYLOAD");
    const auth = parseAuthorization(part.headers.authorization);
    expect(auth).toMatchObject({ accessKeyId: "ASIATESTKEY", date: "20261129", region: opts.region, service: "s3" });
    expect(auth.signedHeaders).toEqual(["host", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"]);
    expect(part.expiresAt).toBe(NOW + 900_000);
  });

  it("produces the signature an independent SigV4 implementation computes for the request sent", async () => {
    const part = await signer(opts).sign(3, { contentLength: 5 });
    const sent = onTheWire(part);
    const { signature } = parseAuthorization(part.headers.authorization);
    expect(independentSignature(sent, CREDS.secretAccessKey)).toBe(signature);
    expect(await smithySignature(sent, CREDS, opts.region, new Date(NOW))).toBe(signature);
  });

  it.each([
    ["CRC32C", "x-amz-checksum-crc32c", "yZRlqg=="],
    ["SHA256", "x-amz-checksum-sha256", "LCa0a2j/xo/5m0U8HTBBNBNCLXBkg7+g+YpeiGJm564="],
  ] as const)("signs a %s checksum header into the signature", async (algorithm, header, value) => {
    const part = await signer({ ...opts, checksum: algorithm }).sign(1, { contentLength: 4, checksum: { algorithm, value } });
    expect(part.headers[header]).toBe(value);
    expect(part.headers["x-amz-sdk-checksum-algorithm"]).toBe(algorithm);
    const auth = parseAuthorization(part.headers.authorization);
    expect(auth.signedHeaders).toEqual(["host", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token", header, "x-amz-sdk-checksum-algorithm"].sort());
    const sent = onTheWire(part);
    expect(independentSignature(sent, CREDS.secretAccessKey)).toBe(auth.signature);
    expect(await smithySignature(sent, CREDS, opts.region, new Date(NOW))).toBe(auth.signature);
    // The checksum is really covered: another value no longer matches.
    expect(independentSignature({ ...sent, headers: { ...sent.headers, [header]: "AAAAAA==" } }, CREDS.secretAccessKey)).not.toBe(auth.signature);
  });
});

describe("STS signer, header-signed SigV4: what the signature covers", () => {
  const opts = cases[0].opts;

  it("would not match a request with another Host, path encoding, UploadId encoding or token", async () => {
    const part = await signer(opts).sign(2, { contentLength: 1 });
    const sent = onTheWire(part);
    const { signature } = parseAuthorization(part.headers.authorization);
    expect(independentSignature(sent, CREDS.secretAccessKey)).toBe(signature);
    const variants: Sent[] = [
      { ...sent, headers: { ...sent.headers, host: "127.0.0.1" } }, // port dropped
      { ...sent, url: new URL(part.url.replace("partNumber=2", "partNumber=3")) },
      { ...sent, url: new URL(part.url.replace("uploadId=2~abc_DEF-1", "uploadId=2~abc_DEF-2")) },
      { ...sent, url: new URL(part.url.replace("/bucket/", "/other/")) },
      { ...sent, headers: { ...sent.headers, "x-amz-security-token": "other" } },
    ];
    for (const v of variants) expect(independentSignature(v, CREDS.secretAccessKey)).not.toBe(signature);
    expect(independentSignature(sent, "another-secret")).not.toBe(signature);
  });

  it("sends no checksum header when checksums are off, even if one is computed", async () => {
    const part = await signer(opts).sign(1, { contentLength: 4, checksum: { algorithm: "CRC32C", value: "yZRlqg==" } });
    expect(Object.keys(part.headers).filter((h) => h.includes("checksum"))).toEqual([]);
    expect(parseAuthorization(part.headers.authorization).signedHeaders).not.toContain("x-amz-checksum-crc32c");
    expect(independentSignature(onTheWire(part), CREDS.secretAccessKey)).toBe(parseAuthorization(part.headers.authorization).signature);
  });

  it("signs with server time (local clock + learnt skew) and still verifies", async () => {
    const s = signer({ ...opts, clock: fixedClock(NOW - 20 * 60_000) });
    await s.refresh({ kind: "clock_skew", serverTime: NOW, localTime: NOW - 20 * 60_000 });
    expect(s.skewMs).toBe(20 * 60_000);
    const part = await s.sign(1, { contentLength: 1 });
    expect(part.headers["x-amz-date"]).toBe("20261129T134009Z");
    expect(independentSignature(onTheWire(part), CREDS.secretAccessKey)).toBe(parseAuthorization(part.headers.authorization).signature);
  });
});
