/**
 * An operator's credit or debit under an Idempotency-Key: the key and the
 * adjustment are written in one storage transaction, so a retried call (a
 * timeout, a restarted object, a client that sends twice) finds the key and
 * answers the first result instead of applying again. The keys live in their own
 * table, not in the ledger, so no compaction of the ledger can forget one; a
 * replay answers from the key's row alone (the ledger id and the balance right
 * after the first call). A refused debit (it would go below zero) records
 * nothing: it changed nothing, so the key stays unused.
 */
import type { AccountLedger, AdjustResult } from './account-ledger';

export interface KeyedAdjustment {
  idempotencyKey: string;
  amount: number;
  reason: string;
  now: number;
}

export type KeyedAdjustResult =
  | (AdjustResult & { ok: true; replay: boolean })
  | Extract<AdjustResult, { ok: false }>
  /** The key was used already with another amount or reason: nothing is applied. */
  | { ok: false; reason: 'key_reused' };

export class OperatorAdjustments {
  constructor(
    private readonly sql: SqlStorage,
    private readonly ledger: AccountLedger,
  ) {}

  adjust(input: KeyedAdjustment): KeyedAdjustResult {
    return this.ledger.transaction((): KeyedAdjustResult => {
      const seen = this.sql
        .exec<{ amount: number; reason: string; ledger_id: number; balance_after: number }>(
          'SELECT amount, reason, ledger_id, balance_after FROM adjustment_keys WHERE idempotency_key = ?',
          input.idempotencyKey,
        )
        .toArray()[0];
      if (seen) {
        if (seen.amount !== input.amount || seen.reason !== input.reason) return { ok: false, reason: 'key_reused' };
        return { ok: true, balance: seen.balance_after, ledgerId: seen.ledger_id, replay: true };
      }
      this.ledger.bind();
      const balanceAfter = this.ledger.balance + input.amount;
      if (balanceAfter < 0) return { ok: false, reason: 'would_go_negative', balance: this.ledger.balance };
      const ledgerId = this.ledger.append({ kind: 'adjustment', requestId: null, amount: input.amount, balanceAfter, now: input.now, reason: input.reason });
      this.sql.exec(
        'INSERT INTO adjustment_keys (idempotency_key, amount, reason, ledger_id, balance_after, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        input.idempotencyKey,
        input.amount,
        input.reason,
        ledgerId,
        balanceAfter,
        input.now,
      );
      return { ok: true, balance: balanceAfter, ledgerId, replay: false };
    });
  }
}
