/**
 * The account object's one alarm: it flushes the ledger's billing logs to D1
 * (armed by a charge, which is a durable write anyway: admission never sets
 * it). Only the object sets it, so the time it is set for is kept in memory and
 * the hot path need not ask storage. Holds left unrenewed are released lazily
 * (request-holds.ts `sweep`), here too.
 */
import type { Config } from '../env';
import { messageOf } from '../errors';
import { OUTBOX_BATCH, writeBillingLogs } from '../billing/outbox';
import type { AccountLedger } from './account-ledger';
import type { RequestHolds } from './request-holds';
import { logError } from '../base/log';
import { compactionDueAt } from './ledger-compaction';

/** A failed D1 flush is tried again after this long. */
const FLUSH_RETRY_MS = 10_000;

export class ObjectAlarm {
  private alarmAt: number | null | undefined;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly db: () => D1Database,
    private readonly config: () => Config,
    private readonly ledger: AccountLedger,
    private readonly holds: RequestHolds,
  ) {}

  /** What the alarm does when it fires. */
  async fire(): Promise<void> {
    // The alarm that fired is gone; whatever is scheduled meanwhile asks storage afresh.
    this.alarmAt = undefined;
    const now = Date.now();
    this.holds.sweep();
    let retryAt: number | undefined;
    try {
      await this.flushOutbox();
    } catch (error) {
      logError('billing_log.flush_failed', { message: 'billing log flush failed; retrying', cause: messageOf(error) });
      retryAt = now + FLUSH_RETRY_MS;
    }
    const pending = this.ledger.hasUnflushedLogs() ? now + this.config().outboxFlushDelayMs : undefined;
    // Handed request rows past their retention fold into checkpoints (ledger-compaction.ts), a bounded batch per alarm.
    const compactAt = compactionDueAt(this.storage, now);
    const next = [retryAt ?? pending, compactAt].filter((at) => at !== undefined).sort((a, b) => a - b)[0];
    if (next !== undefined) await this.setFor(next);
  }

  /** A charge wrote a billing log: flush it within OUTBOX_FLUSH_DELAY_MS. */
  async afterCharge(): Promise<void> {
    await this.setFor(Date.now() + this.config().outboxFlushDelayMs);
  }

  private async flushOutbox(): Promise<void> {
    for (;;) {
      const batch = this.ledger.unflushedLogs(OUTBOX_BATCH);
      if (batch.length === 0) return;
      await writeBillingLogs(this.db(), batch.map((row) => row.log));
      this.ledger.markFlushed(batch.map((row) => row.ledgerId));
    }
  }

  private async setFor(at: number): Promise<void> {
    const current = this.alarmAt === undefined ? await this.storage.getAlarm() : this.alarmAt;
    if (current !== null && current <= at) return;
    this.alarmAt = at;
    await this.storage.setAlarm(at);
  }
}
