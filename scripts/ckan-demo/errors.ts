/**
 * Errors the demo's actions raise, with the status and `error` object CKAN's API view
 * builds for them (ckan/views/api.py `action()`), and the action context.
 */
import type { DemoUser } from "./model";
import type { DemoState } from "./state";

/** An error answered as `{help, error, success: false}` with `status`. */
export class ActionError extends Error {
  constructor(
    readonly status: number,
    readonly error: Record<string, unknown>,
  ) {
    super(String(error.message ?? error.__type));
  }
}

/** A 400 answered with a bare JSON string, as `_finish_bad_request` does. */
export class BadRequest extends Error {
  constructor(detail: string) {
    super(`Bad request - ${detail}`);
  }
}

/** NotFound → 404 "Not Found Error", message "Not found" or "Not found: <detail>". */
export function notFound(detail?: string): ActionError {
  return new ActionError(404, { __type: "Not Found Error", message: detail ? `Not found: ${detail}` : "Not found" });
}

/** NotAuthorized → 403 "Authorization Error", message "Access denied" or "Access denied: <detail>". */
export function notAuthorized(detail?: string): ActionError {
  return new ActionError(403, {
    __type: "Authorization Error",
    message: detail ? `Access denied: ${detail}` : "Access denied",
  });
}

/** ValidationError → 409; the field errors come first, `__type` last (as CKAN prints it). */
export function validationError(fields: Record<string, unknown>): ActionError {
  return new ActionError(409, { ...fields, __type: "Validation Error" });
}

/** SearchQueryError → 400 "Search Query Error". */
export function searchQueryError(detail: string): ActionError {
  return new ActionError(400, { __type: "Search Query Error", message: `Search Query is invalid: ('${detail}',)` });
}

/** CKAN's catch-all → 500 "Internal Server Error". */
export function internalError(): ActionError {
  return new ActionError(500, { __type: "Internal Server Error", message: "Internal Server Error" });
}

/** How CKAN names the caller in messages: the user name, or "" for anonymous. */
export function callerName(user: DemoUser | null): string {
  return user?.name ?? "";
}

export interface ActionContext {
  state: DemoState;
  /** The token's user; null = anonymous (no token or an unknown one). */
  user: DemoUser | null;
  /** Site root as the client reached it, e.g. "http://127.0.0.1:5000". */
  origin: string;
}

export type ActionParams = Record<string, unknown>;

export interface ActionDefinition {
  /** Read actions accept GET (ckan.logic.side_effect_free); writes need POST. */
  sideEffectFree: boolean;
  run(ctx: ActionContext, params: ActionParams): unknown;
}

/** A string parameter, or undefined when absent or empty. */
export function stringParam(params: ActionParams, key: string): string | undefined {
  const value = params[key];
  if (value === undefined || value === null || value === "") return undefined;
  return typeof value === "string" ? value : String(value);
}

/** CKAN's asbool. */
export function boolParam(params: ActionParams, key: string): boolean {
  const value = params[key];
  if (typeof value === "boolean") return value;
  return ["true", "yes", "on", "y", "t", "1"].includes(String(value ?? "").toLowerCase());
}
