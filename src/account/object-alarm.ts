/**
 * The account object's one alarm: it hands the ledger's billing logs to the
 * BILLING_LOGS queue (log-handoff.ts), and drops the text of handed logs once
 * BILLING_LOG_READ_WINDOW_MS has passed since they were handed (so at least
 * that long after their charge, and never before the queue has had them that
 * long: a row handed after a long queue outage keeps its full window). A charge arms it (a
 * durable write anyway: admission never sets it); it re-arms itself for the
 * next of: unhanded rows, a failed send's retry, the oldest held log leaving
 * the window, the ledger's next compaction; so an account that goes quiet keeps no logs. Only the object sets
 * it, so the time it is set for is kept in memory and the hot path need not ask
 * storage. Holds left unrenewed are released lazily (request-holds.ts `sweep`), here too.
 */
import type { Config } from '../env';
import { messageOf } from '../errors';
import type { AccountLedger } from './account-ledger';
import type { RequestHolds } from './request-holds';
import { handOffLogs } from './log-handoff';
import { logError } from '../base/log';
import { compactionDueAt } from './ledger-compaction';

/** A failed send is tried again after 10 s, doubling to at most 5 minutes. */
export const sendRetryMs = (failures: number): number => Math.min(300_000, 10_000 * 2 ** Math.max(0, failures - 1));
/** Logs dropped per statement, and statements per alarm (the next alarm goes on at once). */
const DROP_ROWS = 500;
const DROP_ROUNDS = 20;

export class ObjectAlarm {
  private alarmAt: number | null | undefined;
  /** When compaction next has work (in memory; undefined: ask at the next alarm). */
  private compactAt: number | undefined;
  /** Sends failed in a row (in memory: a restarted object starts again at 10 s). */
  private sendFailures = 0;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly queue: () => Queue,
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
    const next: number[] = [];
    try {
      const handed = await handOffLogs(this.ledger, this.queue(), now);
      this.sendFailures = 0;
      if (handed.more) next.push(now);
    } catch (error) {
      this.sendFailures += 1;
      const retryMs = sendRetryMs(this.sendFailures);
      logError('billing_log.send_failed', { message: 'billing logs not handed to the queue; retrying', failures: this.sendFailures, retryMs, cause: messageOf(error) });
      next.push(now + retryMs);
    }
    if (next.length === 0 && this.ledger.hasUnhandedLogs()) next.push(now + this.config().outboxFlushDelayMs);
    const heldUntil = this.dropHeldLogs(now);
    if (heldUntil !== undefined) next.push(heldUntil);
    // Handed request rows past their retention fold into checkpoints (ledger-compaction.ts), a bounded batch
    // when due: the time it is next due is kept in memory, so an alarm before it (a busy account's, every
    // second) does not ask. New request rows are younger than the one it waits for, so none makes it earlier.
    if (this.compactAt === undefined || now >= this.compactAt) this.compactAt = compactionDueAt(this.storage, now);
    if (this.compactAt !== undefined) next.push(this.compactAt);
    if (next.length > 0) await this.setFor(Math.min(...next));
  }

  /** A charge wrote a billing log: hand it over within OUTBOX_FLUSH_DELAY_MS (unless a failed send waits longer). */
  async afterCharge(): Promise<void> {
    if (this.sendFailures > 0) return;
    await this.setFor(Date.now() + this.config().outboxFlushDelayMs);
  }

  /** Drops the held logs past the window, in bounded statements; answers when the next one leaves it. */
  private dropHeldLogs(now: number): number | undefined {
    const window = this.config().billingLogReadWindowMs;
    for (let round = 0; round < DROP_ROUNDS; round++) {
      if (this.ledger.dropHeldLogs(now - window, DROP_ROWS) < DROP_ROWS) break;
    }
    const earliest = this.ledger.earliestHeldHandOff();
    return earliest === undefined ? undefined : Math.max(now, earliest + window);
  }

  private async setFor(at: number): Promise<void> {
    const current = this.alarmAt === undefined ? await this.storage.getAlarm() : this.alarmAt;
    if (current !== null && current <= at) return;
    this.alarmAt = at;
    await this.storage.setAlarm(at);
  }
}
