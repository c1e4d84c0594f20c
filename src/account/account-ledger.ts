/**
 * The account's balance over its object's SQLite storage: the ledger is the
 * balance (its last row holds the balance after every change so far), and its
 * rows that carry a billing log are the outbox the alarm hands to the BILLING_LOGS
 * queue (then holds for the read-your-writes window, then drops the text). The
 * balance is kept in memory as well: the object is single-threaded and the only
 * writer, so memory and storage agree. Every change runs in one storage
 * transaction, so a balance change and its ledger row are never separated;
 * memory is updated only once the statements succeeded (and reloaded from
 * storage if anything throws).
 */
import type { BillingLogRecord } from '../billing/billing-log';

export type LedgerKind = 'usage' | 'checkpoint' | 'routing_fee' | 'recharge' | 'refund' | 'expiry' | 'adjustment' | 'refund_reversed' | 'dispute' | 'dispute_won';

export type AdjustResult = { ok: true; balance: number; ledgerId: number } | { ok: false; reason: 'would_go_negative'; balance: number };

export interface LedgerRow {
  kind: LedgerKind;
  /** The request id, or the reference that makes an entry happen once per (kind, reference). */
  requestId: string | null;
  amount: number;
  balanceAfter: number;
  now: number;
  reason?: string;
  log?: BillingLogRecord;
  /** What is in flight right after this row, when the row itself changes it (a charge releasing its hold). */
  inFlight?: number;
}

export class AccountLedger {
  private balanceNow = 0;
  private inFlightAtLastRow = 0;
  /** What requests hold right now: recorded on every row, so a restarted object knows what it forgot. */
  private inFlightNow: () => number = () => 0;
  /** The account id as stored; undefined until the first change that records it. */
  private storedAccountId: string | undefined;

  /** `accountId`: the object's name (the id it was addressed by), recorded with the account's first change. */
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly accountIdFromName: string | undefined,
  ) {
    this.load();
  }

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  private load(): void {
    this.storedAccountId = this.sql.exec<{ account_id: string }>('SELECT account_id FROM account_state WHERE id = 1').toArray()[0]?.account_id;
    const last = this.sql.exec<{ balance_after: number; in_flight: number | null }>('SELECT balance_after, in_flight FROM ledger ORDER BY id DESC LIMIT 1').toArray()[0];
    this.balanceNow = last?.balance_after ?? 0;
    this.inFlightAtLastRow = last?.in_flight ?? 0;
  }

  /** What was in flight when the last row was written (zero before any row, or on rows written before it was recorded). */
  get inFlightAtLastWrite(): number {
    return this.inFlightAtLastRow;
  }

  /** Where every appended row reads the total in flight (the request holds). */
  recordInFlight(inFlight: () => number): void {
    this.inFlightNow = inFlight;
  }

  /**
   * Runs `change` in one storage transaction; on any error, the balance (and
   * whatever `reload` restores) is read again from what storage kept.
   */
  transaction<T>(change: () => T, reload?: () => void): T {
    try {
      return this.storage.transactionSync(change);
    } catch (error) {
      this.load();
      reload?.();
      throw error;
    }
  }

  /** The id billing logs carry: the one stored with the account's first change, else the object's name. */
  get accountId(): string {
    return this.storedAccountId ?? this.accountIdFromName ?? '';
  }

  /** Records the account id (and the row its rate limit lives in) with the account's first change. */
  bind(): void {
    if (this.storedAccountId !== undefined) return;
    if (this.accountIdFromName === undefined) throw new Error('account object without a name: address it with idFromName(accountId)');
    this.sql.exec('INSERT OR IGNORE INTO account_state (id, account_id) VALUES (1, ?)', this.accountIdFromName);
    this.storedAccountId = this.accountIdFromName;
  }

  get balance(): number {
    return this.balanceNow;
  }

  /** Appends a row whose balance_after becomes the balance; call inside a transaction. */
  append(row: LedgerRow): number {
    const id = this.sql
      .exec<{ id: number }>(
        'INSERT INTO ledger (kind, request_id, amount, balance_after, created_at, reason, log, in_flight) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
        row.kind,
        row.requestId,
        row.amount,
        row.balanceAfter,
        row.now,
        row.reason ?? null,
        row.log ? JSON.stringify(row.log) : null,
        row.inFlight ?? this.inFlightNow(),
      )
      .one().id;
    this.balanceNow = row.balanceAfter;
    return id;
  }

  /** A request's charge, if it has one: what it took, what it could not, and the balance right after it. */
  findCharge(requestId: string): { charged: number; uncollected: number; balanceAfter: number } | undefined {
    const row = this.sql
      .exec<{ amount: number; balance_after: number; uncollected: number | null }>(
        // The log's, or once its text is dropped after the read window, the column it was kept in.
        "SELECT amount, balance_after, COALESCE(json_extract(log, '$.uncollected'), uncollected) AS uncollected FROM ledger WHERE kind = 'usage' AND request_id = ?",
        requestId,
      )
      .toArray()[0];
    return row && { charged: 0 - row.amount, uncollected: row.uncollected ?? 0, balanceAfter: row.balance_after };
  }

  /** The amount of the row recorded for (kind, reference), if there is one. */
  find(kind: LedgerKind, reference: string): { amount: number } | undefined {
    return this.sql.exec<{ amount: number }>('SELECT amount FROM ledger WHERE kind = ? AND request_id = ?', kind, reference).toArray()[0];
  }

  /** An operator's credit or debit; a debit never takes the balance below zero. */
  adjust(input: { amount: number; reason: string; now: number }): AdjustResult {
    return this.transaction(() => {
      this.bind();
      const balanceAfter = this.balanceNow + input.amount;
      if (balanceAfter < 0) return { ok: false, reason: 'would_go_negative', balance: this.balanceNow };
      const ledgerId = this.append({ kind: 'adjustment', requestId: null, amount: input.amount, balanceAfter, now: input.now, reason: input.reason });
      return { ok: true, balance: balanceAfter, ledgerId };
    });
  }

  /**
   * A balance change outside requests (a recharge, a refund, an expiry), applied
   * once per (kind, reference): a second call with the same pair changes nothing.
   * A debit never takes the balance below zero (it takes what is there).
   * `alsoWrite` runs in the same transaction (e.g. recording a webhook's event id).
   */
  entry(input: { kind: LedgerKind; reference: string; amount: number; now: number; reason?: string; alsoWrite?: () => void }): { applied: boolean; amount: number; balance: number } {
    return this.transaction(() => {
      input.alsoWrite?.();
      const seen = this.find(input.kind, input.reference);
      if (seen) return { applied: false, amount: seen.amount, balance: this.balanceNow };
      const amount = input.amount < 0 ? -Math.min(-input.amount, this.balanceNow) : input.amount;
      const balanceAfter = this.balanceNow + amount;
      this.append({ kind: input.kind, requestId: input.reference, amount, balanceAfter, now: input.now, reason: input.reason });
      return { applied: true, amount, balance: balanceAfter };
    });
  }

  /** Σ amount by kind; together they are the balance. `checkpoint` is requests' charges folded by compaction (ledger-compaction.ts): with `usage`, what requests took. */
  ledgerTotals(): Record<string, number> {
    const rows = this.sql.exec<{ kind: string; total: number }>('SELECT kind, SUM(amount) AS total FROM ledger GROUP BY kind').toArray();
    return Object.fromEntries(rows.map((row) => [row.kind, row.total]));
  }

  /** Billing logs not yet handed to the BILLING_LOGS queue, oldest first, as stored (JSON text of a BillingLogRecord). */
  unhandedLogs(limit: number): Array<{ ledgerId: number; log: string }> {
    return this.sql
      .exec<{ id: number; log: string }>('SELECT id, log FROM ledger WHERE flushed = 0 AND log IS NOT NULL ORDER BY id LIMIT ?', limit)
      .toArray()
      .map((row) => ({ ledgerId: row.id, log: row.log }));
  }

  /**
   * The billing log stored with a request's charge (JSON text of a BillingLogRecord), handed or
   * not, while the object holds it: until it is handed, then for BILLING_LOG_READ_WINDOW_MS.
   */
  logOf(requestId: string): string | undefined {
    return this.sql.exec<{ log: string }>("SELECT log FROM ledger WHERE kind = 'usage' AND request_id = ? AND log IS NOT NULL", requestId).toArray()[0]?.log;
  }

  hasUnhandedLogs(): boolean {
    return this.sql.exec('SELECT 1 FROM ledger WHERE flushed = 0 AND log IS NOT NULL LIMIT 1').toArray().length > 0;
  }

  /**
   * Marks rows handed to the queue at `now` (`flushed` holds the time: the read window runs from
   * it): `first`..`last` are the ids of consecutive unhanded rows (read oldest first), so one range
   * update covers them.
   */
  markHanded(first: number, last: number, now: number): void {
    this.sql.exec('UPDATE ledger SET flushed = ? WHERE id BETWEEN ? AND ? AND flushed = 0 AND log IS NOT NULL', Math.max(1, now), first, last);
  }

  /** When the earliest-handed log still held was handed, if any is held. */
  earliestHeldHandOff(): number | undefined {
    return this.sql.exec<{ at: number | null }>('SELECT MIN(flushed) AS at FROM ledger WHERE flushed > 0 AND log IS NOT NULL').one().at ?? undefined;
  }

  /**
   * Drops the text of at most `limit` logs handed at or before `cutoff` (D1 and the archive
   * have them; the balance and amount columns stay, and `uncollected` moves to its column for a
   * replayed charge): the number dropped.
   */
  dropHeldLogs(cutoff: number, limit: number): number {
    // Counted by RETURNING: rowsWritten would count the index entries it removes too.
    return this.sql.exec(
      "UPDATE ledger SET uncollected = json_extract(log, '$.uncollected'), log = NULL WHERE id IN (SELECT id FROM ledger WHERE flushed > 0 AND log IS NOT NULL AND flushed <= ? ORDER BY flushed LIMIT ?) RETURNING id",
      cutoff,
      limit,
    ).toArray().length;
  }
}
