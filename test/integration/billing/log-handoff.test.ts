/**
 * The account object hands its billing logs to the BILLING_LOGS queue (never to D1), backs off when
 * the queue refuses them, keeps each handed log readable for BILLING_LOG_READ_WINDOW_MS after its
 * charge, then drops its text; and, end to end through the local queue, each row reaches D1, its
 * rollup and one batch object once.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BillingLogRecord } from '../../../src/billing/billing-log';
import type { BillingLogMessage } from '../../../src/billing/log-message';
import type { Env } from '../../../src/env';
import { apiRequest, chat, createAccountWithKey, hello } from '../helpers';
import { accountObject, drainOutbox, handedRequestIds } from './helpers';
import { ledgerCharges } from './invariants';
import { COMPACTION_INTERVAL_MS, REQUEST_ID_RETENTION_MS } from '../../../src/account/ledger-compaction';
import { capturingLogsQueue, consume, d1Rows, linesInR2, rollups } from './log-queue';

const WINDOW_MS = 3_600_000;

afterEach(() => {
  vi.useRealTimers();
});

async function charged(key: string): Promise<string> {
  const response = await chat(key, { model: 'deepseek-chat', messages: hello });
  await response.arrayBuffer();
  return response.headers.get('X-Request-Id')!;
}

async function readLog(key: string, requestId: string): Promise<{ status: number; body: unknown }> {
  const response = await apiRequest(key, 'GET', `/v1/user/billing-logs/${requestId}`);
  return { status: response.status, body: await response.json() };
}

/** Replaces the object's BILLING_LOGS; answers a function that puts the real one back. */
async function objectQueue(accountId: string, queue: Queue): Promise<() => Promise<void>> {
  const stub = accountObject(accountId);
  const real = await runInDurableObject(stub, (instance) => {
    const objectEnv = Reflect.get(instance, 'env') as Env;
    Reflect.set(instance, 'env', { ...objectEnv, BILLING_LOGS: queue });
    return objectEnv;
  });
  return () => runInDurableObject(stub, (instance) => void Reflect.set(instance, 'env', real));
}

const alarmOf = (accountId: string) => runInDurableObject(accountObject(accountId), (_instance, state) => state.storage.getAlarm());

/** The object's ledger rows that carry a billing log: whether handed, and whether its text is still held. */
const heldLogs = (accountId: string) =>
  runInDurableObject(accountObject(accountId), (_instance, state) =>
    state.storage.sql.exec<{ request_id: string; handed: number; held: number }>("SELECT request_id, flushed != 0 AS handed, log IS NOT NULL AS held FROM ledger WHERE kind = 'usage' ORDER BY id").toArray(),
  );

const storedLogs = (accountId: string) =>
  runInDurableObject(accountObject(accountId), (_instance, state) =>
    state.storage.sql.exec<{ log: string }>("SELECT log FROM ledger WHERE kind = 'usage' ORDER BY id").toArray().map((row) => JSON.parse(row.log) as BillingLogRecord),
  );

describe('billing logs through the queue, end to end', () => {
  it('reach D1 once each with their batch, the rollups and one batch object holding the lines the object stored', async () => {
    const { key, accountId } = await createAccountWithKey();
    const ids = [await charged(key), await charged(key)];
    const records = await storedLogs(accountId);
    await drainOutbox(accountId);

    const rows = await d1Rows(accountId);
    expect(rows.map((row) => row.request_id)).toEqual([...ids].sort());
    const { results: batches } = await env.DB.prepare('SELECT id, rows, object_key, archived_at FROM billing_log_batches WHERE id IN (SELECT batch_id FROM billing_logs WHERE account_id = ?)')
      .bind(accountId)
      .all<{ id: string; rows: number; object_key: string; archived_at: number | null }>();
    expect(batches.reduce((sum, batch) => sum + batch.rows, 0)).toBe(2);
    expect(batches.every((batch) => batch.archived_at !== null)).toBe(true);
    const objects = await linesInR2(accountId, 'batches/');
    expect(Object.keys(objects).sort()).toEqual(batches.map((batch) => batch.object_key).sort());
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
    expect(Object.values(objects).flat().sort(byId)).toEqual([...records].sort(byId));
    const day = new Date(records[0]!.createdAt).toISOString().slice(0, 10);
    expect(await rollups(accountId)).toMatchObject([{ day, model: 'deepseek-chat', requests: 2, failed: 0, cost: records[0]!.cost + records[1]!.cost }]);
  });
});

describe('the account object hands billing logs to the queue', () => {
  it('leaves the rows unhanded while the queue refuses them, retrying 10 s, 20 s, then 40 s later, and delivers them once when it is back', async () => {
    const now = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now });
    const { key, accountId } = await createAccountWithKey();
    const requestId = await charged(key);
    const putBack = await objectQueue(accountId, capturingLogsQueue(true).queue);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const retries: Array<number | null> = [];
    try {
      for (let i = 0; i < 3; i++) {
        expect(await runDurableObjectAlarm(accountObject(accountId))).toBe(true);
        retries.push((await alarmOf(accountId))! - now);
      }
      // A charge meanwhile does not bring the next try forward.
      await charged(key);
      retries.push((await alarmOf(accountId))! - now);
    } finally {
      logged.mockRestore();
      await putBack();
    }
    expect(retries).toEqual([10_000, 20_000, 40_000, 40_000]);
    expect((await heldLogs(accountId)).map((row) => row.handed)).toEqual([0, 0]);

    await drainOutbox(accountId);
    expect((await d1Rows(accountId)).map((row) => row.request_id)).toContain(requestId);
    expect(await d1Rows(accountId)).toHaveLength(2);
    expect((await heldLogs(accountId)).map((row) => row.handed)).toEqual([1, 1]);
    // Handed: the alarm now waits for the oldest held log to leave the read window.
    expect(await alarmOf(accountId)).toBe(now + WINDOW_MS);
  });
});

describe('a row handed late (the queue refused it for longer than the window)', () => {
  it('keeps its full read window from when it was handed, not from its charge', async () => {
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: start });
    const { key, accountId } = await createAccountWithKey();
    const requestId = await charged(key);
    // Handed two windows after its charge: its log stays readable in the object for a window from then.
    vi.setSystemTime(start + 2 * WINDOW_MS);
    await drainOutbox(accountId);
    expect(await heldLogs(accountId)).toEqual([{ request_id: requestId, handed: 1, held: 1 }]);
    expect(await alarmOf(accountId)).toBe(start + 3 * WINDOW_MS);
  });
});

describe('the account object dies after a send, before marking its rows handed', () => {
  it('sends them again on the next alarm, and D1, the rollups and the batch objects have each once', async () => {
    const { key, accountId } = await createAccountWithKey();
    const ids = [await charged(key), await charged(key)];
    // The queue takes the batch; the object "dies" before it marks the rows (the send throws afterwards).
    const first = capturingLogsQueue();
    const diesAfterSend = {
      sendBatch: async (messages: Array<{ body: BillingLogMessage }>) => {
        await first.queue.sendBatch(messages);
        throw new Error('the object was reset');
      },
    } as unknown as Queue;
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    let putBack = await objectQueue(accountId, diesAfterSend);
    try {
      await runDurableObjectAlarm(accountObject(accountId));
    } finally {
      quiet.mockRestore();
      await putBack();
    }
    expect((await heldLogs(accountId)).map((row) => row.handed)).toEqual([0, 0]);
    const again = capturingLogsQueue();
    putBack = await objectQueue(accountId, again.queue);
    try {
      await runDurableObjectAlarm(accountObject(accountId));
    } finally {
      await putBack();
    }
    expect((await heldLogs(accountId)).map((row) => row.handed)).toEqual([1, 1]);

    // Both sends are delivered, one after the other.
    await consume(first.sent.map((body) => ({ body })));
    await consume(again.sent.map((body) => ({ body })));
    expect((await d1Rows(accountId)).map((row) => row.request_id)).toEqual([...ids].sort());
    expect(await rollups(accountId)).toMatchObject([{ model: 'deepseek-chat', requests: 2 }]);
    expect(Object.values(await linesInR2(accountId, 'batches/')).flat().map((r) => r.requestId).sort()).toEqual([...ids].sort());
  });
});

describe('read-your-writes while the queue and D1 catch up', () => {
  it('answers a just-finished call from the object before the consumer ran, and after the window only from D1', async () => {
    const now = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now });
    const { key, accountId } = await createAccountWithKey();
    const requestId = await charged(key);
    const early = await readLog(key, requestId);
    expect(early).toMatchObject({ status: 200, body: { request_id: requestId } });

    // Handed to a queue whose consumer has not run: D1 has nothing, the object answers.
    const captured = capturingLogsQueue();
    const putBack = await objectQueue(accountId, captured.queue);
    try {
      await runDurableObjectAlarm(accountObject(accountId));
    } finally {
      await putBack();
    }
    expect(await handedRequestIds(accountId)).toEqual([requestId]);
    expect(await d1Rows(accountId)).toEqual([]);
    expect(await readLog(key, requestId)).toEqual(early);

    await consume(captured.sent.map((body) => ({ body })));
    vi.setSystemTime(now + WINDOW_MS);
    expect(await runDurableObjectAlarm(accountObject(accountId))).toBe(true);
    expect(await heldLogs(accountId)).toEqual([{ request_id: requestId, handed: 1, held: 0 }]);
    expect(await readLog(key, requestId)).toEqual(early);

    // Only D1 has it now: without D1's row the object does not answer either.
    await env.DB.prepare('DELETE FROM billing_logs WHERE request_id = ?').bind(requestId).run();
    expect((await readLog(key, requestId)).status).toBe(404);
  });

  it("drops each held log's text once the window since it was handed is over, earliest first, re-arming for the next; the ledger's amounts stay", async () => {
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: start });
    const { key, accountId } = await createAccountWithKey();
    const first = await charged(key);
    await drainOutbox(accountId);
    vi.setSystemTime(start + 600_000);
    const second = await charged(key);
    await drainOutbox(accountId);
    const ledger = await ledgerCharges(accountId);
    expect(await alarmOf(accountId)).toBe(start + WINDOW_MS);

    vi.setSystemTime(start + WINDOW_MS);
    expect(await runDurableObjectAlarm(accountObject(accountId))).toBe(true);
    expect(await heldLogs(accountId)).toEqual([
      { request_id: first, handed: 1, held: 0 },
      { request_id: second, handed: 1, held: 1 },
    ]);
    expect(await alarmOf(accountId)).toBe(start + 600_000 + WINDOW_MS);

    vi.setSystemTime(start + 600_000 + WINDOW_MS);
    expect(await runDurableObjectAlarm(accountObject(accountId))).toBe(true);
    expect((await heldLogs(accountId)).map((row) => row.held)).toEqual([0, 0]);
    // A quiet account keeps no logs; the one alarm left is the ledger's compaction, a day after its first
    // request row passes the request-id retention.
    const firstCharge = await runInDurableObject(accountObject(accountId), (_instance, state) =>
      state.storage.sql.exec<{ at: number }>("SELECT min(created_at) AS at FROM ledger WHERE kind = 'usage'").one().at,
    );
    expect(await alarmOf(accountId)).toBe(firstCharge + REQUEST_ID_RETENTION_MS + COMPACTION_INTERVAL_MS);
    expect(await ledgerCharges(accountId)).toEqual(ledger);
  });
});
