import type { Db } from "@/lib/db";

/**
 * Takes the named lease for `holder` until `now + ttlMs` if it is free (never taken, or expired).
 * Works on SQLite and PostgreSQL alike: a conditional update of the lease row, or — the first time —
 * an insert whose primary key makes a concurrent second insert fail. Exactly one of several instances
 * calling this at once gets `true`.
 * @returns true when `holder` now holds the lease; false when another holder's lease is still running.
 */
export async function tryAcquireLease(db: Db, name: string, holder: string, ttlMs: number, now = new Date()): Promise<boolean> {
  const expiresAt = new Date(now.getTime() + ttlMs);
  const taken = await db.lease.updateMany({ where: { name, expiresAt: { lte: now } }, data: { holder, expiresAt, acquiredAt: now } });
  if (taken.count === 1) return true;
  try {
    await db.lease.create({ data: { name, holder, expiresAt, acquiredAt: now } });
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === "P2002") return false; // the row exists: someone holds it
    throw err;
  }
}

/**
 * Gives the named lease back early if `holder` still holds it (sets its expiry to `now`), so the next
 * taker need not wait for the TTL. A lease that expired and went to another holder is left alone.
 * @returns true when the lease was released by this call.
 */
export async function releaseLease(db: Db, name: string, holder: string, now = new Date()): Promise<boolean> {
  const released = await db.lease.updateMany({ where: { name, holder, expiresAt: { gt: now } }, data: { expiresAt: now } });
  return released.count === 1;
}
