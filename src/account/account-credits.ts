/**
 * Money that enters and leaves an account outside requests: Stripe recharges
 * (credited once per Checkout Session, whatever the webhook retries, replays or
 * order), refunds (reconciled to the total Stripe reports, so our own refund and
 * Stripe's charge.refunded webhook never deduct twice), expiry, and the
 * account's deactivation for inactivity. Each change is one ledger entry,
 * written in the same transaction as the record that makes it idempotent.
 */
import type { AccountLedger } from './account-ledger';
import type { RequestHolds } from './request-holds';

export interface RechargeCredit {
  rechargeId: string;
  sessionId: string;
  eventId: string;
  /** Units credited: the full amount paid. */
  amount: number;
  now: number;
}

export class AccountCredits {
  private deactivatedAt: number | null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly ledger: AccountLedger,
    /** What requests in flight hold: not unspent, so not refundable. */
    private readonly holds: Pick<RequestHolds, 'reserved'>,
  ) {
    this.deactivatedAt = sql.exec<{ deactivated_at: number | null }>('SELECT deactivated_at FROM account_flags WHERE id = 1').toArray()[0]?.deactivated_at ?? null;
  }

  get deactivated(): boolean {
    return this.deactivatedAt !== null;
  }

  /** Credits a paid Checkout Session once: a session already credited, or an event already seen, changes nothing. */
  creditRecharge(input: RechargeCredit): { credited: boolean; balance: number } {
    const seenEvent = this.sql.exec('SELECT 1 FROM stripe_events WHERE event_id = ?', input.eventId).toArray().length > 0;
    if (seenEvent) return { credited: false, balance: this.ledger.balance };
    const result = this.ledger.entry({
      kind: 'recharge',
      reference: input.sessionId,
      amount: input.amount,
      now: input.now,
      reason: `recharge ${input.rechargeId}`,
      alsoWrite: () => this.sql.exec('INSERT INTO stripe_events (event_id, received_at) VALUES (?, ?)', input.eventId, input.now),
    });
    return { credited: result.applied, balance: result.balance };
  }

  /** Units refunded so far for a recharge, as this object has deducted them. */
  refundedFor(rechargeId: string): number {
    return this.sql.exec<{ refunded: number }>('SELECT refunded FROM recharge_refunds WHERE recharge_id = ?', rechargeId).toArray()[0]?.refunded ?? 0;
  }

  /**
   * Stripe says `total` units of this recharge are refunded: deducts what this
   * object has not deducted yet (never below zero), whichever path tells it first.
   */
  reconcileRefund(input: { rechargeId: string; total: number; now: number }): { deducted: number; balance: number } {
    const already = this.refundedFor(input.rechargeId);
    if (input.total <= already) return { deducted: 0, balance: this.ledger.balance };
    const result = this.ledger.entry({
      kind: 'refund',
      reference: `${input.rechargeId}:${input.total}`,
      amount: -(input.total - already),
      now: input.now,
      reason: `refund of recharge ${input.rechargeId}`,
      alsoWrite: () =>
        this.sql.exec('INSERT INTO recharge_refunds (recharge_id, refunded) VALUES (?, ?) ON CONFLICT (recharge_id) DO UPDATE SET refunded = excluded.refunded', input.rechargeId, input.total),
    });
    return { deducted: -result.amount, balance: result.balance };
  }

  /**
   * Our own refund, before the card is refunded: deducts the new total's
   * difference only if that much is unspent (balance less what requests hold),
   * checked and written in one step so no request can spend it meanwhile.
   */
  debitRefund(input: { rechargeId: string; total: number; now: number }): { ok: true; deducted: number; balance: number } | { ok: false; unspent: number } {
    const already = this.refundedFor(input.rechargeId);
    const unspent = this.ledger.balance - this.holds.reserved;
    if (input.total - already > unspent) return { ok: false, unspent: Math.max(0, unspent) };
    const result = this.reconcileRefund(input);
    return { ok: true, deducted: result.deducted, balance: result.balance };
  }

  /** The card refund failed after debitRefund: the credits come back and the refunded total returns to `total`. */
  reverseRefund(input: { rechargeId: string; from: number; to: number; now: number }): { balance: number } {
    if (this.refundedFor(input.rechargeId) !== input.from || input.from <= input.to) return { balance: this.ledger.balance };
    const result = this.ledger.entry({
      kind: 'adjustment',
      reference: `refund-reversed:${input.rechargeId}:${input.from}`,
      amount: input.from - input.to,
      now: input.now,
      reason: `refund of recharge ${input.rechargeId} refused by the payment provider`,
      alsoWrite: () => this.sql.exec('UPDATE recharge_refunds SET refunded = ? WHERE recharge_id = ?', input.to, input.rechargeId),
    });
    return { balance: result.balance };
  }

  /** The whole balance expires (a year without activity); once per day at most, and nothing when it is zero. */
  expire(now: number): { expired: number; balance: number } {
    if (this.ledger.balance === 0) return { expired: 0, balance: 0 };
    const day = new Date(now).toISOString().slice(0, 10);
    const result = this.ledger.entry({ kind: 'expiry', reference: `expiry:${day}`, amount: -this.ledger.balance, now, reason: 'credits expired after 365 days without activity' });
    return { expired: result.applied ? -result.amount : 0, balance: result.balance };
  }

  setDeactivated(at: number | null): void {
    this.sql.exec('INSERT INTO account_flags (id, deactivated_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET deactivated_at = excluded.deactivated_at', at);
    this.deactivatedAt = at;
  }
}
