/**
 * The per-account Durable Object (SQLite storage): the authority on the
 * account's balance, reservations, rate limit, BYOK month counter and ledger.
 * One object per account and a single thread, so every check-then-write is
 * atomic however many requests arrive at once. Its alarm releases reservations
 * that were never settled and flushes the ledger's billing logs to D1.
 */
import { DurableObject } from 'cloudflare:workers';
import { parseConfig, type Env } from '../env';
import * as ledger from './account-ledger';
import type { RequestContext, RequestOutcome } from './billing-log';
import { LEDGER_SCHEMA } from './ledger-schema';
import { OUTBOX_BATCH, writeBillingLogs } from './outbox';

/** A failed D1 flush is tried again after this long. */
const FLUSH_RETRY_MS = 10_000;

export interface AccountSummary {
  accountId: string;
  balance: number;
  reserved: number;
  openReservations: number;
  rateLimitPerMinute: number | null;
  ledgerTotals: Record<string, number>;
  byok: { month: string; requests: number };
}

export class AccountDurableObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** When the alarm is set for (only this object sets it), so the hot path need not ask storage. */
  private alarmAt: number | null | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      for (const statement of LEDGER_SCHEMA) this.sql.exec(statement);
    });
  }

  async authorize(input: ledger.AuthorizeInput): Promise<ledger.AuthorizeDecision> {
    const decision = this.ctx.storage.transactionSync(() => ledger.authorize(this.sql, input));
    if (decision.ok && !decision.replay) await this.setAlarm(input.now + input.reservationTtlMs);
    return decision;
  }

  async settle(input: { accountId: string; requestId: string; outcome: RequestOutcome; logId: string; now: number; context?: RequestContext }): Promise<ledger.SettleResult> {
    const result = this.ctx.storage.transactionSync(() => ledger.settle(this.sql, input));
    if (!result.replay) await this.setAlarm(Date.now() + parseConfig(this.env).outboxFlushDelayMs);
    return result;
  }

  async adjust(input: { accountId: string; amount: number; reason: string; now: number }): Promise<ledger.AdjustResult> {
    return this.ctx.storage.transactionSync(() => ledger.adjust(this.sql, input));
  }

  async setRateLimit(accountId: string, limit: number | null): Promise<void> {
    ledger.setRateLimit(this.sql, accountId, limit);
  }

  async summary(accountId: string, now: number): Promise<AccountSummary> {
    const state = ledger.readState(this.sql, accountId);
    return {
      accountId: state.accountId,
      balance: state.balance,
      reserved: ledger.reservedTotal(this.sql),
      openReservations: this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM reservations').one().n,
      rateLimitPerMinute: state.rateLimitPerMinute,
      ledgerTotals: ledger.ledgerTotals(this.sql),
      byok: ledger.byokRequests(this.sql, now),
    };
  }

  override async alarm(): Promise<void> {
    // The alarm that fired is gone; whatever is scheduled meanwhile asks storage afresh.
    this.alarmAt = undefined;
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      // Nothing is known of a request that never settled (its worker died): it is released at no charge.
      const released: RequestOutcome = { promptTokens: 0, cachedTokens: 0, completionTokens: 0, reasoningTokens: 0, cost: 0, providerCost: 0, estimated: true, status: 'abandoned' };
      for (const { requestId } of ledger.expiredReservations(this.sql, now)) {
        ledger.settle(this.sql, { accountId: this.accountId(), requestId, outcome: released, logId: `bl_${requestId}`, now });
      }
    });
    let retryAt: number | undefined;
    try {
      await this.flushOutbox();
    } catch (error) {
      console.error('billing log flush failed; retrying', error instanceof Error ? error.message : error);
      retryAt = now + FLUSH_RETRY_MS;
    }
    const pending = ledger.unflushedLogs(this.sql, 1).length > 0 ? now + parseConfig(this.env).outboxFlushDelayMs : undefined;
    const next = [retryAt ?? pending, ledger.nextExpiry(this.sql)].filter((at): at is number => at !== undefined);
    if (next.length > 0) await this.setAlarm(Math.min(...next));
  }

  private accountId(): string {
    return this.sql.exec<{ account_id: string }>('SELECT account_id FROM account_state WHERE id = 1').one().account_id;
  }

  private async flushOutbox(): Promise<void> {
    for (;;) {
      const batch = ledger.unflushedLogs(this.sql, OUTBOX_BATCH);
      if (batch.length === 0) return;
      await writeBillingLogs(this.env.DB, batch.map((row) => row.log));
      ledger.markFlushed(this.sql, batch.map((row) => row.ledgerId));
    }
  }

  private async setAlarm(at: number): Promise<void> {
    const current = this.alarmAt === undefined ? await this.ctx.storage.getAlarm() : this.alarmAt;
    if (current !== null && current <= at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }
}
