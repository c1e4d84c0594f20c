/** The billing-log retention job: days past the retention go to R2, verified, and only then leave D1. */
import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runBillingLogRetention } from '../../../src/jobs/billing-log-retention';
import { CRON_DAILY, CRON_HEALTH_CHECKS, JOBS } from '../../../src/jobs/scheduled';
import type { Env } from '../../../src/env';
import { createAccountWithKey } from '../helpers';
import { loggedLines } from '../log-lines';
import { hashAccountId } from '../../../src/base/log';
import { archiveRows, bucketWhere, dayRecords, insertRecords, rowsInD1, sha256Hex } from './retention-fixtures';

// June 15 2026, 03:00 UTC: with 90 days of retention D1 keeps March 17 onwards.
const NOW = new Date(Date.UTC(2026, 5, 15, 3));
const ARCHIVED_AT = NOW.getTime();

/** The whole sweep: the daily start, then five-minute ticks until it is done. */
async function sweep(bindings: Env = env, pageSize?: number): Promise<number> {
  let run = await runBillingLogRetention(bindings, NOW, { start: true, pageSize });
  let runs = 1;
  while (run.claimed && !run.finished && runs < 200) {
    run = await runBillingLogRetention(bindings, NOW, { start: false, pageSize });
    runs += 1;
  }
  return runs;
}

const objectText = async (key: string): Promise<string> => (await (await env.ARCHIVE.get(key))!.text());

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM job_cursors WHERE job = 'billing_log_retention'").run();
});

afterEach(() => vi.restoreAllMocks());

describe('billing log retention', () => {
  it('archives and deletes the days before the retention, and keeps the days inside it', async () => {
    const { accountId } = await createAccountWithKey(1);
    await insertRecords([...dayRecords(accountId, '2026-03-10', 3), ...dayRecords(accountId, '2026-03-16', 2), ...dayRecords(accountId, '2026-03-17', 4)]);
    await sweep();
    expect(await rowsInD1(accountId)).toBe(4);
    const kept = await env.DB.prepare('SELECT min(created_at) AS first FROM billing_logs WHERE account_id = ?').bind(accountId).first<{ first: number }>();
    expect(kept!.first).toBe(Date.UTC(2026, 2, 17));
    expect((await archiveRows(accountId)).map((row) => [row.day, row.rows, row.prunedAt])).toEqual([
      ['2026-03-10', 3, ARCHIVED_AT],
      ['2026-03-16', 2, ARCHIVED_AT],
    ]);
  });

  it("writes the day's rows as lines ordered by time then request id, with the count, size and checksum recorded", async () => {
    const { accountId } = await createAccountWithKey(1);
    // Two rows in the same millisecond: the request id orders them.
    const records = dayRecords(accountId, '2026-03-01', 6, { step: 0 }).concat(dayRecords(accountId, '2026-03-01', 4, { offsetMs: 3_600_000 }));
    await insertRecords([...records].reverse());
    await sweep();
    const expected = [...records].sort((a, b) => a.createdAt - b.createdAt || (a.requestId < b.requestId ? -1 : 1));
    const key = `accounts/${accountId}/2026-03-01.ndjson`;
    const text = await objectText(key);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual(expected);
    const bytes = new TextEncoder().encode(text);
    expect(await archiveRows(accountId)).toEqual([
      { day: '2026-03-01', objectKey: key, rows: 10, bytes: bytes.byteLength, sha256: await sha256Hex(bytes), archivedAt: ARCHIVED_AT, prunedAt: ARCHIVED_AT },
    ]);
    expect(await rowsInD1(accountId)).toBe(0);
  });

  it('reads a day longer than a page whole and in order, ties across page boundaries included', async () => {
    const { accountId } = await createAccountWithKey(1);
    // 2,500 rows in one millisecond (pages of 1,000 end inside the tie), then 500 a second apart.
    const records = [...dayRecords(accountId, '2026-03-02', 2_500, { step: 0 }), ...dayRecords(accountId, '2026-03-02', 500, { offsetMs: 1 })];
    await insertRecords(records);
    await sweep();
    const lines = (await objectText(`accounts/${accountId}/2026-03-02.ndjson`)).trimEnd().split('\n');
    const expected = [...records].sort((a, b) => a.createdAt - b.createdAt || (a.requestId < b.requestId ? -1 : 1)).map((record) => record.requestId);
    expect(lines.map((line) => (JSON.parse(line) as { requestId: string }).requestId)).toEqual(expected);
    expect((await archiveRows(accountId)).map((row) => row.rows)).toEqual([3_000]);
    expect(await rowsInD1(accountId)).toBe(0);
  });

  it('deletes nothing when R2 refuses the object, logs it, and archives the day on the next run', async () => {
    const { accountId } = await createAccountWithKey(1);
    await insertRecords(dayRecords(accountId, '2026-02-20', 5));
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const refusing = bucketWhere({
      put: () => Promise.reject(new Error('R2 put failed: 503')),
      createMultipartUpload: () => Promise.reject(new Error('R2 put failed: 503')),
    });
    await sweep({ ...env, ARCHIVE: refusing });
    expect(await rowsInD1(accountId)).toBe(5);
    expect(await archiveRows(accountId)).toEqual([]);
    expect(loggedLines(errors, 'billing_log_retention.day_failed').filter((line) => line.account === hashAccountId(accountId))).toEqual([
      { level: 'error', kind: 'billing_log_retention.day_failed', account: hashAccountId(accountId), day: '2026-02-20', message: 'archive failed; nothing deleted, retried on the next sweep', cause: 'R2 put failed: 503' },
    ]);

    await env.DB.prepare("DELETE FROM job_cursors WHERE job = 'billing_log_retention'").run();
    await sweep();
    expect(await rowsInD1(accountId)).toBe(0);
    expect((await archiveRows(accountId)).map((row) => row.rows)).toEqual([5]);
  });

  it('deletes nothing when the object read back has another line count or checksum', async () => {
    const { accountId } = await createAccountWithKey(1);
    await insertRecords(dayRecords(accountId, '2026-02-21', 4));
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const lines = (text: string) => text.split('\n');
    // One read loses its last line; the other flips a digit (same count, another checksum).
    for (const corrupt of [(text: string) => `${lines(text).slice(0, -2).join('\n')}\n`, (text: string) => text.replace('"cost":100', '"cost":900')]) {
      const corrupting = bucketWhere({
        get: async (key: string) => {
          const real = await env.ARCHIVE.get(key);
          return real && { body: new Response(corrupt(await real.text())).body };
        },
      });
      await env.DB.prepare("DELETE FROM job_cursors WHERE job = 'billing_log_retention'").run();
      await sweep({ ...env, ARCHIVE: corrupting });
      expect(await rowsInD1(accountId)).toBe(4);
      expect(await archiveRows(accountId)).toEqual([]);
    }
    const mismatches = loggedLines(errors, 'billing_log_retention.mismatch').filter((line) => line.account === hashAccountId(accountId));
    expect(mismatches.map((line) => [line.wroteRows, line.readRows])).toEqual([
      [4, 3],
      [4, 4],
    ]);
  });

  it('replaces an object a dead run left before recording it, from the full day in D1', async () => {
    const { accountId } = await createAccountWithKey(1);
    const records = dayRecords(accountId, '2026-02-22', 3);
    await insertRecords(records);
    await env.ARCHIVE.put(`accounts/${accountId}/2026-02-22.ndjson`, '{"half":\n');
    await sweep();
    const text = await objectText(`accounts/${accountId}/2026-02-22.ndjson`);
    expect(text.trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual(records);
    expect(await rowsInD1(accountId)).toBe(0);
  });

  it('finishes the deletes of a day archived before the run died, without rewriting its object', async () => {
    const { accountId } = await createAccountWithKey(1);
    await insertRecords(dayRecords(accountId, '2026-02-23', 3));
    const key = `accounts/${accountId}/2026-02-23.ndjson`;
    await env.ARCHIVE.put(key, 'verified earlier\n');
    await env.DB.prepare("INSERT INTO billing_log_archives (account_id, day, object_key, rows, bytes, sha256, archived_at) VALUES (?, '2026-02-23', ?, 3, 1, 'x', 1)")
      .bind(accountId, key)
      .run();
    await sweep();
    expect(await rowsInD1(accountId)).toBe(0);
    expect(await objectText(key)).toBe('verified earlier\n');
    expect((await archiveRows(accountId)).map((row) => [row.archivedAt, row.prunedAt])).toEqual([[1, ARCHIVED_AT]]);
  });

  it('works through more accounts than a page across ticks', async () => {
    const accounts = await Promise.all([1, 2, 3, 4, 5].map(() => createAccountWithKey(1)));
    for (const { accountId } of accounts) await insertRecords(dayRecords(accountId, '2026-01-05', 2));
    const first = await runBillingLogRetention(env, NOW, { start: true, pageSize: 2 });
    expect(first).toMatchObject({ claimed: true, finished: false });
    const runs = await sweep(env, 2);
    expect(runs).toBeGreaterThan(2);
    for (const { accountId } of accounts) {
      expect(await rowsInD1(accountId)).toBe(0);
      expect((await archiveRows(accountId)).map((row) => row.rows)).toEqual([2]);
    }
  });

  it('leaves rows that reach D1 for a day already pruned where they are, and logs them', async () => {
    const { accountId } = await createAccountWithKey(1);
    await insertRecords(dayRecords(accountId, '2026-01-07', 2));
    await sweep();
    const archived = await archiveRows(accountId);
    await insertRecords(dayRecords(accountId, '2026-01-07', 1, { offsetMs: 60_000 }));
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await env.DB.prepare("DELETE FROM job_cursors WHERE job = 'billing_log_retention'").run();
    await sweep();
    expect(await rowsInD1(accountId)).toBe(1);
    expect(await archiveRows(accountId)).toEqual(archived);
    expect(loggedLines(errors, 'billing_log_retention.late_rows').filter((line) => line.account === hashAccountId(accountId))).toEqual([
      { level: 'error', kind: 'billing_log_retention.late_rows', account: hashAccountId(accountId), day: '2026-01-07', rows: 1, message: 'rows reached D1 for a day already archived and pruned; left in D1' },
    ]);
  });

  it('is begun by the daily cron and continued by the five-minute one', () => {
    expect(JOBS[CRON_DAILY]!.map((job) => job.name)).toContain('billing_log_retention_start');
    expect(JOBS[CRON_HEALTH_CHECKS]!.map((job) => job.name)).toContain('billing_log_retention_page');
  });

  it('does nothing when run again after a finished sweep, the same day or the next', async () => {
    const { accountId } = await createAccountWithKey(1);
    // The earlier test's late rows are reported again by each sweep.
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await insertRecords([...dayRecords(accountId, '2026-01-06', 2), ...dayRecords(accountId, '2026-06-01', 1)]);
    await sweep();
    const before = await archiveRows(accountId);
    expect(await runBillingLogRetention(env, NOW, { start: true })).toMatchObject({ claimed: false });
    const puts: string[] = [];
    const watching = bucketWhere({
      put: (key: string, value: string) => {
        puts.push(key);
        return env.ARCHIVE.put(key, value);
      },
    });
    let run = await runBillingLogRetention({ ...env, ARCHIVE: watching }, new Date(NOW.getTime() + 60_000), { start: true });
    expect(run.claimed).toBe(false);
    run = await runBillingLogRetention({ ...env, ARCHIVE: watching }, new Date(Date.UTC(2026, 5, 16, 3)), { start: true });
    // Tomorrow's sweep runs (other accounts may have a new day to archive), and leaves this account as it was.
    expect(run.claimed).toBe(true);
    expect(puts.filter((key) => key.includes(accountId))).toEqual([]);
    expect(await archiveRows(accountId)).toEqual(before);
    expect(await rowsInD1(accountId)).toBe(1);
  });
});
