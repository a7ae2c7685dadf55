/**
 * The engine's Node adapters (issue 13): file reader (positional reads, no whole-file buffer), hasher
 * (node:crypto SHA-256 + CRC32C, equal to the browser's), transport (undici, Content-Length, progress,
 * abort), and the whole engine running on them; plus the portal's bearer-token parsing.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFileUpload } from "@/lib/uploader/file-upload";
import { createInlineFileHasher } from "@/lib/uploader/file-hasher";
import { planParts } from "@/lib/uploader/plan";
import { createNodeFileHasher, createNodeTransport, openNodeFile, READ_CHUNK_BYTES } from "@/lib/uploader/node";
import { FakePortal } from "@/lib/uploader/testing/fake-portal";
import { MemoryS3 } from "@/lib/uploader/testing/memory-s3";
import { bytesOf, sha256 } from "@/lib/uploader/testing/bytes";
import { isUploadEngineError, pausedReason } from "@/lib/uploader/errors";
import { bearerToken } from "@/lib/api/token-auth";
import { certificateProblem } from "@/lib/uploader/node/transport";
import { makeTestCa } from "../../e2e/support/tls";

const MiB = 1024 * 1024;
let dir: string;
let filePath: string;
let bytes: Uint8Array<ArrayBuffer>;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "node-uploader-"));
  bytes = bytesOf(12 * MiB + 12345, 7);
  filePath = path.join(dir, "data.bin");
  fs.writeFileSync(filePath, bytes);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("openNodeFile", () => {
  it("reads any byte range at its offset, in chunks of at most 1 MiB", async () => {
    const f = await openNodeFile(filePath, { name: "x/y.bin" });
    try {
      expect({ size: f.size, name: f.name }).toEqual({ size: bytes.length, name: "x/y.bin" });
      expect(f.lastModified).toBe(Math.floor(fs.statSync(filePath).mtimeMs));
      const s = f.slice(5 * MiB - 3, 10 * MiB + 7);
      expect(Buffer.from(await s.arrayBuffer()).equals(Buffer.from(bytes.subarray(5 * MiB - 3, 10 * MiB + 7)))).toBe(true);
      const chunks: number[] = [];
      const h = createHash("sha256");
      for await (const c of s.chunks()) {
        chunks.push(c.length);
        h.update(c);
      }
      expect(Math.max(...chunks)).toBeLessThanOrEqual(READ_CHUNK_BYTES);
      expect(h.digest("hex")).toBe(sha256(bytes.subarray(5 * MiB - 3, 10 * MiB + 7)));
      expect(f.slice(-10).size).toBe(10);
    } finally {
      await f.close();
    }
  });

  it("refuses a folder", async () => {
    await expect(openNodeFile(dir)).rejects.toThrow(/not a regular file/);
  });
});

describe("createNodeFileHasher", () => {
  it("gives the same whole-file SHA-256 and part CRC32Cs as the browser's hasher", async () => {
    const f = await openNodeFile(filePath);
    try {
      const plan = planParts(f.size, { partSize: 5 * MiB });
      const mine = createNodeFileHasher(f.asUploadFile(), plan);
      const theirs = createInlineFileHasher(new Blob([bytes]), plan);
      expect(await mine.sha256()).toBe(sha256(bytes));
      for (let n = 1; n <= plan.partCount; n++) expect(await mine.partDigest(n)).toBe(await theirs.partDigest(n));
    } finally {
      await f.close();
    }
  });
});

describe("createNodeTransport", () => {
  let server: http.Server;
  let url: string;
  const seen: Array<{ length: string | undefined; body: Buffer; checksum: string | undefined; acl: string | undefined }> = [];
  let hang = false;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        seen.push({ length: req.headers["content-length"], body, checksum: req.headers["x-amz-checksum-crc32c"] as string | undefined, acl: req.headers["x-amz-acl"] as string | undefined });
        if (hang) return; // never answers
        res.writeHead(200, { etag: `"${createHash("md5").update(body).digest("hex")}"` }).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bucket/key?partNumber=1&uploadId=u`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("PUTs the slice with Content-Length and the signed headers, reports monotonic progress, returns the ETag", async () => {
    const f = await openNodeFile(filePath);
    try {
      const part = f.slice(MiB, 4 * MiB + 1);
      const progress: number[] = [];
      const res = await createNodeTransport().put(
        { url, headers: { "x-amz-checksum-crc32c": "AAAAAA==", "x-amz-acl": "private" }, body: part as unknown as Blob, stallTimeoutMs: 10_000, onProgress: (n) => progress.push(n) },
        new AbortController().signal,
      );
      expect(res.status).toBe(200);
      const last = seen.at(-1)!;
      expect(last.length).toBe(String(3 * MiB + 1));
      expect(last.body.equals(Buffer.from(bytes.subarray(MiB, 4 * MiB + 1)))).toBe(true);
      expect(last.checksum).toBe("AAAAAA==");
      expect(last.acl).toBeUndefined(); // never sent (CASES 20)
      expect(res.headers("ETag")).toBe(`"${createHash("md5").update(last.body).digest("hex")}"`);
      expect(progress.at(-1)).toBe(3 * MiB + 1);
      for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1]);
    } finally {
      await f.close();
    }
  });

  it("rejects with the signal's reason (pause) on abort, and with `network` when nothing listens", async () => {
    const f = await openNodeFile(filePath);
    try {
      hang = true;
      const c = new AbortController();
      const p = createNodeTransport().put({ url, headers: {}, body: f.slice(0, 1000) as unknown as Blob, stallTimeoutMs: 0, onProgress: () => undefined }, c.signal);
      setTimeout(() => c.abort(pausedReason()), 50);
      await expect(p).rejects.toSatisfy((e: unknown) => isUploadEngineError(e, "paused"));
      hang = false;
      const dead = createNodeTransport().put({ url: "http://127.0.0.1:9/x", headers: {}, body: f.slice(0, 10) as unknown as Blob, stallTimeoutMs: 0, onProgress: () => undefined }, new AbortController().signal);
      await expect(dead).rejects.toSatisfy((e: unknown) => isUploadEngineError(e, "network"));
    } finally {
      await f.close();
    }
  });

  it("a store whose TLS certificate comes from an untrusted CA: fails at once (not retryable), naming the certificate problem and NODE_EXTRA_CA_CERTS", async () => {
    const ca = makeTestCa(path.join(dir, "ca"));
    let received = 0;
    const store = https.createServer({ key: ca.key, cert: ca.cert }, (_req, res) => {
      received++;
      res.writeHead(200, { etag: '"x"' }).end();
    });
    await new Promise<void>((r) => store.listen(0, "127.0.0.1", r));
    const f = await openNodeFile(filePath);
    try {
      const url = `https://127.0.0.1:${(store.address() as AddressInfo).port}/bucket/key?partNumber=1`;
      const p = createNodeTransport().put({ url, headers: {}, body: f.slice(0, 1000) as unknown as Blob, stallTimeoutMs: 0, onProgress: () => undefined }, new AbortController().signal);
      const err = await p.then(() => null, (e: unknown) => e);
      expect(isUploadEngineError(err, "network")).toBe(true);
      expect((err as { retryable: boolean }).retryable).toBe(false);
      expect((err as Error).message).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
      expect((err as Error).message).toContain("NODE_EXTRA_CA_CERTS");
      expect(received).toBe(0);
      // The same failure's cause, as the command line's start-up check sees it through fetch.
      expect(certificateProblem(new Error("fetch failed", { cause: err }))).toMatch(/^UNABLE_TO_VERIFY_LEAF_SIGNATURE: /);
      expect(certificateProblem(new Error("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) }))).toBeNull();
    } finally {
      await f.close();
      store.closeAllConnections();
      await new Promise((r) => store.close(r));
    }
  });
});

describe("the engine on the Node adapters", () => {
  it("uploads a file from disk: the assembled object and the SHA-256 sent on complete are the file's", async () => {
    const f = await openNodeFile(filePath);
    try {
      const s3 = new MemoryS3();
      const portal = new FakePortal({ s3, partSize: 5 * MiB });
      const upload = createFileUpload({ file: f.asUploadFile(), datasetId: "d", api: portal, transport: s3, hashFile: createNodeFileHasher, checksum: "CRC32C" });
      await upload.start();
      expect(upload.state).toBe("completed");
      expect(sha256(portal.object!)).toBe(sha256(bytes));
      const complete = portal.calls.find((c) => c.method === "complete")!;
      expect((complete.args[1] as { sha256?: string }).sha256).toBe(sha256(bytes)); // with the unreported parts (issue 12)
    } finally {
      await f.close();
    }
  });
});

describe("bearerToken", () => {
  const h = (v?: string) => new Headers(v === undefined ? {} : { authorization: v });
  it("reads `Authorization: Bearer <token>` only", () => {
    expect(bearerToken(h("Bearer abc.def-1"))).toBe("abc.def-1");
    expect(bearerToken(h("bearer   abc"))).toBe("abc");
    expect(bearerToken(h())).toBeNull();
    expect(bearerToken(h("Basic dXNlcjpwdw=="))).toBeNull();
    expect(bearerToken(h("Bearer a b"))).toBeNull();
  });
});
