/**
 * Plain-HTTP portal client for the service tests: next-auth sign-in with a CKAN API token, JSON calls
 * with the session cookie, and S3 part uploads with the one-object STS credentials the portal grants.
 */
import { S3Client, UploadPartCommand } from "@aws-sdk/client-s3";

/** next-auth credentials sign-in (provider `ckan-token`); returns the Cookie header. */
export async function signInHttp(base: string, token: string): Promise<string> {
  const csrfRes = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const cookies = csrfRes.headers.getSetCookie().map((c) => c.split(";")[0]);
  const res = await fetch(`${base}/api/auth/callback/ckan-token`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ csrfToken, token, json: "true" }),
  });
  const session = res.headers.getSetCookie().map((c) => c.split(";")[0]).filter((c) => c.includes("session-token"));
  if (session.length === 0) throw new Error(`sign-in failed: HTTP ${res.status}, no session cookie`);
  return [...cookies, ...session].join("; ");
}

/** An answer: status, JSON body and the x-request-id header. */
export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  requestId: string | null;
}

/** `method path` with a JSON body and the session cookie. */
export async function api<T = Record<string, unknown>>(base: string, cookie: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, requestId: res.headers.get("x-request-id") };
}

/** The upload session fields the tests use (POST /api/uploads). */
export interface CreatedSession {
  sessionId: string;
  bucket: string;
  key: string;
  uploadId: string;
  partSize: number;
  partCount: number;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}

/** UploadPart with the session's temporary credentials straight to S3; returns the ETag. */
export async function putPart(endpoint: string, s: CreatedSession, partNumber: number, body: Uint8Array): Promise<string> {
  const { accessKeyId, secretAccessKey, sessionToken } = s.credentials;
  const s3 = new S3Client({ region: s.region, endpoint, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey, sessionToken }, requestChecksumCalculation: "WHEN_REQUIRED" });
  try {
    const out = await s3.send(new UploadPartCommand({ Bucket: s.bucket, Key: s.key, UploadId: s.uploadId, PartNumber: partNumber, Body: body }));
    if (!out.ETag) throw new Error(`part ${partNumber}: no ETag`);
    return out.ETag;
  } finally {
    s3.destroy();
  }
}
