/** Charges recorded as lost (account/charge-delivery.ts), as the operator counts them. */
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { lostCharges } from '../db/schema';

export async function countLostCharges(db: Database, accountId: string): Promise<{ count: number; cost: number }> {
  const row = await db
    .select({ count: sql<number>`COUNT(*)`, cost: sql<number>`COALESCE(SUM(${lostCharges.cost}), 0)` })
    .from(lostCharges)
    .where(eq(lostCharges.accountId, accountId))
    .get();
  return { count: row?.count ?? 0, cost: row?.cost ?? 0 };
}

/** Every lost charge not yet replayed (a replayed one's row is deleted): the operator's backlog. */
export async function countAllLostCharges(db: Database): Promise<{ count: number; cost: number }> {
  const row = await db
    .select({ count: sql<number>`COUNT(*)`, cost: sql<number>`COALESCE(SUM(${lostCharges.cost}), 0)` })
    .from(lostCharges)
    .get();
  return { count: row?.count ?? 0, cost: row?.cost ?? 0 };
}
