import "server-only";
import { cache } from "react";

/**
 * Why the current request's page answered 404, for its not-found boundary: React's `cache` is scoped
 * to one server request, so a page can note a reason (e.g. "the dataset was deleted in CKAN") before
 * calling `notFound()` and the boundary rendered in the same request reads it.
 */
const reasonBox = cache((): { message: string | null } => ({ message: null }));

/** Notes `message` as the reason of this request's 404. */
export function setNotFoundReason(message: string): void {
  reasonBox().message = message;
}

/** The reason noted in this request, or null. */
export function notFoundReason(): string | null {
  return reasonBox().message;
}
