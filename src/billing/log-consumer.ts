/**
 * The BILLING_LOGS queue's consumer. One invocation writes its whole batch (up
 * to 100 messages of rows) to D1 in one transaction (log-writer.ts), exactly
 * once however often a message is delivered; acknowledges the messages only
 * once D1 committed; then puts one immutable NDJSON object of the rows new to
 * D1 to R2 (batch-archive.ts). A D1 failure retries the messages with a
 * growing delay; a malformed message or line is acknowledged and logged.
 *
 * The dead-letter queue's consumer (after every retry) tries D1 once more,
 * else keeps each message's rows in R2 under `dead-letter/<day>/<message id>.ndjson`
 * and logs an error for the operator: nothing is lost.
 */
import { newId } from '../base/ids';
import { logError, logEvent } from '../base/log';
import { queueRole } from '../base/queue-names';
import { messageOf } from '../errors';
import { archiveBatch, ndjson } from './batch-archive';
import { isBillingLogMessage, recordIdOf } from './log-message';
import { batchObjectKey, writeBatch } from './log-writer';
import { utcDay } from '../base/utc-day';

/** Seconds before a D1 retry, by delivery attempt: 5, 10, 20 … at most 5 minutes. */
export const d1RetryDelaySeconds = (attempts: number): number => Math.min(300, 5 * 2 ** Math.max(0, attempts - 1));

/** What a batch came to (its `billing_log.batch` line). */
export interface LogBatchTally {
  messages: number;
  /** Well-formed rows received (duplicates within the batch counted once). */
  rows: number;
  /** Rows new to D1. */
  inserted: number;
  /** D1 statements executed (a batch() member counts one). */
  statements: number;
  malformed: number;
  retried: number;
  archived: boolean;
  deadLettered: number;
}

interface Accepted {
  message: Message<unknown>;
  accountId: string;
  /** [record id, line] of its well-formed lines. */
  records: Array<readonly [string, string]>;
}

export async function consumeBillingLogs(batch: MessageBatch<unknown>, env: { DB: D1Database; ARCHIVE: R2Bucket }, now = Date.now()): Promise<LogBatchTally> {
  const started = Date.now();
  const dead = queueRole(batch.queue) === 'billing_logs_dead';
  const tally: LogBatchTally = { messages: batch.messages.length, rows: 0, inserted: 0, statements: 0, malformed: 0, retried: 0, archived: false, deadLettered: 0 };
  const accepted = accept(batch, tally);
  // One line per record id: a message delivered twice in one batch adds its rows once.
  const lineById = new Map<string, string>();
  for (const { records } of accepted) for (const [id, line] of records) if (!lineById.has(id)) lineById.set(id, line);
  tally.rows = lineById.size;
  const batchId = newId('lbatch');
  try {
    let inserted: Set<string>;
    try {
      const written = await writeBatch(env.DB, batchId, [...lineById.values()], now);
      tally.statements += written.statements;
      inserted = written.inserted;
    } catch (error) {
      // Nothing of the batch is in D1 (one transaction): retried, or after every retry kept in R2.
      if (dead) tally.deadLettered = await deadLetter(env.ARCHIVE, accepted, now, error);
      else {
        logError('billing_log.d1_failed', { queue: batch.queue, batchId, messages: accepted.length, message: 'billing logs not written to D1; retrying', cause: messageOf(error) });
        for (const { message } of accepted) message.retry({ delaySeconds: d1RetryDelaySeconds(message.attempts) });
        tally.retried = accepted.length;
      }
      return tally;
    }
    // Committed: acknowledged before R2, which a recovery can redo from D1.
    for (const { message } of accepted) message.ack();
    tally.inserted = inserted.size;
    if (inserted.size > 0) {
      const lines = [...lineById].filter(([id]) => inserted.has(id)).map(([, line]) => line);
      tally.archived = await archiveOrLeave(env, { id: batchId, objectKey: batchObjectKey(batchId, now) }, lines, now);
      if (tally.archived) tally.statements += 1;
    }
  } finally {
    logEvent('billing_log.batch', { queue: batch.queue, batchId, ...tally, ms: Date.now() - started });
  }
  return tally;
}

/** The well-formed messages, their lines checked; the rest acknowledged and logged (never retried forever). */
function accept(batch: MessageBatch<unknown>, tally: LogBatchTally): Accepted[] {
  const accepted: Accepted[] = [];
  for (const message of batch.messages) {
    const body = message.body;
    if (!isBillingLogMessage(body)) {
      logError('billing_log.malformed', { queue: batch.queue, messageId: message.id, message: 'not a billing-log message: dropped' });
      message.ack();
      tally.malformed += 1;
      continue;
    }
    const records: Array<readonly [string, string]> = [];
    for (const line of body.lines) {
      const id = recordIdOf(line, body.accountId);
      if (id !== undefined) records.push([id, line]);
    }
    if (records.length < body.lines.length) {
      logError('billing_log.malformed', { queue: batch.queue, messageId: message.id, dropped: body.lines.length - records.length, message: 'billing-log lines D1 cannot hold: dropped' });
      tally.malformed += 1;
    }
    accepted.push({ message, accountId: body.accountId, records });
  }
  return accepted;
}

/** Archives a committed batch; a failure is logged and left to the recovery job (the rows are in D1). */
async function archiveOrLeave(env: { DB: D1Database; ARCHIVE: R2Bucket }, batch: { id: string; objectKey: string }, lines: string[], now: number): Promise<boolean> {
  try {
    await archiveBatch(env.ARCHIVE, env.DB, batch, lines, now);
    return true;
  } catch (error) {
    logError('billing_log.archive_failed', { batchId: batch.id, rows: lines.length, message: 'batch object not written; the recovery job writes it from D1', cause: messageOf(error) });
    return false;
  }
}

/** Keeps each message's rows in R2 for the operator; a message R2 refuses too is retried by the dead-letter queue. */
async function deadLetter(bucket: R2Bucket, accepted: Accepted[], now: number, cause: unknown): Promise<number> {
  const day = utcDay(now);
  let kept = 0;
  for (const { message, accountId, records } of accepted) {
    const lines = records.map(([, line]) => line);
    const key = `dead-letter/${day}/${message.id}.ndjson`;
    try {
      await bucket.put(key, ndjson(lines), { httpMetadata: { contentType: 'application/x-ndjson' } });
      logError('billing_log.dead_lettered', { accountId, messageId: message.id, rows: lines.length, objectKey: key, message: 'billing logs not written to D1 after every retry: kept in R2', cause: messageOf(cause) });
      message.ack();
      kept += 1;
    } catch (error) {
      logError('billing_log.dead_letter_failed', { accountId, messageId: message.id, rows: lines.length, message: 'billing logs neither in D1 nor in R2; retrying', cause: messageOf(error) });
      message.retry();
    }
  }
  return kept;
}
