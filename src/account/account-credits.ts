/**
 * Money that enters and leaves an account outside requests: Stripe recharges
 * (credited once per Checkout Session, whatever the webhook retries, replays or
 * order), expiry, and the account's deactivation for inactivity. Refunds and
 * disputes are account-refunds.ts and account-disputes.ts. Each change is one
 * ledger entry, written in the same transaction as the record that makes it
 * idempotent (kept apart from the ledger, so it outlives any compaction).
 */
import type { AccountLedger } from './account-ledger';
import { eventSeen, recordEvent } from './stripe-events';

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
  ) {
    this.deactivatedAt = sql.exec<{ deactivated_at: number | null }>('SELECT deactivated_at FROM account_flags WHERE id = 1').toArray()[0]?.deactivated_at ?? null;
  }

  get deactivated(): boolean {
    return this.deactivatedAt !== null;
  }

  get deactivatedSince(): number | null {
    return this.deactivatedAt;
  }

  /**
   * Credits a paid Checkout Session once: a recharge or session already
   * credited, or an event already seen, changes nothing (the event is recorded
   * either way, in the same transaction).
   */
  creditRecharge(input: RechargeCredit): { credited: boolean; balance: number } {
    return this.ledger.transaction(() => {
      if (eventSeen(this.sql, input.eventId)) return { credited: false, balance: this.ledger.balance };
      recordEvent(this.sql, input.eventId, input.now);
      const credited = this.sql.exec('SELECT 1 FROM credited_recharges WHERE recharge_id = ? OR session_id = ?', input.rechargeId, input.sessionId).toArray().length > 0;
      if (credited) return { credited: false, balance: this.ledger.balance };
      const result = this.ledger.entry({ kind: 'recharge', reference: input.sessionId, amount: input.amount, now: input.now, reason: `recharge ${input.rechargeId}` });
      if (result.applied) {
        this.sql.exec(
          'INSERT INTO credited_recharges (recharge_id, session_id, amount, credited_at) VALUES (?, ?, ?, ?)',
          input.rechargeId,
          input.sessionId,
          input.amount,
          input.now,
        );
      }
      return { credited: result.applied, balance: result.balance };
    });
  }

    setDeactivated(at: number | null): void {
    this.sql.exec('INSERT INTO account_flags (id, deactivated_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET deactivated_at = excluded.deactivated_at', at);
    this.deactivatedAt = at;
  }
}
