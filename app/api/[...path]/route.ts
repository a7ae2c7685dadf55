import { errorResponse } from "@/lib/api/errors";

/** Any unknown `/api/…` path: 404 JSON `{error: {code: "not_found"}}` (never the HTML 404 page). */
async function notFound() {
  return errorResponse("not_found", "There is no such API route.");
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
