/**
 * Chargebacks. `charge.dispute.created` debits the disputed amount as far as
 * the unspent credits go (balance less what requests in flight hold) and
 * suspends the account for `dispute:<id>`; the dispute's close lifts that reason
 * (and only it), and a dispute `won` credits back what was debited.
 *
 * Events may arrive twice or in any order: each event id is applied once, and
 * each dispute moves open → closed once. A close that arrives before its
 * creation records the dispute closed (a lost one debits then, with no
 * suspension); the creation that follows changes nothing.
 *
 * The dispute row, the event id, the ledger entry and the suspension are written
 * in one storage transaction; the rows outlive any compaction of the ledger.
 */
import type { AccountLedger } from './account-ledger';
import { disputeReason, type AccountSuspensions } from './account-status';
import type { RequestHolds } from './request-holds';
import { eventSeen, recordEvent } from './stripe-events';

export type DisputeOutcome = 'won' | 'lost';

export interface DisputeEvent {
  disputeId: string;
  rechargeId: string;
  /** Units disputed. */
  amount: number;
  eventId: string;
  now: number;
}

export interface DisputeChange {
  /** False when the event, or this step of the dispute, was applied already. */
  applied: boolean;
  /** Units moved by this event: negative debited, positive credited back. */
  moved: number;
  balance: number;
}

type DisputeRow = {
  status: 'open' | DisputeOutcome;
  debited: number;
};

export class AccountDisputes {
  constructor(
    private readonly sql: SqlStorage,
    private readonly ledger: AccountLedger,
    private readonly holds: Pick<RequestHolds, 'reserved'>,
    private readonly suspensions: AccountSuspensions,
  ) {}

  open(input: DisputeEvent): DisputeChange {
    return this.once(input, (row) => {
      if (row) return 0;
      const debited = this.debit(input);
      this.sql.exec(
        "INSERT INTO disputes (dispute_id, recharge_id, amount, debited, status, opened_at) VALUES (?, ?, ?, ?, 'open', ?)",
        input.disputeId,
        input.rechargeId,
        input.amount,
        debited,
        input.now,
      );
      this.suspensions.add(disputeReason(input.disputeId), input.now);
      return -debited;
    });
  }

  close(input: DisputeEvent & { outcome: DisputeOutcome }): DisputeChange {
    return this.once(input, (row) => {
      if (!row) {
        // Closed before we heard it open: a lost dispute still takes the money back, with nothing to suspend.
        const debited = input.outcome === 'lost' ? this.debit(input) : 0;
        this.sql.exec(
          'INSERT INTO disputes (dispute_id, recharge_id, amount, debited, status, closed_at) VALUES (?, ?, ?, ?, ?, ?)',
          input.disputeId,
          input.rechargeId,
          input.amount,
          debited,
          input.outcome,
          input.now,
        );
        return -debited;
      }
      if (row.status !== 'open') return 0;
      this.sql.exec('UPDATE disputes SET status = ?, closed_at = ? WHERE dispute_id = ?', input.outcome, input.now, input.disputeId);
      this.suspensions.remove(disputeReason(input.disputeId));
      if (input.outcome === 'lost' || row.debited === 0) return 0;
      this.ledger.entry({ kind: 'dispute_won', reference: input.disputeId, amount: row.debited, now: input.now, reason: `dispute ${input.disputeId} won` });
      return row.debited;
    });
  }

  /** Runs `step` once per event id, in one transaction with the event's record; memory follows storage on failure. */
  private once(input: DisputeEvent, step: (row: DisputeRow | undefined) => number): DisputeChange {
    return this.ledger.transaction(
      () => {
        if (eventSeen(this.sql, input.eventId)) return { applied: false, moved: 0, balance: this.ledger.balance };
        recordEvent(this.sql, input.eventId, input.now);
        const row = this.sql.exec<DisputeRow>('SELECT status, debited FROM disputes WHERE dispute_id = ?', input.disputeId).toArray()[0];
        const before = row?.status;
        const moved = step(row);
        const after = this.sql.exec<{ status: string }>('SELECT status FROM disputes WHERE dispute_id = ?', input.disputeId).one().status;
        return { applied: before !== after, moved, balance: this.ledger.balance };
      },
      () => this.suspensions.load(),
    );
  }

  /** Debits the disputed amount as far as the unspent credits go; returns the units debited. */
  private debit(input: DisputeEvent): number {
    const debited = Math.max(0, Math.min(input.amount, this.ledger.balance - this.holds.reserved));
    if (debited > 0) this.ledger.entry({ kind: 'dispute', reference: input.disputeId, amount: -debited, now: input.now, reason: `dispute ${input.disputeId} opened` });
    return debited;
  }
}
