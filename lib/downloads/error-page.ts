import { NextResponse } from "next/server";
import { API_ERROR_STATUS, ApiError, toErrorResponse } from "@/lib/api/errors";

const TITLES: Partial<Record<keyof typeof API_ERROR_STATUS, string>> = {
  not_found: "File not found",
  object_changed: "This file cannot be downloaded",
};

/** Escapes text for HTML element content and attribute values. */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Whether the request comes from a browser navigating (Accept names text/html), not an API client. */
export function wantsHtml(accept: string | null): boolean {
  return /\btext\/html\b/i.test(accept ?? "");
}

/**
 * A download error as the caller can read it: for a browser following a CKAN resource link (Accept
 * names `text/html`) a small readable page with the same status, title and message; for everyone else
 * the API's JSON `{error: {code, message}}`. The page has no script and no style (the portal's CSP
 * applies), and `lang`, a title and one heading for assistive technology.
 */
export function downloadErrorResponse(err: unknown, accept: string | null): NextResponse {
  if (!(err instanceof ApiError) || !wantsHtml(accept)) return toErrorResponse(err);
  const title = TITLES[err.code] ?? "The download failed";
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1><p role="alert" data-error-code="${escapeHtml(err.code)}">${escapeHtml(err.message)}</p><p><a href="/">Back to the upload portal</a></p></main></body></html>`;
  return new NextResponse(body, { status: err.status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
}
