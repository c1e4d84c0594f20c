/**
 * The billing-log pipeline end to end, each part the real one: calls charged by the account object,
 * handed to the BILLING_LOGS queue and written by its consumer (with rollups), days past the retention
 * archived to R2 by the retention job and deleted from D1, then one export spanning the archive and D1.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runBillingLogRetention } from '../../../src/jobs/billing-log-retention';
import { apiRequest, chat, createAccountWithKey, hello } from '../helpers';
import { drainOutbox } from './helpers';

const DAY = 24 * 60 * 60_000;

/** A finished call's request id. */
async function call(key: string): Promise<string> {
  const response = await chat(key, { model: 'deepseek-chat', messages: hello });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
  return response.headers.get('X-Request-Id')!;
}

/** The retention sweep, begun and continued until done (other tests' old rows included). */
async function retentionSweep(now: Date): Promise<void> {
  // Another test may have swept today already: the day's sweep is begun afresh here.
  await env.DB.prepare("DELETE FROM job_cursors WHERE job = 'billing_log_retention'").run();
  let run = await runBillingLogRetention(env, now, { start: true });
  for (let tick = 0; run.claimed && !run.finished && tick < 200; tick++) run = await runBillingLogRetention(env, now, { start: false });
  expect(run).toMatchObject({ claimed: true, finished: true });
}

const countIn = async (sql: string, ...bindings: unknown[]): Promise<number> => (await env.DB.prepare(sql).bind(...bindings).first<{ n: number }>())!.n;

afterEach(() => {
  vi.useRealTimers();
});

describe('billing logs from the call to the export', () => {
  it('exports calls from the R2 archive and from D1 in one ordered stream, each once, after the rollups counted each once', async () => {
    const now = Date.now();
    // Noon UTC, 100 days ago: both old calls fall on one day.
    const oldDay = Math.floor((now - 100 * DAY) / DAY) * DAY + DAY / 2;
    vi.useFakeTimers({ toFake: ['Date'], now: oldDay });
    const { key, accountId } = await createAccountWithKey(10);
    const old = [await call(key)];
    vi.setSystemTime(oldDay + 1_000);
    old.push(await call(key));
    await drainOutbox(accountId);
    vi.setSystemTime(now);
    // The alarms the old day left (its read window, the compaction) are due now: let them run first.
    await drainOutbox(accountId);
    const recent = await call(key);
    await drainOutbox(accountId);

    const day = new Date(oldDay).toISOString().slice(0, 10);
    expect(await countIn('SELECT requests AS n FROM billing_rollups WHERE account_id = ? AND day = ?', accountId, day)).toBe(2);

    await retentionSweep(new Date(now));
    // The old day left D1 only once its archive was verified; the recent call stayed.
    expect(await countIn('SELECT count(*) AS n FROM billing_logs WHERE account_id = ?', accountId)).toBe(1);
    expect(await countIn('SELECT rows AS n FROM billing_log_archives WHERE account_id = ? AND day = ? AND pruned_at IS NOT NULL', accountId, day)).toBe(2);

    const from = new Date(oldDay - DAY).toISOString();
    const response = await apiRequest(key, 'GET', `/v1/user/billing-logs/export?format=ndjson&from=${encodeURIComponent(from)}`);
    expect(response.status).toBe(200);
    const lines = (await response.text()).trimEnd().split('\n').map((line) => JSON.parse(line) as { request_id: string; created_at: number; cost: number });
    expect(lines.map((line) => line.request_id)).toEqual([...old, recent]);
    expect(lines.map((line) => line.created_at)).toEqual([...lines.map((line) => line.created_at)].sort((a, b) => a - b));
    // Each line is what the single-call read shows (the recent one from D1).
    const single = await (await apiRequest(key, 'GET', `/v1/user/billing-logs/${recent}`)).json();
    expect(lines[2]).toEqual(single);
  });
});
