/**
 * Refund attempts in D1: the index the daily reconciliation reads. A row is
 * written `pending` before the account object debits the attempt, so a worker
 * that dies at any point after leaves a row to find; the object's answer is
 * then copied here. The object is the authority on each attempt's money.
 */
import type { RefundAttemptRow } from '../db/schema';

export type RefundAttemptStatus = RefundAttemptRow['status'];

export interface PendingAttempt {
  id: string;
  recharge_id: string;
  account_id: string;
  amount: number;
  created_at: number;
}

export async function insertAttempt(db: D1Database, row: PendingAttempt): Promise<void> {
  await db
    .prepare("INSERT INTO refund_attempts (id, recharge_id, account_id, amount, status, created_at) VALUES (?, ?, ?, ?, 'pending', ?)")
    .bind(row.id, row.recharge_id, row.account_id, row.amount, row.created_at)
    .run();
}

/** The object refused the attempt before any debit: it never happened. */
export async function deleteAttempt(db: D1Database, id: string): Promise<void> {
  await db.prepare("DELETE FROM refund_attempts WHERE id = ? AND status = 'pending'").bind(id).run();
}

export async function settleAttempt(db: D1Database, id: string, status: RefundAttemptStatus, stripeRefundId: string | null, now: number): Promise<void> {
  await db
    .prepare('UPDATE refund_attempts SET status = ?, stripe_refund_id = COALESCE(?, stripe_refund_id), settled_at = ? WHERE id = ?')
    .bind(status, stripeRefundId, now, id)
    .run();
}

/** Pending attempts made before `before`, oldest first, after the cursor `(createdAt, id)`; optionally one account's only. */
export async function pendingAttempts(db: D1Database, before: number, limit: number, after?: { createdAt: number; id: string }, accountId?: string): Promise<PendingAttempt[]> {
  const cursor = after ?? { createdAt: -1, id: '' };
  const { results } = await db
    .prepare(
      `SELECT id, recharge_id, account_id, amount, created_at FROM refund_attempts
        WHERE status = 'pending' AND created_at <= ?1 AND (created_at > ?2 OR (created_at = ?2 AND id > ?3)) AND (?4 IS NULL OR account_id = ?4)
        ORDER BY created_at, id LIMIT ?5`,
    )
    .bind(before, cursor.createdAt, cursor.id, accountId ?? null, limit)
    .all<PendingAttempt>();
  return results;
}
