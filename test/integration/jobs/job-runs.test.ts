/** Each cron job's run is recorded (for GET /admin/v1/health), and only the newest runs of a job are kept. */
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { loggedLines } from '../log-lines';
import { describe, expect, it, vi } from 'vitest';
import worker from '../../../src/index';
import { CRON_DAILY, CRON_HEALTH_CHECKS, JOBS } from '../../../src/jobs/scheduled';
import { recordJobRun } from '../../../src/jobs/job-runs';

async function fire(cron: string): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron, scheduledTime: Date.UTC(2026, 10, 25, 3) }), env, ctx);
  await waitOnExecutionContext(ctx);
}

const runsOf = async (job: string, since = 0) =>
  (
    await env.DB.prepare('SELECT job, outcome, detail, started_at, finished_at FROM job_runs WHERE job = ? AND started_at >= ? ORDER BY started_at DESC, id DESC')
      .bind(job, since)
      .all<{ job: string; outcome: string; detail: string; started_at: number; finished_at: number }>()
  ).results;

describe('job runs', () => {
  it('records each job of the schedule that fired, with its outcome and summary', async () => {
    const before = Date.now();
    await fire(CRON_HEALTH_CHECKS);
    const [health] = await runsOf('provider_health_check', before);
    expect(health).toMatchObject({ job: 'provider_health_check', outcome: 'ok', detail: 'checked 6, down 0' });
    expect(health!.finished_at).toBeGreaterThanOrEqual(health!.started_at);
    expect((await runsOf('credit_expiry_page', before)).map((run) => run.outcome)).toEqual(['ok']);
  });

  it('records a job that throws as failed, logs it, and still runs the next job', async () => {
    const failing = { name: 'test_failing', run: async () => Promise.reject(new Error('the stand-in said no')) };
    const after = { name: 'test_after', run: async () => 'ran' };
    JOBS[CRON_DAILY]!.unshift(failing);
    JOBS[CRON_DAILY]!.push(after);
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const before = Date.now();
    try {
      await fire(CRON_DAILY);
    } finally {
      JOBS[CRON_DAILY]!.shift();
      JOBS[CRON_DAILY]!.pop();
    }
    const logged = loggedLines(error, 'job');
    error.mockRestore();
    expect((await runsOf('test_failing', before)).map(({ outcome, detail }) => ({ outcome, detail }))).toEqual([{ outcome: 'failed', detail: 'the stand-in said no' }]);
    expect(logged).toContainEqual({ level: 'error', kind: 'job', job: 'test_failing', cron: CRON_DAILY, outcome: 'failed', ms: expect.any(Number), cause: 'the stand-in said no' });
    expect((await runsOf('test_after', before)).map(({ outcome, detail }) => ({ outcome, detail }))).toEqual([{ outcome: 'ok', detail: 'ran' }]);
  });

  it('keeps only the newest runs of a job, in the same write', async () => {
    const job = `test_bounded_${crypto.randomUUID()}`;
    for (let i = 1; i <= 5; i += 1) await recordJobRun(env.DB, { job, startedAt: i * 1000, finishedAt: i * 1000 + 1, outcome: 'ok', detail: `run ${i}` }, 3);
    expect((await runsOf(job)).map((run) => run.detail)).toEqual(['run 5', 'run 4', 'run 3']);
  });
});
