/**
 * Refunds of a recharge, one attempt at a time. Each attempt is its own ledger
 * entry (kind `refund`, reference = the attempt id) and, if the card was not
 * refunded, its own reversal (`refund_reversed`, same reference): a declined
 * attempt cancels itself and nothing else, and the next attempt starts clean.
 *
 * - A support refund (`begin`) debits before Stripe is asked, checked against
 *   unspent credits and what is left of the recharge in the same step, and stays
 *   `pending` until `settle` says whether the card was refunded. A worker that
 *   dies meanwhile leaves it pending: the daily reconciliation settles it.
 * - Stripe's `charge.refunded` reports the charge's refunded total; whatever the
 *   attempts do not cover yet (a refund made in Stripe's dashboard) becomes a
 *   `stripe` attempt. A total reported before the recharge is credited waits in
 *   `stripe_refund_totals` and is applied with the credit (AccountDurableObject.creditRecharge).
 *
 * What makes each change happen once lives in this object's own tables (attempt
 * ids, event ids), written in the change's transaction, never in the ledger alone.
 */
import type { AccountLedger } from './account-ledger';
import type { RequestHolds } from './request-holds';
import { eventSeen, recordEvent } from './stripe-events';

export type RefundAttemptStatus = 'pending' | 'refunded' | 'reversed' | 'abandoned';

export interface RefundState {
  /** Units this object credited for the recharge; null if it never did. */
  credited: number | null;
  /** Pending and refunded attempts: what no new attempt may refund again. */
  refunding: number;
  /** Refunded at Stripe (as far as this object knows). */
  refunded: number;
  refundable: number;
  disputed: boolean;
}

export type BeginRefund =
  | { ok: true; status: RefundAttemptStatus; balance: number; replay: boolean }
  | { ok: false; reason: 'not_credited' | 'disputed' }
  | { ok: false; reason: 'exceeds_recharge'; refundable: number }
  | { ok: false; reason: 'exceeds_unspent'; unspent: number };

export interface RefundAttemptInput {
  attemptId: string;
  rechargeId: string;
  /** Units to refund. */
  amount: number;
  now: number;
}

export interface SettledRefund {
  status: RefundAttemptStatus;
  balance: number;
  /** The recharge's refunded total after this. */
  refunded: number;
}

type AttemptRow = {
  attempt_id: string;
  recharge_id: string;
  amount: number;
  debited: number;
  status: RefundAttemptStatus;
};

export class AccountRefunds {
  constructor(
    private readonly sql: SqlStorage,
    private readonly ledger: AccountLedger,
    /** What requests in flight hold: not unspent, so not refundable. */
    private readonly holds: Pick<RequestHolds, 'reserved'>,
  ) {}

  state(rechargeId: string): RefundState {
    const credited = this.sql.exec<{ amount: number }>('SELECT amount FROM credited_recharges WHERE recharge_id = ?', rechargeId).toArray()[0]?.amount ?? null;
    const refunding = this.total(rechargeId, ['pending', 'refunded']);
    const disputed = this.sql.exec("SELECT 1 FROM disputes WHERE recharge_id = ? AND status = 'open'", rechargeId).toArray().length > 0;
    return { credited, refunding, refunded: this.total(rechargeId, ['refunded']), refundable: Math.max(0, (credited ?? 0) - refunding), disputed };
  }

  private total(rechargeId: string, statuses: RefundAttemptStatus[]): number {
    return (
      this.sql
        .exec<{ total: number | null }>(
          `SELECT SUM(amount) AS total FROM refund_attempts WHERE recharge_id = ? AND status IN (${statuses.map(() => '?').join(', ')})`,
          rechargeId,
          ...statuses,
        )
        .one().total ?? 0
    );
  }

  private attempt(attemptId: string): AttemptRow | undefined {
    return this.sql.exec<AttemptRow>('SELECT attempt_id, recharge_id, amount, debited, status FROM refund_attempts WHERE attempt_id = ?', attemptId).toArray()[0];
  }

  /**
   * Opens a support refund: debits `amount` if it is unspent (balance less what
   * requests hold) and left to refund of the recharge, all in one step. The same
   * attempt id again changes nothing and answers the attempt's state.
   */
  begin(input: RefundAttemptInput): BeginRefund {
    return this.ledger.transaction(() => {
      const seen = this.attempt(input.attemptId);
      if (seen) return { ok: true, status: seen.status, balance: this.ledger.balance, replay: true };
      const state = this.state(input.rechargeId);
      if (state.credited === null) return { ok: false, reason: 'not_credited' };
      if (state.disputed) return { ok: false, reason: 'disputed' };
      if (input.amount > state.refundable) return { ok: false, reason: 'exceeds_recharge', refundable: state.refundable };
      const unspent = this.ledger.balance - this.holds.reserved;
      if (input.amount > unspent) return { ok: false, reason: 'exceeds_unspent', unspent: Math.max(0, unspent) };
      this.insert({ ...input, source: 'support', debited: input.amount, status: 'pending' });
      this.move('refund', input.attemptId, -input.amount, input.now, `refund of recharge ${input.rechargeId}`);
      this.syncLegacyTotal(input.rechargeId);
      return { ok: true, status: 'pending', balance: this.ledger.balance, replay: false };
    });
  }

  /**
   * Whether the card was refunded for a pending attempt: `refunded` keeps its
   * debit; `not_refunded` reverses it (that attempt only). An attempt already
   * settled answers as it is. An attempt this object never began (its worker
   * died before the debit) is closed as `abandoned`, so it can never begin later.
   */
  settle(input: RefundAttemptInput & { outcome: 'refunded' | 'not_refunded'; stripeRefundId?: string }): SettledRefund {
    return this.ledger.transaction(() => {
      const row = this.attempt(input.attemptId);
      if (!row) {
        if (input.outcome === 'not_refunded') {
          this.insert({ ...input, source: 'support', debited: 0, status: 'abandoned' });
        } else {
          // Refunded at Stripe without a debit here: take it now, as far as the balance goes.
          const debited = Math.min(input.amount, this.ledger.balance);
          this.insert({ ...input, source: 'support', debited, status: 'refunded', stripeRefundId: input.stripeRefundId });
          this.move('refund', input.attemptId, -debited, input.now, `refund of recharge ${input.rechargeId}`);
          this.syncLegacyTotal(input.rechargeId);
        }
      } else if (row.status === 'pending' && input.outcome === 'refunded') {
        this.sql.exec(
          "UPDATE refund_attempts SET status = 'refunded', stripe_refund_id = ?, settled_at = ? WHERE attempt_id = ?",
          input.stripeRefundId ?? null,
          input.now,
          input.attemptId,
        );
      } else if (row.status === 'pending') {
        this.sql.exec("UPDATE refund_attempts SET status = 'reversed', settled_at = ? WHERE attempt_id = ?", input.now, input.attemptId);
        this.move('refund_reversed', input.attemptId, row.debited, input.now, `refund of recharge ${row.recharge_id} not made by the payment provider`);
        this.syncLegacyTotal(row.recharge_id);
        // A total Stripe reported while this attempt was counted may now be uncovered.
        this.applyStripeTotal(row.recharge_id, input.now);
      }
      const rechargeId = row?.recharge_id ?? input.rechargeId;
      return { status: this.attempt(input.attemptId)!.status, balance: this.ledger.balance, refunded: this.total(rechargeId, ['refunded']) };
    });
  }

  /**
   * Stripe's charge.refunded: `total` units of the recharge are refunded. Applied
   * once per event; what the attempts do not cover is deducted (as far as the
   * balance goes), or, before the recharge is credited, kept until it is.
   */
  reportStripeTotal(input: { rechargeId: string; total: number; eventId: string; now: number }): { replay: boolean; deferred: boolean; deducted: number; refunded: number; balance: number } {
    return this.ledger.transaction(() => {
      const view = (replay: boolean, deferred: boolean, deducted: number) => ({ replay, deferred, deducted, refunded: this.total(input.rechargeId, ['refunded']), balance: this.ledger.balance });
      if (eventSeen(this.sql, input.eventId)) return view(true, false, 0);
      recordEvent(this.sql, input.eventId, input.now);
      this.sql.exec(
        'INSERT INTO stripe_refund_totals (recharge_id, total, reported_at) VALUES (?, ?, ?) ON CONFLICT (recharge_id) DO UPDATE SET total = MAX(total, excluded.total), reported_at = excluded.reported_at',
        input.rechargeId,
        input.total,
        input.now,
      );
      if (this.state(input.rechargeId).credited === null) return view(false, true, 0);
      return view(false, false, this.applyStripeTotal(input.rechargeId, input.now));
    });
  }

  /**
   * Deducts what Stripe reports refunded beyond this recharge's attempts, as one
   * `stripe` attempt; call inside a transaction. Returns the units deducted.
   */
  applyStripeTotal(rechargeId: string, now: number): number {
    const reported = this.sql.exec<{ total: number }>('SELECT total FROM stripe_refund_totals WHERE recharge_id = ?', rechargeId).toArray()[0]?.total;
    const { credited, refunding } = this.state(rechargeId);
    if (reported === undefined || credited === null) return 0;
    const gap = Math.min(reported, credited) - refunding;
    if (gap <= 0) return 0;
    const made = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM refund_attempts WHERE recharge_id = ? AND source = 'stripe'", rechargeId).one().n;
    const attemptId = `${rechargeId}:stripe:${made + 1}`;
    const debited = Math.min(gap, this.ledger.balance);
    this.insert({ attemptId, rechargeId, amount: gap, now, source: 'stripe', debited, status: 'refunded' });
    this.move('refund', attemptId, -debited, now, `refund of recharge ${rechargeId} made at the payment provider`);
    this.syncLegacyTotal(rechargeId);
    return debited;
  }

  private insert(row: RefundAttemptInput & { source: 'support' | 'stripe'; debited: number; status: RefundAttemptStatus; stripeRefundId?: string | undefined }): void {
    this.sql.exec(
      'INSERT INTO refund_attempts (attempt_id, recharge_id, source, amount, debited, status, stripe_refund_id, created_at, settled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      row.attemptId,
      row.rechargeId,
      row.source,
      row.amount,
      row.debited,
      row.status,
      row.stripeRefundId ?? null,
      row.now,
      row.status === 'pending' ? null : row.now,
    );
  }

  /** One ledger row for a non-zero change (a debit here never exceeds the balance). */
  private move(kind: 'refund' | 'refund_reversed', reference: string, amount: number, now: number, reason: string): void {
    if (amount !== 0) this.ledger.entry({ kind, reference, amount, now, reason });
  }

  /** The version-1 table of refunded totals, kept current so that code still reads right after a rollback. */
  private syncLegacyTotal(rechargeId: string): void {
    this.sql.exec(
      'INSERT INTO recharge_refunds (recharge_id, refunded) VALUES (?, ?) ON CONFLICT (recharge_id) DO UPDATE SET refunded = excluded.refunded',
      rechargeId,
      this.total(rechargeId, ['pending', 'refunded']),
    );
  }
}
