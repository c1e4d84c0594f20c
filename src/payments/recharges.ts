/** Recharge rows in D1: the story of each Stripe payment (the credit itself is the account object's). */
import type { RechargeRow } from '../db/schema';

export type RechargeStatus = RechargeRow['status'];

interface Row {
  id: string;
  account_id: string;
  amount: number;
  status: RechargeStatus;
  stripe_session_id: string | null;
  stripe_payment_intent: string | null;
  created_at: number;
  paid_at: number | null;
  refunded_amount: number;
  success_url: string;
  cancel_url: string;
}

export type Recharge = Row;

export async function insertRecharge(db: D1Database, row: Pick<Row, 'id' | 'account_id' | 'amount' | 'created_at' | 'success_url' | 'cancel_url'>): Promise<void> {
  await db
    .prepare("INSERT INTO recharges (id, account_id, amount, status, created_at, success_url, cancel_url) VALUES (?, ?, ?, 'pending', ?, ?, ?)")
    .bind(row.id, row.account_id, row.amount, row.created_at, row.success_url, row.cancel_url)
    .run();
}

export const findRecharge = (db: D1Database, id: string) => db.prepare('SELECT * FROM recharges WHERE id = ?').bind(id).first<Row>();

export const findRechargeByPaymentIntent = (db: D1Database, paymentIntent: string) =>
  db.prepare('SELECT * FROM recharges WHERE stripe_payment_intent = ?').bind(paymentIntent).first<Row>();

export async function setSession(db: D1Database, id: string, sessionId: string): Promise<void> {
  await db.prepare('UPDATE recharges SET stripe_session_id = ? WHERE id = ?').bind(sessionId, id).run();
}

/** Paid, once: a later call (a replayed or reordered webhook) keeps the first payment time. */
export async function markPaid(db: D1Database, id: string, paymentIntent: string | null, now: number): Promise<void> {
  await db
    .prepare(
      `UPDATE recharges SET status = CASE WHEN status IN ('refunded', 'partially_refunded') THEN status ELSE 'paid' END,
              paid_at = COALESCE(paid_at, ?), stripe_payment_intent = COALESCE(stripe_payment_intent, ?)
        WHERE id = ?`,
    )
    .bind(now, paymentIntent, id)
    .run();
}

/** failed or expired: only a recharge still pending (a paid one stays paid whatever arrives after). */
export async function markUnpaid(db: D1Database, id: string, status: 'failed' | 'expired'): Promise<void> {
  await db.prepare("UPDATE recharges SET status = ? WHERE id = ? AND status = 'pending'").bind(status, id).run();
}

export async function markRefunded(db: D1Database, id: string, total: number): Promise<void> {
  await db
    .prepare(
      `UPDATE recharges SET refunded_amount = MAX(refunded_amount, ?1),
              status = CASE WHEN MAX(refunded_amount, ?1) >= amount THEN 'refunded' ELSE 'partially_refunded' END
        WHERE id = ?2`,
    )
    .bind(total, id)
    .run();
}

export async function listRecharges(db: D1Database, accountId: string, limit: number, before?: { createdAt: number; id: string }): Promise<Row[]> {
  const { results } = before
    ? await db
        .prepare('SELECT * FROM recharges WHERE account_id = ? AND (created_at < ? OR (created_at = ? AND id < ?)) ORDER BY created_at DESC, id DESC LIMIT ?')
        .bind(accountId, before.createdAt, before.createdAt, before.id, limit)
        .all<Row>()
    : await db.prepare('SELECT * FROM recharges WHERE account_id = ? ORDER BY created_at DESC, id DESC LIMIT ?').bind(accountId, limit).all<Row>();
  return results;
}
