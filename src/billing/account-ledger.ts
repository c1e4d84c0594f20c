/**
 * The account's money rules over its object's SQLite storage. Every function
 * runs synchronously inside one storage transaction, so a balance change and its
 * ledger row are never separated, and the object's single thread makes each
 * check-then-write atomic.
 */
import type { BillingLogRecord, RequestContext, RequestOutcome } from './billing-log';
import type { LedgerKind } from './ledger-schema';

export interface AccountState {
  accountId: string;
  balance: number;
  rateLimitPerMinute: number | null;
}

const MINUTE_MS = 60_000;

export function readState(sql: SqlStorage, accountId: string): AccountState {
  sql.exec('INSERT OR IGNORE INTO account_state (id, account_id) VALUES (1, ?)', accountId);
  const row = sql
    .exec<{ account_id: string; balance: number; rate_limit_per_minute: number | null }>(
      'SELECT account_id, balance, rate_limit_per_minute FROM account_state WHERE id = 1',
    )
    .one();
  return { accountId: row.account_id, balance: row.balance, rateLimitPerMinute: row.rate_limit_per_minute };
}

export function reservedTotal(sql: SqlStorage): number {
  return sql.exec<{ total: number }>('SELECT COALESCE(SUM(amount), 0) AS total FROM reservations').one().total;
}

function appendLedger(
  sql: SqlStorage,
  row: { kind: LedgerKind; requestId: string | null; amount: number; balanceAfter: number; now: number; reason?: string; log?: BillingLogRecord },
): number {
  sql.exec('UPDATE account_state SET balance = ? WHERE id = 1', row.balanceAfter);
  return sql
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

export type AuthorizeDecision =
  | { ok: true; balance: number; reserved: number; replay: boolean }
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

/** Rate limit, then funds; on success the worst case is held until settle or expiry. */
export function authorize(sql: SqlStorage, input: AuthorizeInput): AuthorizeDecision {
  const state = readState(sql, input.accountId);
  const settled = sql.exec('SELECT 1 FROM ledger WHERE kind = ? AND request_id = ?', 'usage', input.requestId).toArray().length > 0;
  const held = sql.exec('SELECT 1 FROM reservations WHERE request_id = ?', input.requestId).toArray().length > 0;
  if (settled || held) return { ok: true, balance: state.balance, reserved: reservedTotal(sql), replay: true };

  const minute = Math.floor(input.now / MINUTE_MS);
  const limit = state.rateLimitPerMinute ?? input.defaultRateLimit;
  const used = sql.exec<{ count: number }>('SELECT count FROM rate_window WHERE minute = ?', minute).toArray()[0]?.count ?? 0;
  if (used >= limit) {
    return { ok: false, reason: 'rate_limited', limit, retryAfterSeconds: Math.max(1, Math.ceil(((minute + 1) * MINUTE_MS - input.now) / 1000)) };
  }
  sql.exec('DELETE FROM rate_window WHERE minute < ?', minute);
  sql.exec('INSERT INTO rate_window (minute, count) VALUES (?, 1) ON CONFLICT (minute) DO UPDATE SET count = count + 1', minute);

  const reserved = reservedTotal(sql);
  const available = state.balance - reserved;
  if (input.amount > available) return { ok: false, reason: 'insufficient_credits', available: Math.max(0, available), required: input.amount };
  sql.exec(
    'INSERT INTO reservations (request_id, amount, created_at, expires_at, context) VALUES (?, ?, ?, ?, ?)',
    input.requestId,
    input.amount,
    input.now,
    input.now + input.reservationTtlMs,
    JSON.stringify(input.context),
  );
  if (input.context.mode === 'byok') {
    sql.exec('INSERT INTO byok_months (month, requests) VALUES (?, 1) ON CONFLICT (month) DO UPDATE SET requests = requests + 1', utcMonth(input.now));
  }
  return { ok: true, balance: state.balance, reserved: reserved + input.amount, replay: false };
}

export interface SettleResult {
  /** Units actually taken (the cost, unless the balance could not cover it). */
  charged: number;
  balance: number;
  replay: boolean;
}

/**
 * Replaces the request's reservation with its real cost, once: a second settle
 * of the same request id returns the first result. The charge never takes the
 * balance below zero; a shortfall is recorded in the log as uncollected.
 */
export function settle(
  sql: SqlStorage,
  input: { accountId: string; requestId: string; outcome: RequestOutcome; logId: string; now: number; context?: RequestContext },
): SettleResult {
  const state = readState(sql, input.accountId);
  const previous = sql.exec<{ amount: number }>('SELECT amount FROM ledger WHERE kind = ? AND request_id = ?', 'usage', input.requestId).toArray()[0];
  if (previous) return { charged: -previous.amount, balance: state.balance, replay: true };
  const reservation = sql.exec<{ context: string }>('SELECT context FROM reservations WHERE request_id = ?', input.requestId).toArray()[0];
  const context = reservation ? (JSON.parse(reservation.context) as RequestContext) : input.context;
  if (!context) throw new Error(`settle without a reservation or context for ${input.requestId}`);
  sql.exec('DELETE FROM reservations WHERE request_id = ?', input.requestId);
  const charged = Math.min(input.outcome.cost, state.balance);
  const balanceAfter = state.balance - charged;
  const { model = context.model, provider = context.provider, ...usage } = input.outcome;
  const log: BillingLogRecord = {
    ...context,
    ...usage,
    model,
    provider,
    cost: charged,
    id: input.logId,
    requestId: input.requestId,
    accountId: state.accountId,
    createdAt: context.startedAt,
    latencyMs: Math.max(0, input.now - context.startedAt),
  };
  appendLedger(sql, { kind: 'usage', requestId: input.requestId, amount: -charged, balanceAfter, now: input.now, log });
  return { charged, balance: balanceAfter, replay: false };
}

export type AdjustResult = { ok: true; balance: number; ledgerId: number } | { ok: false; reason: 'would_go_negative'; balance: number };

/** An operator's credit or debit; a debit never takes the balance below zero. */
export function adjust(sql: SqlStorage, input: { accountId: string; amount: number; reason: string; now: number }): AdjustResult {
  const state = readState(sql, input.accountId);
  const balanceAfter = state.balance + input.amount;
  if (balanceAfter < 0) return { ok: false, reason: 'would_go_negative', balance: state.balance };
  const ledgerId = appendLedger(sql, { kind: 'adjustment', requestId: null, amount: input.amount, balanceAfter, now: input.now, reason: input.reason });
  return { ok: true, balance: balanceAfter, ledgerId };
}

/** Reservations past their bound belong to requests that never settled (a crashed worker): released at no charge. */
export function expiredReservations(sql: SqlStorage, now: number): Array<{ requestId: string }> {
  return sql
    .exec<{ request_id: string }>('SELECT request_id FROM reservations WHERE expires_at <= ?', now)
    .toArray()
    .map((row) => ({ requestId: row.request_id }));
}

export function nextExpiry(sql: SqlStorage): number | undefined {
  return sql.exec<{ at: number | null }>('SELECT MIN(expires_at) AS at FROM reservations').one().at ?? undefined;
}

export function ledgerTotals(sql: SqlStorage): Record<string, number> {
  const rows = sql.exec<{ kind: string; total: number }>('SELECT kind, SUM(amount) AS total FROM ledger GROUP BY kind').toArray();
  return Object.fromEntries(rows.map((row) => [row.kind, row.total]));
}

/** `YYYY-MM` in UTC: the BYOK counter's key, so a new month starts at zero with no reset job. */
export const utcMonth = (now: number): string => new Date(now).toISOString().slice(0, 7);

export function byokRequests(sql: SqlStorage, now: number): { month: string; requests: number } {
  const month = utcMonth(now);
  return { month, requests: sql.exec<{ requests: number }>('SELECT requests FROM byok_months WHERE month = ?', month).toArray()[0]?.requests ?? 0 };
}

export function setRateLimit(sql: SqlStorage, accountId: string, limit: number | null): void {
  readState(sql, accountId);
  sql.exec('UPDATE account_state SET rate_limit_per_minute = ? WHERE id = 1', limit);
}

export function unflushedLogs(sql: SqlStorage, limit: number): Array<{ ledgerId: number; log: BillingLogRecord }> {
  return sql
    .exec<{ id: number; log: string }>('SELECT id, log FROM ledger WHERE flushed = 0 AND log IS NOT NULL ORDER BY id LIMIT ?', limit)
    .toArray()
    .map((row) => ({ ledgerId: row.id, log: JSON.parse(row.log) as BillingLogRecord }));
}

export function markFlushed(sql: SqlStorage, ledgerIds: number[]): void {
  for (const id of ledgerIds) sql.exec('UPDATE ledger SET flushed = 1 WHERE id = ?', id);
}
