/**
 * Stub CKAN, S3 and STS for `bench:api` (issue 11): tiny HTTP servers that answer what the portal asks
 * during an upload — CKAN `user_show`, `package_show`, `organization_list_for_user`,
 * `package_collaborator_list_for_user`, `resource_create`, `package_patch`; S3 CreateMultipartUpload,
 * CompleteMultipartUpload, HeadObject, PutObject, DeleteObject, AbortMultipartUpload; STS AssumeRole — each
 * after a fixed latency, so that the bench measures the portal's own time and not a store's or CKAN's.
 *
 * Every call is counted (by service and action) and kept as an interval `[start, end]` in
 * `performance.now()` ms, tagged with the virtual upload it belongs to: its number `i` from the CKAN token
 * (`bench-token-<i>`), or from the object key / session policy, which hold the file name `bench-f<i>.bin`.
 * The bench subtracts the time a portal request spent waiting on stubs (the union of the tagged
 * intervals inside it) from its response time: that is the portal's overhead.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHash, randomUUID } from "node:crypto";

export const BENCH_ORG = { id: "0b0b0b0b-0000-4000-8000-000000000001", name: "bench-org", title: "Bench organization" };
export const BENCH_DATASET = { id: "0b0b0b0b-0000-4000-8000-000000000002", name: "bench-dataset", title: "Bench dataset" };
export const BENCH_BUCKET = "bench-bucket";

/** The CKAN token, user name, user id and file name of virtual upload slot `i`. */
export const benchUser = (i: number) => ({
  token: `bench-token-${i}`,
  name: `bench-u${i}`,
  id: `0b0b0b0b-0000-4000-8000-${String(i).padStart(12, "0")}`,
  fileName: `bench-f${i}.bin`,
});
const TAG = /bench-(?:token-|u|f)(\d+)/;

export interface StubCall {
  service: "ckan" | "s3" | "sts";
  action: string;
  /** Virtual upload slot, or -1 when the call names none. */
  tag: number;
  start: number;
  end: number;
}

export interface Stubs {
  ckanUrl: string;
  s3Url: string;
  calls: StubCall[];
  /** Calls by "service action". */
  counts(): Record<string, number>;
  close(): Promise<void>;
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json;charset=utf-8" });
  res.end(JSON.stringify(body));
};
const xml = (res: http.ServerResponse, body: string, headers: Record<string, string> = {}) => {
  res.writeHead(200, { "content-type": "application/xml", ...headers });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
};

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function listen(server: http.Server): Promise<string> {
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

/**
 * Starts the stubs. `latencyMs`: the delay before every answer (ms); `objectSize`: the size HeadObject
 * reports for every object (bytes; every virtual upload has the same size).
 */
export async function startStubs(opts: { latencyMs: number; objectSize: number }): Promise<Stubs> {
  const calls: StubCall[] = [];
  const wait = () => new Promise((r) => setTimeout(r, opts.latencyMs));
  const record = (service: StubCall["service"], action: string, tagSource: string, start: number) => {
    const m = TAG.exec(tagSource);
    calls.push({ service, action, tag: m ? Number(m[1]) : -1, start, end: performance.now() });
  };

  const pkg = {
    ...BENCH_DATASET, private: false, state: "active", type: "dataset", owner_org: BENCH_ORG.id,
    organization: { ...BENCH_ORG }, resources: [], num_resources: 0,
  };
  const userFor = (token: string) => {
    const m = /^bench-token-(\d+)$/.exec(token);
    if (!m) return null;
    const u = benchUser(Number(m[1]));
    return { id: u.id, name: u.name, display_name: `Bench user ${m[1]}`, fullname: `Bench user ${m[1]}`, sysadmin: false, state: "active" };
  };

  const ckan = http.createServer(async (req, res) => {
    const start = performance.now();
    const url = new URL(req.url ?? "/", "http://stub");
    const action = url.pathname.replace(/^\/api\/3\/action\//, "");
    const token = String(req.headers.authorization ?? "");
    const body = req.method === "POST" ? await readBody(req) : "";
    await wait();
    const user = userFor(token);
    const ok = (result: unknown) => json(res, 200, { help: "stub", success: true, result });
    const notFound = () => json(res, 404, { help: "stub", success: false, error: { __type: "Not Found Error", message: "Not found" } });
    switch (action) {
      case "user_show": user ? ok(user) : notFound(); break;
      case "package_show": ok(pkg); break;
      case "organization_list_for_user": ok(user ? [{ ...BENCH_ORG, capacity: "editor" }] : []); break;
      case "package_collaborator_list_for_user": ok([]); break;
      case "resource_create": {
        const input = JSON.parse(body || "{}") as Record<string, unknown>;
        ok({ ...input, id: randomUUID(), package_id: BENCH_DATASET.id, url: String(input.url ?? ""), state: "active", position: 0 });
        break;
      }
      case "package_patch": ok({ ...pkg, state: "active" }); break;
      case "status_show": ok({ ckan_version: "2.11.0", site_title: "stub", site_url: "http://stub", extensions: [] }); break;
      default: notFound();
    }
    record("ckan", action, token, start);
  });

  // S3 (path style) and STS (POST / with a form body) on one server. The multipart ETag (MD5 of the parts'
  // MD5s, "-count") is what S3 makes of the completed parts: the portal's integrity check compares it.
  const etags = new Map<string, string>();
  const multipartEtag = (body: string) => {
    const parts = [...body.matchAll(/<ETag>(?:&quot;|")?([0-9a-f]{32})(?:&quot;|")?<\/ETag>/g)].map((m) => Buffer.from(m[1], "hex"));
    return `"${createHash("md5").update(Buffer.concat(parts)).digest("hex")}-${parts.length}"`;
  };
  const s3 = http.createServer(async (req, res) => {
    const start = performance.now();
    const url = new URL(req.url ?? "/", "http://stub");
    const body = await readBody(req);
    await wait();
    const key = decodeURIComponent(url.pathname.split("/").slice(2).join("/"));
    let service: StubCall["service"] = "s3";
    let action: string;
    if (req.method === "POST" && url.pathname === "/") {
      service = "sts";
      action = new URLSearchParams(body).get("Action") ?? "unknown";
      const exp = new Date(Date.now() + 900_000).toISOString();
      xml(res, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIABENCH${Date.now()}</AccessKeyId><SecretAccessKey>benchsecret${randomUUID()}</SecretAccessKey><SessionToken>benchtoken${randomUUID()}</SessionToken><Expiration>${exp}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::000000000000:assumed-role/bench/x</Arn><AssumedRoleId>AROABENCH:x</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`);
      record(service, action, body, start);
      return;
    }
    if (req.method === "POST" && url.searchParams.has("uploads")) {
      action = "CreateMultipartUpload";
      xml(res, `<InitiateMultipartUploadResult><Bucket>${BENCH_BUCKET}</Bucket><Key>${key}</Key><UploadId>${randomUUID()}</UploadId></InitiateMultipartUploadResult>`);
    } else if (req.method === "POST" && url.searchParams.has("uploadId")) {
      action = "CompleteMultipartUpload";
      const etag = multipartEtag(body);
      etags.set(key, etag);
      xml(res, `<CompleteMultipartUploadResult><Location>http://stub/${key}</Location><Bucket>${BENCH_BUCKET}</Bucket><Key>${key}</Key><ETag>${etag.replace(/"/g, "&quot;")}</ETag></CompleteMultipartUploadResult>`);
    } else if (req.method === "HEAD") {
      action = "HeadObject";
      res.writeHead(200, { "content-length": String(opts.objectSize), etag: etags.get(key) ?? '"0123456789abcdef0123456789abcdef-2"', "last-modified": new Date().toUTCString(), "content-type": "application/octet-stream" });
      res.end();
    } else if (req.method === "PUT") {
      action = "PutObject";
      res.writeHead(200, { etag: '"d41d8cd98f00b204e9800998ecf8427e"' });
      res.end();
    } else if (req.method === "DELETE") {
      action = url.searchParams.has("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
      res.writeHead(204);
      res.end();
    } else {
      action = `${req.method} unknown`;
      res.writeHead(400, { "content-type": "application/xml" });
      res.end("<Error><Code>NotImplemented</Code><Message>bench stub</Message></Error>");
    }
    record(service, action, key, start);
  });

  const [ckanUrl, s3Url] = await Promise.all([listen(ckan), listen(s3)]);
  return {
    ckanUrl,
    s3Url,
    calls,
    counts() {
      const out: Record<string, number> = {};
      for (const c of calls) out[`${c.service} ${c.action}`] = (out[`${c.service} ${c.action}`] ?? 0) + 1;
      return out;
    },
    async close() {
      for (const s of [ckan, s3]) s.closeAllConnections();
      await Promise.all([ckan, s3].map((s) => new Promise((r) => s.close(r))));
    },
  };
}

/** Length (ms) of the union of `intervals` clipped to `[from, to]`. */
export function coveredMs(intervals: Array<{ start: number; end: number }>, from: number, to: number): number {
  const clipped = intervals
    .map((c) => ({ start: Math.max(c.start, from), end: Math.min(c.end, to) }))
    .filter((c) => c.end > c.start)
    .sort((a, b) => a.start - b.start);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const c of clipped) {
    if (c.start > curEnd) {
      total += curEnd - curStart > 0 && Number.isFinite(curStart) ? curEnd - curStart : 0;
      curStart = c.start;
      curEnd = c.end;
    } else curEnd = Math.max(curEnd, c.end);
  }
  if (Number.isFinite(curStart)) total += curEnd - curStart;
  return total;
}
