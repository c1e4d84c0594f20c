/**
 * Hands the ledger's unhanded billing logs to the BILLING_LOGS queue, oldest
 * first, in sendBatches packed by bytes (billing/log-message.ts), marking each
 * sendBatch's rows handed once the queue took it. The object never writes D1
 * for billing logs: the queue's consumer does, exactly once.
 *
 * Failure windows: a send that throws leaves its rows unhanded (the alarm tries
 * again later); an object that dies after a send and before marking its rows
 * sends them again, and the consumer's INSERT OR IGNORE keeps one row each.
 */
import { packBySize, packMessages, SEND_MAX_BYTES, utf8Length } from '../billing/log-message';
import type { AccountLedger } from './account-ledger';

/** Rows read from the ledger at a time. */
const READ_ROWS = 1_000;
/** SendBatches per alarm: a long backlog is handed over several alarms, each bounded. */
const MAX_SENDS = 50;

/** What a hand-off came to: rows and sendBatches, and whether rows are left for the next alarm. */
export interface Handoff {
  rows: number;
  sends: number;
  more: boolean;
}

export async function handOffLogs(ledger: AccountLedger, queue: Queue, now: number): Promise<Handoff> {
  const done: Handoff = { rows: 0, sends: 0, more: false };
  for (;;) {
    const rows = ledger.unhandedLogs(READ_ROWS);
    if (rows.length === 0) return done;
    // As many rows as fit one sendBatch; messages of ≤ 100 rows: at most 10 of the READ_ROWS, well under Queues' 100.
    for (const slice of packBySize(rows, (row) => utf8Length(row.log), SEND_MAX_BYTES)) {
      if (done.sends >= MAX_SENDS) return { ...done, more: true };
      const messages = packMessages(ledger.accountId, slice.map((row) => row.log));
      await queue.sendBatch(messages.map((body) => ({ body, contentType: 'json' as const })));
      ledger.markHanded(slice[0]!.ledgerId, slice.at(-1)!.ledgerId, now);
      done.rows += slice.length;
      done.sends += 1;
    }
  }
}
