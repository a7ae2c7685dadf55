import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

/** What the portal knows about the request being served (set by the route wrapper, read by the audit writer). */
export interface RequestContext {
  /** The id answered as `x-request-id` and stored on audit events. */
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** A request id is kept as given only if it looks like one (the entry server makes it; ≤ 64 safe characters). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The request id for `headers`: the `x-request-id` the portal's entry server (server/portal-server.js)
 * put on the request, else a new UUID (e.g. under `next dev`).
 */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get("x-request-id");
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Runs `fn` with `ctx` as the current request context. */
export function withRequestContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/** The current request's id, or null outside a request (the sweeper, scripts). */
export function currentRequestId(): string | null {
  return storage.getStore()?.requestId ?? null;
}
