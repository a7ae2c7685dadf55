/**
 * Demo CKAN server (node:http only): the action-API subset the portal calls, answering
 * like CKAN 2.10.10 (envelope, `__type` names, status codes, field sets; see
 * shared/fixtures/ckan-2.10/), plus tiny dataset and resource pages for "back to CKAN" links.
 *
 * Used by `npm run demo`, the integration and e2e tests, and tests/unit/ckan-demo.test.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readActions } from "./actions-read";
import { writeActions } from "./actions-write";
import { ActionError, BadRequest, internalError, type ActionContext, type ActionParams } from "./errors";
import { renderPage } from "./pages";
import { DEFAULT_SEED, applySeed, type DemoSeed } from "./seed";
import { DemoState, FAULT_ANSWERS, type FaultAnswer } from "./state";

const ACTIONS = { ...readActions, ...writeActions };
const JSON_TYPE = "application/json;charset=utf-8";
const MAX_BODY_BYTES = 1024 * 1024;

export interface DemoCkanOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default "127.0.0.1". */
  host?: string;
  /** Initial data. Default DEFAULT_SEED; pass EMPTY_SEED for none. */
  seed?: DemoSeed;
  /**
   * Accept `POST /_demo/fail-next` `{action, status, count?, answer?}` (answers 204): the next `count`
   * calls of `action` ("*": any action) answer HTTP `status` with `answer` (see FaultAnswer;
   * `DemoState.failNext`), and `POST /_demo/clear-faults` drops pending ones, for end-to-end tests
   * whose CKAN runs in another process. Default false: never on in the demo.
   */
  faultControl?: boolean;
  /**
   * Accept `POST /_demo/sysadmin` `{user, sysadmin}` (answers 204): the test-only stand-in for
   * `ckan sysadmin add|remove NAME` (`DemoState.setSysadmin`; CKAN 2.10 has no action for it), for
   * end-to-end tests. Default false: never on in the demo.
   */
  sysadminControl?: boolean;
}

export interface DemoCkan {
  /** e.g. "http://127.0.0.1:41234" (no trailing slash). */
  url: string;
  port: number;
  state: DemoState;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, type = JSON_TYPE): void {
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BadRequest("JSON Error: request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Request data as CKAN's `_get_request_data` reads it. */
async function requestParams(req: IncomingMessage, url: URL, sideEffectFree: boolean): Promise<ActionParams> {
  if (req.method === "GET") {
    if (!sideEffectFree) throw new BadRequest("JSON Error: Invalid request. Please use POST method for your request");
    const params: ActionParams = {};
    for (const key of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(key);
      params[key] = values.length === 1 ? values[0] : values;
    }
    return params;
  }
  const text = await readBody(req);
  if (!text.trim()) return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BadRequest(`JSON Error: Error decoding JSON data. Error: ${String(error)}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new BadRequest(`JSON Error: Request data JSON decoded to ${JSON.stringify(data)} but it needs to be a dictionary.`);
  }
  return data as ActionParams;
}

const HTML_TYPE = "text/html;charset=utf-8";

/** A non-CKAN answer (CASES 28): body and content type for `answer`. */
function foreignAnswer(answer: Exclude<FaultAnswer, "ckan">, status: number): { raw: string; type: string } {
  switch (answer) {
    case "maintenance-page":
      return { raw: "<!doctype html><html><head><title>Maintenance</title></head><body><h1>Down for maintenance</h1><p>The data portal is being upgraded.</p></body></html>", type: HTML_TYPE };
    case "login-page":
      return { raw: '<!doctype html><html><head><title>Sign in</title></head><body><form method="post" action="/sso/login"><input name="username"><input name="password" type="password"></form></body></html>', type: HTML_TYPE };
    case "proxy-page":
      return { raw: `<html><head><title>${status} Bad Gateway</title></head><body><center><h1>${status} Bad Gateway</h1></center><hr><center>nginx</center></body></html>`, type: "text/html" };
    case "truncated-json":
      return { raw: '{"help": "http://ckan/api/3/action/help_show", "success": true, "result": {"id": "3f1c', type: JSON_TYPE };
    case "json-without-envelope":
      return { raw: JSON.stringify({ status: "ok", message: "Service is up" }), type: "application/json" };
  }
}

/** The body a failing CKAN (or the proxy in front of it) sends for a forced status. */
function faultBody(status: number): { error: Record<string, unknown> } | { raw: string } {
  if (status === 403) return { error: { __type: "Authorization Error", message: "Access denied" } };
  if (status === 404) return { error: { __type: "Not Found Error", message: "Not found" } };
  if (status === 409) return { error: { message: ["Forced validation failure"], __type: "Validation Error" } };
  if (status === 500) return { error: internalError().error };
  if (status >= 500) return { raw: `<html><body><h1>${status}</h1>The upstream server failed.</body></html>` };
  return { raw: JSON.stringify(`Bad request - forced status ${status}`) };
}

async function handleAction(state: DemoState, req: IncomingMessage, res: ServerResponse, url: URL, name: string) {
  const origin = `http://${req.headers.host ?? url.host}`;
  const help = `${origin}/api/3/action/help_show?name=${encodeURIComponent(name)}`;
  // CKAN 2.10 reads the configured header (Authorization), then X-CKAN-API-Key if it is empty.
  const header = req.headers.authorization || req.headers["x-ckan-api-key"];
  const user = state.userForToken(Array.isArray(header) ? header[0] : header);
  const finish = (status: number, payload: string, params: ActionParams = {}, type = JSON_TYPE) => {
    state.recordCall({ action: name, method: req.method ?? "", params, user: user?.name ?? null, status });
    send(res, status, payload, type);
  };
  const definition = ACTIONS[name];
  if (!definition) return finish(400, JSON.stringify(`Bad request - Action name not known: ${name}`));

  let params: ActionParams = {};
  try {
    params = await requestParams(req, url, definition.sideEffectFree);
    const delay = state.takeDelay(name);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const fault = state.takeFault(name);
    if (fault !== null) {
      if (fault.answer !== "ckan") {
        const foreign = foreignAnswer(fault.answer, fault.status);
        return finish(fault.status, foreign.raw, params, foreign.type);
      }
      const body = faultBody(fault.status);
      if ("raw" in body) return finish(fault.status, body.raw, params, fault.status >= 500 ? "text/html" : JSON_TYPE);
      return finish(fault.status, JSON.stringify({ help, error: body.error, success: false }), params);
    }
    const ctx: ActionContext = { state, user, origin };
    const result = definition.run(ctx, params);
    return finish(200, JSON.stringify({ help, success: true, result }), params);
  } catch (error) {
    if (error instanceof BadRequest) return finish(400, JSON.stringify(error.message), params);
    const failure = error instanceof ActionError ? error : internalError();
    if (!(error instanceof ActionError)) console.error("demo CKAN: action failed", name, error);
    return finish(failure.status, JSON.stringify({ help, error: failure.error, success: false }), params);
  }
}

/** Start the demo CKAN. Resolves once it listens. */
export async function startDemoCkan(options: DemoCkanOptions = {}): Promise<DemoCkan> {
  const state = new DemoState();
  applySeed(state, options.seed ?? DEFAULT_SEED);
  const server = createServer((req, res) => {
    const work = async () => {
      const url = new URL(req.url ?? "/", "http://demo.invalid");
      if (options.faultControl && req.method === "POST" && url.pathname === "/_demo/fail-next") {
        const body = JSON.parse((await readBody(req)) || "{}") as { action?: string; status?: number; count?: number; answer?: FaultAnswer };
        if (!body.action || !body.status) return send(res, 400, JSON.stringify("action and status are required"));
        if (body.answer !== undefined && !FAULT_ANSWERS.includes(body.answer)) {
          return send(res, 400, JSON.stringify(`answer must be one of ${FAULT_ANSWERS.join(", ")}`));
        }
        state.failNext(body.action, body.status, body.count ?? 1, body.answer);
        res.writeHead(204).end();
        return;
      }
      if (options.faultControl && req.method === "POST" && url.pathname === "/_demo/clear-faults") {
        state.clearFaults();
        res.writeHead(204).end();
        return;
      }
      if (options.sysadminControl && req.method === "POST" && url.pathname === "/_demo/sysadmin") {
        const body = JSON.parse((await readBody(req)) || "{}") as { user?: string; sysadmin?: boolean };
        if (!body.user || typeof body.sysadmin !== "boolean") return send(res, 400, JSON.stringify("user and sysadmin (boolean) are required"));
        if (!state.getUser(body.user)) return send(res, 404, JSON.stringify(`no user ${body.user}`));
        state.setSysadmin(body.user, body.sysadmin);
        res.writeHead(204).end();
        return;
      }
      const action = /^\/api\/(?:3\/)?action\/([^/]+)\/?$/.exec(url.pathname);
      if (action) return handleAction(state, req, res, url, decodeURIComponent(action[1] ?? ""));
      const page = renderPage(state, url.pathname, req.method ?? "GET");
      send(res, page.status, page.html, "text/html;charset=utf-8");
    };
    work().catch((error: unknown) => {
      console.error("demo CKAN: request failed", error);
      if (!res.headersSent) send(res, 500, JSON.stringify({ success: false, error: internalError().error }));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
