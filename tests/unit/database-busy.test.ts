/**
 * Database overload is told apart from a bug (lib/db-errors.ts) and its waits are bounded by settings
 * (lib/db.ts): a Prisma P2028/P2024 error, or node-postgres' pool timeout in an error's cause chain,
 * answers 503 `database_busy` with Retry-After; other database errors stay 500 `internal`. The real
 * overload, on both databases, is in tests/integration/database-busy.test.ts.
 */
import { describe, expect, it } from "vitest";
import { PrismaClientKnownRequestError } from "@prisma/client/runtime/client";
import { toErrorResponse } from "@/lib/api/errors";
import { databasePoolSize, databaseWaitMs } from "@/lib/db";
import { DatabaseBusyError, isDatabaseBusy } from "@/lib/db-errors";

const known = (code: string) => new PrismaClientKnownRequestError("Transaction API error: Unable to start a transaction in the given time.", { code, clientVersion: "6.19.3" });

describe("database busy", () => {
  it("recognises Prisma's transaction and pool timeouts, SQLite's slot wait and node-postgres' pool timeout, and nothing else", () => {
    expect(isDatabaseBusy(known("P2028"))).toBe(true);
    expect(isDatabaseBusy(known("P2024"))).toBe(true);
    expect(isDatabaseBusy(new DatabaseBusyError(300))).toBe(true);
    expect(isDatabaseBusy(new Error("query failed", { cause: new Error("timeout exceeded when trying to connect") }))).toBe(true);
    expect(isDatabaseBusy(known("P2002"))).toBe(false); // a unique constraint: a bug or a race, not load
    expect(isDatabaseBusy(new Error("boom"))).toBe(false);
    expect(isDatabaseBusy(undefined)).toBe(false);
  });

  it("answers 503 database_busy with Retry-After: 2; any other error stays 500 internal", async () => {
    const busy = toErrorResponse(known("P2028"));
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("2");
    expect(await busy.json()).toEqual({ error: { code: "database_busy", message: "The portal's database is busy: send the request again in 2 s." } });
    const other = toErrorResponse(known("P2002"));
    expect(other.status).toBe(500);
    expect(other.headers.get("retry-after")).toBeNull();
  });

  it("reads DATABASE_WAIT_MS and DATABASE_POOL_SIZE, with defaults, and refuses malformed values", () => {
    expect(databaseWaitMs({})).toBe(5_000);
    expect(databaseWaitMs({ DATABASE_WAIT_MS: "250" })).toBe(250);
    expect(() => databaseWaitMs({ DATABASE_WAIT_MS: "5s" })).toThrow(/DATABASE_WAIT_MS must be a whole number from 100 to 600000/);
    expect(() => databaseWaitMs({ DATABASE_WAIT_MS: "10" })).toThrow(/DATABASE_WAIT_MS/);
    expect(databasePoolSize({})).toBe(10);
    expect(databasePoolSize({ DATABASE_POOL_SIZE: "40" })).toBe(40);
    expect(() => databasePoolSize({ DATABASE_POOL_SIZE: "0" })).toThrow(/DATABASE_POOL_SIZE/);
  });
});
