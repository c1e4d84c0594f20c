/** The object's hand-off: oldest first, a sendBatch under Queues' limits, rows marked only once sent. */
import { describe, expect, it } from 'vitest';
import type { AccountLedger } from '../../../src/account/account-ledger';
import { handOffLogs } from '../../../src/account/log-handoff';
import { sendRetryMs } from '../../../src/account/object-alarm';
import { SEND_MAX_BYTES, type BillingLogMessage } from '../../../src/billing/log-message';

/** A ledger of `count` unhanded logs of `bytes` each, ids 1…count. */
function fakeLedger(count: number, bytes: number) {
  const rows = Array.from({ length: count }, (_, i) => ({ ledgerId: i + 1, log: `{"n":${i + 1},"pad":"${'x'.repeat(bytes)}"}`, handed: false }));
  const marks: Array<[number, number]> = [];
  const ledger = {
    accountId: 'acct_a',
    unhandedLogs: (limit: number) => rows.filter((row) => !row.handed).slice(0, limit),
    markHanded: (first: number, last: number, now: number) => {
      expect(now).toBe(1_000);
      marks.push([first, last]);
      for (const row of rows) if (row.ledgerId >= first && row.ledgerId <= last) row.handed = true;
    },
  } as unknown as AccountLedger;
  return { ledger, rows, marks };
}

function recordingQueue(failAt?: number) {
  const sends: BillingLogMessage[][] = [];
  const queue = {
    sendBatch: async (batch: Array<{ body: BillingLogMessage }>) => {
      if (sends.length === failAt) throw new Error('Queue send failed');
      sends.push(batch.map((message) => message.body));
    },
  } as unknown as Queue;
  return { queue, sends };
}

const bytesOf = (messages: BillingLogMessage[]) => messages.reduce((sum, m) => sum + m.lines.reduce((s, l) => s + l.length + 1, 0), 0);

describe('handOffLogs', () => {
  it('sends every row once, oldest first, each sendBatch under 200 KB of lines and 100 messages', async () => {
    const { ledger, rows, marks } = fakeLedger(1_500, 600);
    const { queue, sends } = recordingQueue();
    expect(await handOffLogs(ledger, queue, 1_000)).toMatchObject({ rows: 1_500, more: false });
    const sent = sends.flat().flatMap((m) => m.lines.map((l) => (JSON.parse(l) as { n: number }).n));
    expect(sent).toEqual(rows.map((row) => row.ledgerId));
    for (const batch of sends) {
      expect(bytesOf(batch)).toBeLessThanOrEqual(SEND_MAX_BYTES);
      expect(batch.length).toBeLessThanOrEqual(100);
    }
    // Each sendBatch's rows are marked handed after it, as one range.
    expect(marks.length).toBe(sends.length);
    expect(marks.map(([first, last]) => last - first + 1)).toEqual(sends.map((batch) => batch.reduce((sum, m) => sum + m.lines.length, 0)));
  });

  it('leaves the rows of a refused sendBatch, and those after it, unhanded', async () => {
    const { ledger, rows } = fakeLedger(1_000, 600);
    const { queue, sends } = recordingQueue(1);
    await expect(handOffLogs(ledger, queue, 1_000)).rejects.toThrow('Queue send failed');
    const sentRows = sends[0]!.reduce((sum, m) => sum + m.lines.length, 0);
    expect(rows.filter((row) => row.handed).map((row) => row.ledgerId)).toEqual(rows.slice(0, sentRows).map((row) => row.ledgerId));
  });

  it('stops after 50 sendBatches and says more are left', async () => {
    const { ledger } = fakeLedger(400, 60_000);
    const { queue, sends } = recordingQueue();
    expect(await handOffLogs(ledger, queue, 1_000)).toEqual({ rows: 150, sends: 50, more: true });
    expect(sends).toHaveLength(50);
  });
});

describe('sendRetryMs', () => {
  it('waits 10 s after the first failed send, doubling to at most 5 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(sendRetryMs)).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });
});
