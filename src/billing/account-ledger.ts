/**
 * The account's money rules over its object's SQLite storage. The hot numbers
 * (balance, total held, the rate window, revoked keys) are kept in memory as
 * well: the object is single-threaded and the only writer, so memory and storage
 * agree, and each request costs a few small statements instead of a dozen.
 * Every change runs in one storage transaction, so a balance change and its
 * ledger row are never separated; memory is updated only once the statements
 * succeeded (and reloaded from storage if anything throws).
 */
import type { BillingLogRecord, RequestContext, RequestOutcome } from './billing-log';
import { LEDGER_SCHEMA, type LedgerKind } from './ledger-schema';

const MINUTE_MS = 60_000;

export type AuthorizeDecision =
  | { ok: true; balance: number; reserved: number; replay: boolean }
  | { ok: false; reason: 'key_revoked' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number; limit: number }
  | { ok: false; reason: 'insufficient_credits'; available: number; required: number };

export interface AuthorizeInput {
  accountId: string;
  requestId: string;
  /** Worst-case cost to hold, in units (0 for requests that cost nothing up front). */
  amount: number;
  context: RequestContext;
  now: number;
  defaultRateLimit: number;
  reservationTtlMs: number;
}

export interface SettleInput {
  requestId: string;
  outcome: RequestOutcome;
  logId: string;
  now: number;
}

export interface SettleResult {
  /** Units actually taken (the cost, unless the balance could not cover it). */
  charged: number;
  balance: number;
  replay: boolean;
}

export type AdjustResult = { ok: true; balance: number; ledgerId: number } | { ok: false; reason: 'would_go_negative'; balance: number };

/** `YYYY-MM` in UTC: the BYOK counter's key, so a new month starts at zero with no reset job. */
export const utcMonth = (now: number): string => new Date(now).toISOString().slice(0, 7);

interface Memory {
  accountId: string | undefined;
  balance: number;
  rateLimitPerMinute: number | null;
  reserved: number;
  window: { minute: number; count: number };
  revoked: Set<string>;
}

export class AccountLedger {
  private memory!: Memory;

  constructor(private readonly storage: DurableObjectStorage) {
    for (const statement of LEDGER_SCHEMA) this.sql.exec(statement);
    this.load();
  }

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  private load(): void {
    const state = this.sql
      .exec<{ account_id: string; balance: number; rate_limit_per_minute: number | null }>('SELECT account_id, balance, rate_limit_per_minute FROM account_state WHERE id = 1')
      .toArray()[0];
    const window = this.sql.exec<{ minute: number; count: number }>('SELECT minute, count FROM rate_window ORDER BY minute DESC LIMIT 1').toArray()[0];
    this.memory = {
      accountId: state?.account_id,
      balance: state?.balance ?? 0,
      rateLimitPerMinute: state?.rate_limit_per_minute ?? null,
      reserved: this.sql.exec<{ total: number }>('SELECT COALESCE(SUM(amount), 0) AS total FROM reservations').one().total,
      window: window ?? { minute: 0, count: 0 },
      revoked: new Set(this.sql.exec<{ key_id: string }>('SELECT key_id FROM revoked_keys').toArray().map((row) => row.key_id)),
    };
  }

  /** Runs `change` in one storage transaction; on any error, memory is reloaded from what storage kept. */
  private transaction<T>(change: () => T): T {
    try {
      return this.storage.transactionSync(change);
    } catch (error) {
      this.load();
      throw error;
    }
  }

  private bind(accountId: string): void {
    if (this.memory.accountId !== undefined) return;
    this.sql.exec('INSERT OR IGNORE INTO account_state (id, account_id) VALUES (1, ?)', accountId);
    this.memory.accountId = accountId;
  }

  get accountId(): string {
    return this.memory.accountId ?? '';
  }

  get balance(): number {
    return this.memory.balance;
  }

  get reserved(): number {
    return this.memory.reserved;
  }

  get rateLimitPerMinute(): number | null {
    return this.memory.rateLimitPerMinute;
  }

  private appendLedger(row: { kind: LedgerKind; requestId: string | null; amount: number; balanceAfter: number; now: number; reason?: string; log?: BillingLogRecord }): number {
    this.sql.exec('UPDATE account_state SET balance = ? WHERE id = 1', row.balanceAfter);
    return this.sql
      .exec<{ id: number }>(
        'INSERT INTO ledger (kind, request_id, amount, balance_after, created_at, reason, log) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
        row.kind,
        row.requestId,
        row.amount,
        row.balanceAfter,
        row.now,
        row.reason ?? null,
        row.log ? JSON.stringify(row.log) : null,
      )
      .one().id;
  }

  /** Key revocation, rate limit, then funds; on success the worst case is held until settle or expiry. */
  authorize(input: AuthorizeInput): AuthorizeDecision {
    if (this.memory.revoked.has(input.context.keyId)) return { ok: false, reason: 'key_revoked' };
    return this.transaction(() => {
      this.bind(input.accountId);
      const seen = this.sql
        .exec<{ held: number | null; settled: number | null }>(
          "SELECT (SELECT 1 FROM reservations WHERE request_id = ?1) AS held, (SELECT 1 FROM ledger WHERE kind = 'usage' AND request_id = ?1) AS settled",
          input.requestId,
        )
        .one();
      if (seen.held || seen.settled) return { ok: true, balance: this.memory.balance, reserved: this.memory.reserved, replay: true };

      const minute = Math.floor(input.now / MINUTE_MS);
      const limit = this.memory.rateLimitPerMinute ?? input.defaultRateLimit;
      const used = this.memory.window.minute === minute ? this.memory.window.count : 0;
      if (used >= limit) {
        return { ok: false, reason: 'rate_limited', limit, retryAfterSeconds: Math.max(1, Math.ceil(((minute + 1) * MINUTE_MS - input.now) / 1000)) };
      }
      if (this.memory.window.minute !== minute) this.sql.exec('DELETE FROM rate_window WHERE minute < ?', minute);
      this.sql.exec('INSERT INTO rate_window (minute, count) VALUES (?, 1) ON CONFLICT (minute) DO UPDATE SET count = count + 1', minute);
      this.memory.window = { minute, count: used + 1 };

      const available = this.memory.balance - this.memory.reserved;
      if (input.amount > available) return { ok: false, reason: 'insufficient_credits', available: Math.max(0, available), required: input.amount };
      this.sql.exec(
        'INSERT INTO reservations (request_id, amount, created_at, expires_at, context) VALUES (?, ?, ?, ?, ?)',
        input.requestId,
        input.amount,
        input.now,
        input.now + input.reservationTtlMs,
        JSON.stringify(input.context),
      );
      if (input.context.mode === 'byok') {
        this.sql.exec('INSERT INTO byok_months (month, requests) VALUES (?, 1) ON CONFLICT (month) DO UPDATE SET requests = requests + 1', utcMonth(input.now));
      }
      this.memory.reserved += input.amount;
      return { ok: true, balance: this.memory.balance, reserved: this.memory.reserved, replay: false };
    });
  }

  /**
   * Replaces the request's reservation with its real cost, once: a second settle
   * of the same request id returns the first result. The charge never takes the
   * balance below zero.
   */
  settle(input: SettleInput): SettleResult {
    return this.transaction(() => {
      const reservation = this.sql
        .exec<{ amount: number; context: string }>('DELETE FROM reservations WHERE request_id = ? RETURNING amount, context', input.requestId)
        .toArray()[0];
      if (!reservation) {
        // Settled already (a replay, or released by the alarm): the first result stands.
        const previous = this.sql.exec<{ amount: number }>("SELECT amount FROM ledger WHERE kind = 'usage' AND request_id = ?", input.requestId).toArray()[0];
        if (previous) return { charged: -previous.amount, balance: this.memory.balance, replay: true };
        throw new Error(`settle of ${input.requestId}: no reservation to settle`);
      }
      const context = JSON.parse(reservation.context) as RequestContext;
      const charged = Math.min(input.outcome.cost, this.memory.balance);
      const balanceAfter = this.memory.balance - charged;
      const { model = context.model, provider = context.provider, ...usage } = input.outcome;
      const log: BillingLogRecord = {
        ...context,
        ...usage,
        model,
        provider,
        cost: charged,
        id: input.logId,
        requestId: input.requestId,
        accountId: this.accountId,
        createdAt: context.startedAt,
        latencyMs: Math.max(0, input.now - context.startedAt),
      };
      this.appendLedger({ kind: 'usage', requestId: input.requestId, amount: -charged, balanceAfter, now: input.now, log });
      this.memory.reserved -= reservation.amount;
      this.memory.balance = balanceAfter;
      return { charged, balance: balanceAfter, replay: false };
    });
  }

  /** An operator's credit or debit; a debit never takes the balance below zero. */
  adjust(input: { accountId: string; amount: number; reason: string; now: number }): AdjustResult {
    return this.transaction(() => {
      this.bind(input.accountId);
      const balanceAfter = this.memory.balance + input.amount;
      if (balanceAfter < 0) return { ok: false, reason: 'would_go_negative', balance: this.memory.balance };
      const ledgerId = this.appendLedger({ kind: 'adjustment', requestId: null, amount: input.amount, balanceAfter, now: input.now, reason: input.reason });
      this.memory.balance = balanceAfter;
      return { ok: true, balance: balanceAfter, ledgerId };
    });
  }

  /** Reservations past their bound belong to requests that never settled (a crashed worker). */
  expiredReservations(now: number): string[] {
    return this.sql.exec<{ request_id: string }>('SELECT request_id FROM reservations WHERE expires_at <= ?', now).toArray().map((row) => row.request_id);
  }

  openReservations(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM reservations').one().n;
  }

  nextExpiry(): number | undefined {
    return this.sql.exec<{ at: number | null }>('SELECT MIN(expires_at) AS at FROM reservations').one().at ?? undefined;
  }

  ledgerTotals(): Record<string, number> {
    const rows = this.sql.exec<{ kind: string; total: number }>('SELECT kind, SUM(amount) AS total FROM ledger GROUP BY kind').toArray();
    return Object.fromEntries(rows.map((row) => [row.kind, row.total]));
  }

  byokRequests(now: number): { month: string; requests: number } {
    const month = utcMonth(now);
    return { month, requests: this.sql.exec<{ requests: number }>('SELECT requests FROM byok_months WHERE month = ?', month).toArray()[0]?.requests ?? 0 };
  }

  setRateLimit(accountId: string, limit: number | null): void {
    this.transaction(() => {
      this.bind(accountId);
      this.sql.exec('UPDATE account_state SET rate_limit_per_minute = ? WHERE id = 1', limit);
      this.memory.rateLimitPerMinute = limit;
    });
  }

  isKeyRevoked(keyId: string): boolean {
    return this.memory.revoked.has(keyId);
  }

  /** Revoking is final: the first revocation time is kept. */
  revokeKey(keyId: string, now: number): void {
    this.sql.exec('INSERT OR IGNORE INTO revoked_keys (key_id, revoked_at) VALUES (?, ?)', keyId, now);
    this.memory.revoked.add(keyId);
  }

  unflushedLogs(limit: number): Array<{ ledgerId: number; log: BillingLogRecord }> {
    return this.sql
      .exec<{ id: number; log: string }>('SELECT id, log FROM ledger WHERE flushed = 0 AND log IS NOT NULL ORDER BY id LIMIT ?', limit)
      .toArray()
      .map((row) => ({ ledgerId: row.id, log: JSON.parse(row.log) as BillingLogRecord }));
  }

  markFlushed(ledgerIds: number[]): void {
    this.transaction(() => {
      for (const id of ledgerIds) this.sql.exec('UPDATE ledger SET flushed = 1 WHERE id = ?', id);
    });
  }
}
