/**
 * The account's money rules over its object's SQLite storage. The hot numbers
 * (balance, total held, the rate window, revoked keys) are kept in memory as
 * well: the object is single-threaded and the only writer, so memory and storage
 * agree, and each request costs a few small statements instead of a dozen.
 * Every change runs in one storage transaction, so a balance change and its
 * ledger row are never separated; memory is updated only once the statements
 * succeeded (and reloaded from storage if anything throws).
 */
import type { BillingLogRecord, RequestContext, RequestOutcome } from '../billing/billing-log';
import { LEDGER_SCHEMA, type LedgerKind } from './schema';

const MINUTE_MS = 60_000;

export type AuthorizeDecision =
  /** `byokFree`: a BYOK request within the month's free requests (it holds and costs nothing). */
  | { ok: true; balance: number; reserved: number; replay: boolean; byokFree?: boolean }
  | { ok: false; reason: 'key_revoked' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number; limit: number }
  | { ok: false; reason: 'insufficient_credits'; available: number; required: number };

export interface AuthorizeInput {
  accountId: string;
  requestId: string;
  /** Worst-case cost to hold, in units; for BYOK, the routing fee's worst case (held only past the free tier). */
  amount: number;
  /** BYOK requests free each UTC month (BYOK mode only). */
  byokFreePerMonth?: number;
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
  /** Open reservations by request id (mirrors the reservations table). */
  held: Map<string, number>;
  reserved: number;
  /** The rate window lives in memory only: a restarted object forgets at most one minute's count. */
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
      .exec<{ account_id: string; rate_limit_per_minute: number | null }>('SELECT account_id, rate_limit_per_minute FROM account_state WHERE id = 1')
      .toArray()[0];
    // The ledger is the balance: its last row holds the balance after every change so far.
    const last = this.sql.exec<{ balance_after: number }>('SELECT balance_after FROM ledger ORDER BY id DESC LIMIT 1').toArray()[0];
    const held = new Map(this.sql.exec<{ request_id: string; amount: number }>('SELECT request_id, amount FROM reservations').toArray().map((row) => [row.request_id, row.amount]));
    this.memory = {
      accountId: state?.account_id,
      balance: last?.balance_after ?? 0,
      rateLimitPerMinute: state?.rate_limit_per_minute ?? null,
      held,
      reserved: [...held.values()].reduce((sum, amount) => sum + amount, 0),
      window: this.memory?.window ?? { minute: 0, count: 0 },
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

  private settled(requestId: string): { amount: number } | undefined {
    return this.sql.exec<{ amount: number }>("SELECT amount FROM ledger WHERE kind = 'usage' AND request_id = ?", requestId).toArray()[0];
  }

  /** Key revocation, rate limit, then funds; on success the worst case is held until settle or expiry. */
  authorize(input: AuthorizeInput): AuthorizeDecision {
    if (this.memory.revoked.has(input.context.keyId)) return { ok: false, reason: 'key_revoked' };
    return this.transaction(() => {
      this.bind(input.accountId);
      if (this.memory.held.has(input.requestId) || this.settled(input.requestId)) {
        return { ok: true, balance: this.memory.balance, reserved: this.memory.reserved, replay: true };
      }

      const minute = Math.floor(input.now / MINUTE_MS);
      const limit = this.memory.rateLimitPerMinute ?? input.defaultRateLimit;
      const used = this.memory.window.minute === minute ? this.memory.window.count : 0;
      if (used >= limit) {
        return { ok: false, reason: 'rate_limited', limit, retryAfterSeconds: Math.max(1, Math.ceil(((minute + 1) * MINUTE_MS - input.now) / 1000)) };
      }
      this.memory.window = { minute, count: used + 1 };

      // BYOK: the month's first requests are free (nothing held); past them the routing fee is held like a charge.
      const byok = input.context.mode === 'byok';
      const byokFree = byok && this.byokRequests(input.now).requests < (input.byokFreePerMonth ?? 0);
      const amount = byokFree ? 0 : input.amount;
      const available = this.memory.balance - this.memory.reserved;
      if (amount > available) return { ok: false, reason: 'insufficient_credits', available: Math.max(0, available), required: amount };
      const context: RequestContext = byok ? { ...input.context, byokFree } : input.context;
      this.sql.exec(
        'INSERT INTO reservations (request_id, amount, created_at, expires_at, context) VALUES (?, ?, ?, ?, ?)',
        input.requestId,
        amount,
        input.now,
        input.now + input.reservationTtlMs,
        JSON.stringify(context),
      );
      if (byok) {
        // Counted once per admitted request, whatever its retries and failovers.
        this.sql.exec('INSERT INTO byok_months (month, requests) VALUES (?, 1) ON CONFLICT (month) DO UPDATE SET requests = requests + 1', utcMonth(input.now));
      }
      this.memory.held.set(input.requestId, amount);
      this.memory.reserved += amount;
      return { ok: true, balance: this.memory.balance, reserved: this.memory.reserved, replay: false, ...(byok ? { byokFree } : {}) };
    });
  }

  /** Raises an open hold to `amount` (failover to a pricier model) if the balance covers the difference. */
  raiseHold(requestId: string, amount: number): { ok: boolean; reserved: number } {
    const held = this.memory.held.get(requestId);
    if (held === undefined) return { ok: false, reserved: this.memory.reserved };
    if (amount <= held) return { ok: true, reserved: this.memory.reserved };
    if (amount - held > this.memory.balance - this.memory.reserved) return { ok: false, reserved: this.memory.reserved };
    return this.transaction(() => {
      this.sql.exec('UPDATE reservations SET amount = ? WHERE request_id = ?', amount, requestId);
      this.memory.held.set(requestId, amount);
      this.memory.reserved += amount - held;
      return { ok: true, reserved: this.memory.reserved };
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
        const previous = this.settled(input.requestId);
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
      this.memory.held.delete(input.requestId);
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

  /**
   * A balance change outside requests (a recharge, a refund, an expiry), applied
   * once per (kind, reference): a second call with the same pair changes nothing.
   * A debit never takes the balance below zero (it takes what is there).
   * `alsoWrite` runs in the same transaction (e.g. recording a webhook's event id).
   */
  entry(input: { kind: LedgerKind; reference: string; amount: number; now: number; reason?: string; alsoWrite?: () => void }): { applied: boolean; amount: number; balance: number } {
    return this.transaction(() => {
      input.alsoWrite?.();
      const seen = this.sql.exec<{ amount: number }>('SELECT amount FROM ledger WHERE kind = ? AND request_id = ?', input.kind, input.reference).toArray()[0];
      if (seen) return { applied: false, amount: seen.amount, balance: this.memory.balance };
      const amount = input.amount < 0 ? -Math.min(-input.amount, this.memory.balance) : input.amount;
      const balanceAfter = this.memory.balance + amount;
      this.appendLedger({ kind: input.kind, requestId: input.reference, amount, balanceAfter, now: input.now, reason: input.reason });
      this.memory.balance = balanceAfter;
      return { applied: true, amount, balance: balanceAfter };
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

  /** Billing logs not yet in D1, oldest first, as stored (JSON text of a BillingLogRecord). */
  unflushedLogs(limit: number): Array<{ ledgerId: number; log: string }> {
    return this.sql
      .exec<{ id: number; log: string }>('SELECT id, log FROM ledger WHERE flushed = 0 AND log IS NOT NULL ORDER BY id LIMIT ?', limit)
      .toArray()
      .map((row) => ({ ledgerId: row.id, log: row.log }));
  }

  hasUnflushedLogs(): boolean {
    return this.sql.exec('SELECT 1 FROM ledger WHERE flushed = 0 AND log IS NOT NULL LIMIT 1').toArray().length > 0;
  }

  /** Marks a flushed batch: its ids are consecutive outbox rows, so one range update covers them. */
  markFlushed(ledgerIds: number[]): void {
    if (ledgerIds.length === 0) return;
    this.sql.exec('UPDATE ledger SET flushed = 1 WHERE id BETWEEN ? AND ? AND flushed = 0 AND log IS NOT NULL', ledgerIds[0], ledgerIds.at(-1));
  }
}
