/**
 * Whether a request may start, and what it holds until it is charged: the
 * key's revocation, the rate limit, the BYOK month's free requests, then funds.
 * An admitted request's worst case is held (a reservations row) until settle
 * replaces it with the real cost, written as one ledger row in the same
 * transaction. Holds, the rate window and revocations are mirrored in memory:
 * the object is the only writer, so each request costs a few small statements.
 */
import { billingLogId } from '../base/ids';
import type { Config } from '../env';
import type { BillingLogRecord, RequestContext, RequestOutcome } from '../billing/billing-log';
import type { AccountLedger } from './account-ledger';
import { decideHold, type HoldDecision, type HoldRequest, type InsufficientCredits } from './hold-size';

const MINUTE_MS = 60_000;

export type AuthorizeDecision =
  /**
   * `byokFree`: a BYOK request within the month's free requests (it holds and costs nothing).
   * `maxTokens`: the output limit granted to a request whose terms carry no max_tokens (hold-size.ts).
   */
  | { ok: true; balance: number; reserved: number; replay: boolean; byokFree?: boolean; maxTokens?: number }
  | { ok: false; reason: 'key_revoked' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number; limit: number }
  | ({ ok: false; reason: 'insufficient_credits' } & InsufficientCredits);

/**
 * What to hold: a fixed `amount` in units, or a chat request's `terms`, sized here from the balance
 * available at admission (for BYOK, at the routing fee; held only past the free tier).
 */
export type AuthorizeInput = HoldRequest & {
  requestId: string;
  context: RequestContext;
  now: number;
};

/** The configuration admission reads (the object's own vars). */
export type AdmissionConfig = Pick<Config, 'rateLimitPerMinute' | 'reservationTtlMs' | 'byokFreeRequestsPerMonth'>;

export interface SettleInput {
  requestId: string;
  outcome: RequestOutcome;
  now: number;
}

export interface SettleResult {
  /** Units actually taken (the cost, unless the balance could not cover it). */
  charged: number;
  balance: number;
  replay: boolean;
}

/** `YYYY-MM` in UTC: the BYOK counter's key, so a new month starts at zero with no reset job. */
export const utcMonth = (now: number): string => new Date(now).toISOString().slice(0, 7);

interface Memory {
  rateLimitPerMinute: number | null;
  /** Open reservations by request id (mirrors the reservations table). */
  held: Map<string, number>;
  reserved: number;
  /** The rate window lives in memory only: a restarted object forgets at most one minute's count. */
  window: { minute: number; count: number };
  revoked: Set<string>;
}

export class RequestHolds {
  private memory!: Memory;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly ledger: AccountLedger,
  ) {
    this.load();
  }

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  private load(): void {
    const held = new Map(this.sql.exec<{ request_id: string; amount: number }>('SELECT request_id, amount FROM reservations').toArray().map((row) => [row.request_id, row.amount]));
    this.memory = {
      rateLimitPerMinute: this.sql.exec<{ rate_limit_per_minute: number | null }>('SELECT rate_limit_per_minute FROM account_state WHERE id = 1').toArray()[0]?.rate_limit_per_minute ?? null,
      held,
      reserved: [...held.values()].reduce((sum, amount) => sum + amount, 0),
      window: this.memory?.window ?? { minute: 0, count: 0 },
      revoked: new Set(this.sql.exec<{ key_id: string }>('SELECT key_id FROM revoked_keys').toArray().map((row) => row.key_id)),
    };
  }

  /** One storage transaction over the ledger and the holds; on any error, both are reloaded from storage. */
  private transaction<T>(change: () => T): T {
    return this.ledger.transaction(change, () => this.load());
  }

  get reserved(): number {
    return this.memory.reserved;
  }

  get rateLimitPerMinute(): number | null {
    return this.memory.rateLimitPerMinute;
  }

  private settled(requestId: string): { amount: number } | undefined {
    return this.ledger.find('usage', requestId);
  }

  /** Key revocation, rate limit, then funds; on success the worst case is held until settle or expiry. */
  authorize(input: AuthorizeInput, config: AdmissionConfig): AuthorizeDecision {
    if (this.memory.revoked.has(input.context.keyId)) return { ok: false, reason: 'key_revoked' };
    return this.transaction(() => {
      this.ledger.bind();
      if (this.memory.held.has(input.requestId) || this.settled(input.requestId)) {
        // The same output limit as first granted: the most that the amount still held covers.
        const grant = decideHold(input, this.memory.held.get(input.requestId) ?? 0);
        const maxTokens = grant.ok && grant.maxTokens !== undefined ? { maxTokens: grant.maxTokens } : {};
        return { ok: true, balance: this.ledger.balance, reserved: this.memory.reserved, replay: true, ...maxTokens };
      }

      const minute = Math.floor(input.now / MINUTE_MS);
      const limit = this.memory.rateLimitPerMinute ?? config.rateLimitPerMinute;
      const used = this.memory.window.minute === minute ? this.memory.window.count : 0;
      if (used >= limit) {
        return { ok: false, reason: 'rate_limited', limit, retryAfterSeconds: Math.max(1, Math.ceil(((minute + 1) * MINUTE_MS - input.now) / 1000)) };
      }
      this.memory.window = { minute, count: used + 1 };

      // BYOK: the month's first requests are free (nothing held); past them the routing fee is held like a charge.
      const byok = input.context.mode === 'byok';
      const byokFree = byok && this.byokRequests(input.now).requests < config.byokFreeRequestsPerMonth;
      // The output limit and its hold are sized against what is available now, in this same step.
      const hold: HoldDecision = byokFree ? { ok: true, amount: 0 } : decideHold(input, this.ledger.balance - this.memory.reserved);
      if (!hold.ok) return { ok: false, reason: 'insufficient_credits', ...hold.refusal };
      const amount = hold.amount;
      const context: RequestContext = byok ? { ...input.context, byokFree } : input.context;
      this.sql.exec(
        'INSERT INTO reservations (request_id, amount, created_at, expires_at, context) VALUES (?, ?, ?, ?, ?)',
        input.requestId,
        amount,
        input.now,
        input.now + config.reservationTtlMs,
        JSON.stringify(context),
      );
      if (byok) {
        // Counted once per admitted request, whatever its retries and failovers.
        this.sql.exec('INSERT INTO byok_months (month, requests) VALUES (?, 1) ON CONFLICT (month) DO UPDATE SET requests = requests + 1', utcMonth(input.now));
      }
      this.memory.held.set(input.requestId, amount);
      this.memory.reserved += amount;
      const granted = hold.maxTokens !== undefined ? { maxTokens: hold.maxTokens } : {};
      return { ok: true, balance: this.ledger.balance, reserved: this.memory.reserved, replay: false, ...(byok ? { byokFree } : {}), ...granted };
    });
  }

  /** Raises an open hold to `amount` (failover to a pricier model) if the balance covers the difference. */
  raiseHold(requestId: string, amount: number): { ok: boolean; reserved: number } {
    const held = this.memory.held.get(requestId);
    if (held === undefined) return { ok: false, reserved: this.memory.reserved };
    if (amount <= held) return { ok: true, reserved: this.memory.reserved };
    if (amount - held > this.ledger.balance - this.memory.reserved) return { ok: false, reserved: this.memory.reserved };
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
        if (previous) return { charged: -previous.amount, balance: this.ledger.balance, replay: true };
        throw new Error(`settle of ${input.requestId}: no reservation to settle`);
      }
      const context = JSON.parse(reservation.context) as RequestContext;
      const charged = Math.min(input.outcome.cost, this.ledger.balance);
      const balanceAfter = this.ledger.balance - charged;
      const { model = context.model, provider = context.provider, ...usage } = input.outcome;
      const log: BillingLogRecord = {
        ...context,
        ...usage,
        model,
        provider,
        cost: charged,
        id: billingLogId(input.requestId),
        requestId: input.requestId,
        accountId: this.ledger.accountId,
        createdAt: context.startedAt,
        latencyMs: Math.max(0, input.now - context.startedAt),
      };
      this.ledger.append({ kind: 'usage', requestId: input.requestId, amount: -charged, balanceAfter, now: input.now, log });
      this.memory.held.delete(input.requestId);
      this.memory.reserved -= reservation.amount;
      return { charged, balance: balanceAfter, replay: false };
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

  byokRequests(now: number): { month: string; requests: number } {
    const month = utcMonth(now);
    return { month, requests: this.sql.exec<{ requests: number }>('SELECT requests FROM byok_months WHERE month = ?', month).toArray()[0]?.requests ?? 0 };
  }

  /** The operator's override of the configured limit; null = the configured one. */
  setRateLimit(limit: number | null): void {
    this.transaction(() => {
      this.ledger.bind();
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
}
