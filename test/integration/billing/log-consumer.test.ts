/**
 * The BILLING_LOGS consumer writes each billing log to D1, to the rollups and to one R2 batch object
 * exactly once, whatever is delivered twice and wherever it dies; a D1 that fails retries the batch,
 * and after every retry the dead-letter consumer keeps the rows in R2.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { RECOVERY_GRACE_MS } from '../../../src/billing/batch-archive';
import { jsonArrays } from '../../../src/billing/log-writer';
import { adminRequest } from '../helpers';
import { CRON_HEALTH_CHECKS, JOBS } from '../../../src/jobs/scheduled';
import { brokenArchive, consume, d1Rows, DEAD_LOGS_QUEUE, failingD1, linesInR2, messageOf, newAccountId, record, rollups } from './log-queue';

const DAY = '2026-11-30';
const today = () => new Date().toISOString().slice(0, 10);

const deadLettered = async () => (await (await adminRequest('GET', '/health')).json<{ billing_logs: { dead_lettered: number } }>()).billing_logs.dead_lettered;

/** The rollup of `n` default records (record() in log-queue.ts) of deepseek-chat on DAY. */
const rollupOf = (n: number, failed = 0) => ({
  day: DAY,
  model: 'deepseek-chat',
  requests: n,
  failed,
  prompt_tokens: 100 * n,
  cached_tokens: 10 * n,
  completion_tokens: 20 * n,
  reasoning_tokens: 0,
  cost: 1_000 * n,
  uncollected: 0,
  provider_cost: 900 * n,
});

async function batchesOf(accountId: string) {
  const { results } = await env.DB.prepare(
    'SELECT id, rows, object_key, archived_at FROM billing_log_batches WHERE id IN (SELECT DISTINCT batch_id FROM billing_logs WHERE account_id = ?)',
  )
    .bind(accountId)
    .all<{ id: string; rows: number; object_key: string; archived_at: number | null }>();
  return results;
}

/** How many times each request id appears across R2 batch objects. */
async function batchObjectCounts(accountId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const records of Object.values(await linesInR2(accountId, 'batches/'))) for (const r of records) counts[r.requestId] = (counts[r.requestId] ?? 0) + 1;
  return counts;
}

describe('the billing-log consumer', () => {
  it('writes a message delivered twice in one batch and again in the next once: one D1 row each, rollups counted once, one batch object', async () => {
    const accountId = newAccountId();
    const records = [record(accountId), record(accountId, { status: 'failed', cost: 0, providerCost: 0 })];
    const message = messageOf(accountId, records);
    const first = await consume([{ body: message }, { body: message }]);
    const second = await consume([{ body: message }]);
    expect([first.explicitAcks.length, second.explicitAcks.length, first.retryMessages, second.retryMessages]).toEqual([2, 1, [], []]);

    const rows = await d1Rows(accountId);
    expect(rows.map((row) => row.request_id)).toEqual(records.map((r) => r.requestId).sort());
    expect(new Set(rows.map((row) => row.batch_id)).size).toBe(1);
    expect(await rollups(accountId)).toEqual([{ ...rollupOf(2, 1), cost: 1_000, provider_cost: 900 }]);
    const [batch] = await batchesOf(accountId);
    expect(batch).toMatchObject({ rows: 2, object_key: `batches/${today()}/${batch!.id}.ndjson` });
    expect(batch!.archived_at).not.toBeNull();
    expect(await batchObjectCounts(accountId)).toEqual(Object.fromEntries(records.map((r) => [r.requestId, 1])));
    // The object holds the lines exactly as the account object stored them.
    expect((await linesInR2(accountId, batch!.object_key))[batch!.object_key]).toEqual(records);
  });

  it('logs one line per batch: messages, rows, rows new to D1 and the D1 statements it executed', async () => {
    const accountId = newAccountId();
    const message = messageOf(accountId, [record(accountId), record(accountId), record(accountId)]);
    const logged = [...(await consume([{ body: message }])).logged, ...(await consume([{ body: message }, { body: message }])).logged];
    const lines = logged.filter((line) => line.kind === 'billing_log.batch').map(({ messages, rows, inserted, statements, archived }) => ({ messages, rows, inserted, statements, archived }));
    // Insert + batch record + rollups in one transaction, then archived_at once the object is in R2.
    expect(lines).toEqual([
      { messages: 1, rows: 3, inserted: 3, statements: 4, archived: true },
      { messages: 2, rows: 3, inserted: 0, statements: 3, archived: false },
    ]);
  });

  it('writes a full batch, 100 messages of 100 rows, in one transaction of a statement per ~1 MB of rows plus two', async () => {
    const accountId = newAccountId();
    const messages = Array.from({ length: 100 }, () => messageOf(accountId, Array.from({ length: 100 }, () => record(accountId))));
    const result = await consume(messages.map((body) => ({ body })));
    const [line] = result.logged.filter((l) => l.kind === 'billing_log.batch');
    const inserts = jsonArrays(messages.flatMap((m) => m.lines)).length;
    expect(inserts).toBeGreaterThan(1);
    expect(line).toMatchObject({ messages: 100, rows: 10_000, inserted: 10_000, statements: inserts + 3, archived: true });
    expect(result.explicitAcks).toHaveLength(100);
    expect(await rollups(accountId)).toEqual([rollupOf(10_000)]);
  });

  it('dies after the D1 commit and before R2: redelivery inserts nothing new, and the recovery job writes the batch object from D1', async () => {
    const accountId = newAccountId();
    const records = [record(accountId), record(accountId)];
    const message = messageOf(accountId, records);
    const died = await consume([{ body: message }], undefined, { ARCHIVE: brokenArchive });
    // Acknowledged: D1 has committed the rows, the rollups and the batch, which waits for its object.
    expect(died.explicitAcks.length).toBe(1);
    expect(died.logged.filter((line) => line.kind === 'billing_log.archive_failed')).toMatchObject([{ level: 'error', rows: 2, cause: 'R2 put failed: the worker was terminated' }]);
    const [stranded] = await batchesOf(accountId);
    expect(stranded).toMatchObject({ rows: 2, archived_at: null });
    expect(await batchObjectCounts(accountId)).toEqual({});

    const again = await consume([{ body: message }]);
    expect(again.explicitAcks.length).toBe(1);
    expect((await d1Rows(accountId)).map((row) => row.batch_id)).toEqual([stranded!.id, stranded!.id]);
    expect(await batchesOf(accountId)).toHaveLength(1);
    expect(await rollups(accountId)).toEqual([rollupOf(2)]);

    // The five-minute cron's job: a batch is left to its consumer for RECOVERY_GRACE_MS, then rebuilt from D1 (the oldest few a run).
    const recovery = JOBS[CRON_HEALTH_CHECKS]!.find((job) => job.name === 'billing_log_batch_recovery')!;
    await recovery.run(env, new Date());
    expect((await batchesOf(accountId))[0]!.archived_at).toBeNull();
    for (let run = 0; run < 20 && (await batchesOf(accountId))[0]!.archived_at === null; run++) await recovery.run(env, new Date(Date.now() + RECOVERY_GRACE_MS));
    expect((await batchesOf(accountId))[0]!.archived_at).not.toBeNull();
    const objects = await linesInR2(accountId, 'batches/');
    expect(Object.keys(objects)).toEqual([stranded!.object_key]);
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
    expect(objects[stranded!.object_key]!.sort(byId)).toEqual([...records].sort(byId));
  });

  it('retries every message with a growing delay while D1 fails, acknowledging none; a later delivery writes them all once', async () => {
    const accountId = newAccountId();
    const records = [record(accountId), record(accountId), record(accountId)];
    const bodies = [
      { id: 'msg_a', body: messageOf(accountId, records.slice(0, 2)), attempts: 1 },
      { id: 'msg_b', body: messageOf(accountId, records.slice(2)), attempts: 3 },
    ];
    const failed = await consume(bodies, undefined, { DB: failingD1 });
    expect({ acks: failed.explicitAcks, retried: failed.retryMessages, delays: failed.delays }).toEqual({
      acks: [],
      retried: [{ msgId: 'msg_a' }, { msgId: 'msg_b' }],
      delays: { msg_a: 5, msg_b: 20 },
    });
    expect(failed.logged.filter((line) => line.kind === 'billing_log.d1_failed')).toMatchObject([{ level: 'error', messages: 2, cause: 'D1_ERROR: network connection lost' }]);
    expect(await d1Rows(accountId)).toEqual([]);

    const later = await consume(bodies.map((b) => ({ ...b, attempts: b.attempts + 1 })));
    expect(later.explicitAcks.sort()).toEqual(['msg_a', 'msg_b']);
    expect((await d1Rows(accountId)).map((row) => row.request_id)).toEqual(records.map((r) => r.requestId).sort());
    expect(await rollups(accountId)).toEqual([rollupOf(3)]);
    expect(await batchObjectCounts(accountId)).toEqual(Object.fromEntries(records.map((r) => [r.requestId, 1])));
  });

  it('acknowledges and logs a malformed message and a line D1 cannot hold, and writes the rest of the batch', async () => {
    const accountId = newAccountId();
    const good = record(accountId);
    const notMine = record(newAccountId());
    const result = await consume([
      { id: 'msg_junk', body: { hello: 'world' } },
      { id: 'msg_mixed', body: { accountId, lines: ['not json', JSON.stringify({ ...good, id: 'bl_x', cost: 'free' }), JSON.stringify(notMine), JSON.stringify(good)] } },
    ]);
    expect({ acks: result.explicitAcks.sort(), retried: result.retryMessages }).toEqual({ acks: ['msg_junk', 'msg_mixed'], retried: [] });
    expect(result.logged.filter((line) => line.kind === 'billing_log.malformed').map(({ messageId, dropped }) => ({ messageId, dropped }))).toEqual([
      { messageId: 'msg_junk', dropped: undefined },
      { messageId: 'msg_mixed', dropped: 3 },
    ]);
    expect((await d1Rows(accountId)).map((row) => row.request_id)).toEqual([good.requestId]);
    expect(await d1Rows(notMine.accountId)).toEqual([]);
  });
});

describe('the billing-log dead-letter consumer', () => {
  it('writes D1 once more when it can', async () => {
    const accountId = newAccountId();
    const records = [record(accountId)];
    const result = await consume([{ body: messageOf(accountId, records) }], DEAD_LOGS_QUEUE);
    expect(result.explicitAcks.length).toBe(1);
    expect((await d1Rows(accountId)).map((row) => row.request_id)).toEqual([records[0]!.requestId]);
  });

  it('keeps the rows in R2 under dead-letter/<day>/<message id>.ndjson when D1 still fails, with an error line for the operator', async () => {
    const accountId = newAccountId();
    const records = [record(accountId), record(accountId)];
    const messageId = `msg_dead_${crypto.randomUUID()}`;
    const before = await deadLettered();
    const result = await consume([{ id: messageId, body: messageOf(accountId, records) }], DEAD_LOGS_QUEUE, { DB: failingD1 });
    expect({ acks: result.explicitAcks, retried: result.retryMessages }).toEqual({ acks: [messageId], retried: [] });
    const key = `dead-letter/${today()}/${messageId}.ndjson`;
    expect(await linesInR2(accountId, key)).toEqual({ [key]: records });
    expect(result.logged.filter((line) => line.kind === 'billing_log.dead_lettered')).toMatchObject([{ level: 'error', messageId, rows: 2, objectKey: key, cause: 'D1_ERROR: network connection lost' }]);
    expect(await d1Rows(accountId)).toEqual([]);
    // The operator counts them in GET /admin/v1/health.
    expect(await deadLettered()).toBe(before + 1);
  });
});
