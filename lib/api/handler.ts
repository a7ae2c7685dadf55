import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import type { z } from "zod";
import { readSession, type Caller } from "@/lib/auth";
import { assertSameOrigin } from "@/lib/security/same-origin";
import { getConfig } from "@/lib/config";
import { clientAddress } from "@/lib/ops/client-address";
import { requestIdFrom, withRequestContext } from "@/lib/ops/request-context";
import { ApiError, errorResponse, toErrorResponse } from "./errors";
import { bearerToken, callerFromApiToken } from "./token-auth";

/** Largest JSON body a portal API route accepts, in bytes (part lists stay well below it). */
export const MAX_JSON_BODY_BYTES = 256 * 1024;

type RouteContext<P> = { params: Promise<P> };

/**
 * Wraps a route handler: resolves the caller — from `Authorization: Bearer <CKAN API token>` (API clients
 * such as the command line, lib/api/token-auth.ts; 401 with CKAN's verdict when the token is refused) or
 * else from the session cookie, where cross-site state-changing requests are refused (403
 * `cross_site_request`, lib/security/same-origin.ts); 401 `unauthenticated` when there is neither —
 * and turns every thrown error into `{error: {code, message}}` with its status. Responses are never cached.
 */
export function withCaller<P = Record<string, never>>(
  handler: (req: NextRequest, ctx: { caller: Caller; params: P }) => Promise<unknown>,
) {
  return async (req: NextRequest, ctx: RouteContext<P>): Promise<NextResponse> => {
    // Audit events written while serving this request carry its id (answered as x-request-id).
    const requestId = requestIdFrom(req.headers);
    const res = await withRequestContext({ requestId }, async () => {
      try {
        const token = bearerToken(req.headers);
        if (token === null) assertSameOrigin(req); // cookies are ambient; a bearer token is not
        let caller: Caller | null;
        if (token !== null) caller = await callerFromApiToken(token);
        else {
          const session = await readSession();
          if (!session.caller && session.expired) throw new ApiError("session_expired", "Your sign-in has ended. Sign in again with your CKAN API token; an upload in progress continues by itself.");
          caller = session.caller;
        }
        if (!caller) throw new ApiError("unauthenticated", "Sign in with your CKAN API token first.");
        const result = await handler(req, { caller, params: await ctx.params });
        if (result instanceof NextResponse) return result;
        return NextResponse.json(result, { headers: { "cache-control": "no-store" } });
      } catch (err) {
        return toErrorResponse(err);
      }
    });
    res.headers.set("x-request-id", requestId);
    return res;
  };
}

/**
 * Reads and validates a JSON body with `schema`.
 * A declared Content-Length over the limit is refused before the body is read; a body without one
 * (chunked) is read only until it passes the limit.
 * @throws ApiError 400 `invalid_json` (not JSON), 413 `too_large` (over MAX_JSON_BODY_BYTES); ZodError (→ 400).
 */
export async function parseJson<T extends z.ZodType>(req: NextRequest, schema: T): Promise<z.infer<T>> {
  const text = await readBodyText(req, MAX_JSON_BODY_BYTES);
  let data: unknown;
  try {
    data = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new ApiError("invalid_json", "The request body is not valid JSON.");
  }
  return schema.parse(data);
}

/** The body as UTF-8 text, at most `limit` bytes. @throws ApiError 413 `too_large` beyond it. */
async function readBodyText(req: NextRequest, limit: number): Promise<string> {
  const tooLarge = () => new ApiError("too_large", `The request body is larger than ${limit} bytes.`);
  if (Number(req.headers.get("content-length") ?? "0") > limit) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new ApiError("invalid_json", "The request body is not valid UTF-8 JSON.");
  }
}

/**
 * The client's IP and user agent, for audit. The IP is the TCP peer's, or — only when the peer is in
 * TRUSTED_PROXIES — the client address from X-Forwarded-For (lib/ops/client-address.ts); null when
 * the portal runs without its entry server (server/portal-server.js). A client cannot choose it.
 */
export function requestContext(req: NextRequest): { ip: string | null; userAgent: string | null } {
  return { ip: clientAddress(req.headers, getConfig().TRUSTED_PROXIES), userAgent: req.headers.get("user-agent") };
}

/**
 * Handler for HTTP methods a route does not support: 405 with `{error: {code: "method_not_allowed"}}`
 * and an `Allow` header (RFC 9110 §15.5.6).
 */
export function methodNotAllowed(allow: string) {
  return async (): Promise<NextResponse> => {
    const res = errorResponse("method_not_allowed", `This route accepts ${allow} only.`);
    res.headers.set("allow", allow);
    return res;
  };
}
