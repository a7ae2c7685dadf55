/** Assertions on the typed errors the upload services throw. */
import { expect } from "vitest";
import { ApiError } from "@/lib/api/errors";

/** Awaits `p`, expects it to reject with an ApiError, and returns that error. */
export async function apiErrorOf(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

/** Expects `p` to reject with an ApiError whose code is `code`; returns it. */
export async function expectApiError(p: Promise<unknown>, code: string): Promise<ApiError> {
  const err = await apiErrorOf(p);
  expect(err.code).toBe(code);
  return err;
}
