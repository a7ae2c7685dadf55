/**
 * The portal as the command line sees it: the engine's PortalApi (lib/uploader/fetch-portal-api.ts)
 * over undici's fetch, with the CKAN API token in `Authorization: Bearer <token>` on every request
 * (never in a URL, an argument or a log), plus the two read-only routes the command line needs
 * besides the engine's: `GET /api/uploads` (own uploads) and `GET /api/uploads/{id}` (raw, with the
 * recorded part checksums).
 */
import { fetch as undiciFetch, type Dispatcher } from "undici";
import { createPortalApi } from "@/lib/uploader/fetch-portal-api";
import type { PortalApi } from "@/lib/uploader/portal-api";
import { UploadEngineError } from "@/lib/uploader/errors";
import { CliError, EXIT } from "./exit-codes";

/** One of the user's uploads as `GET /api/uploads` lists it (sizes in bytes, times ISO 8601 / ms). */
export interface OwnUpload {
  sessionId: string;
  status: string;
  fileName: string;
  size: number;
  bytesConfirmed: number;
  partSize: number;
  partCount: number;
  mode: string;
  lastModified: number | null;
  datasetId: string;
  datasetName: string;
  createdAt: string;
  completedAt: string | null;
  ckanResourceUrl: string | null;
  error: { code: string; message: string } | null;
}

/** A recorded part as `GET /api/uploads/{id}` answers it: the checksum is the base64 value the uploader reported. */
export interface RawRecordedPart {
  partNumber: number;
  size: number;
  etag: string;
  checksum: string | null;
}

/** The command line's portal client. */
export interface Portal {
  readonly baseUrl: string;
  /** The engine's view. */
  api: PortalApi;
  /** `GET /api/uploads` with query. */
  listUploads(query: Record<string, string>): Promise<OwnUpload[]>;
  /** `GET /api/uploads/{id}` as JSON. */
  getUpload(id: string): Promise<OwnUpload & { resumable: boolean; recordedParts: RawRecordedPart[] }>;
}

/** Builds the client. `dispatcher` carries proxy settings (lib/uploader/node/transport.ts createNodeDispatcher). */
export function createPortal(baseUrl: string, token: string, dispatcher: Dispatcher): Portal {
  const authedFetch = ((input: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers as HeadersInit | undefined);
    headers.set("authorization", `Bearer ${token}`);
    headers.set("user-agent", "ckan-upload");
    return undiciFetch(input, { ...(init as object), headers, dispatcher } as never) as unknown as Promise<Response>;
  }) as unknown as typeof fetch;
  const api = createPortalApi({ baseUrl, fetch: authedFetch });

  async function getJson<T>(path: string): Promise<T> {
    let res: Response;
    try {
      res = await authedFetch(`${baseUrl}${path}`, { headers: { accept: "application/json" } });
    } catch (err) {
      throw new UploadEngineError("network", `The portal ${baseUrl} could not be reached: ${describeCause(err)}`, { cause: err, retryable: true });
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!res.ok) {
      const e = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new UploadEngineError("api", e?.message ?? `The portal answered HTTP ${res.status} for ${path}`, {
        status: res.status,
        apiCode: e?.code,
        retryable: res.status === 429 || res.status >= 500,
      });
    }
    if (body === undefined) throw new UploadEngineError("api", `The portal's answer to ${path} is not JSON: is ${baseUrl} a ckan-upload-portal?`, { status: res.status });
    return body as T;
  }

  return {
    baseUrl,
    api,
    listUploads: async (query) => (await getJson<{ uploads: OwnUpload[] }>(`/api/uploads?${new URLSearchParams(query)}`)).uploads,
    getUpload: (id) => getJson(`/api/uploads/${encodeURIComponent(id)}`),
  };
}

/** The innermost cause of a fetch failure in words (ECONNREFUSED, certificate errors…). */
export function describeCause(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === "object" && "cause" in e && (e as { cause?: unknown }).cause; i++) e = (e as { cause: unknown }).cause;
  const code = (e as { code?: string })?.code;
  const msg = (e as Error)?.message ?? String(e);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

/** True for a failure to reach the portal or store at all (no HTTP answer), or a 502/503/504 from a gateway before it. */
export function isUnreachable(err: unknown): boolean {
  if (!(err instanceof UploadEngineError)) return false;
  if (err.code === "network" || err.code === "timeout") return true;
  return err.code === "api" && (err.status === 502 || err.status === 503 || err.status === 504) && err.apiCode === undefined;
}

/**
 * Maps an engine/portal error to the command's exit code: 3 for a refused token (401), a missing
 * permission (403) or an unknown dataset (404 on the dataset); 4 when nothing answered; else 1.
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (!(err instanceof UploadEngineError)) return EXIT.someFailed;
  if (isUnreachable(err)) return EXIT.unreachable;
  if (err.code === "api" && (err.status === 401 || err.status === 403)) return EXIT.auth;
  if (err.code === "api" && err.status === 404 && /dataset/i.test(err.message)) return EXIT.auth;
  if (err.code === "api" && err.apiCode === "storage_failed") return EXIT.unreachable;
  return EXIT.someFailed;
}
