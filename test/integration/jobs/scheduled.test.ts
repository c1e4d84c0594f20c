import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import worker from '../../../src/index';
import { CRON_DAILY, CRON_HEALTH_CHECKS, JOBS } from '../../../src/jobs/scheduled';
import wranglerToml from '../../../wrangler.toml?raw';
import { loggedLines } from '../log-lines';

async function fire(cron: string): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron, scheduledTime: Date.UTC(2026, 10, 25, 3) }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe('cron dispatch', () => {
  it('has a job list for each schedule in wrangler.toml', () => {
    expect(wranglerToml).toContain(`crons = ["${CRON_HEALTH_CHECKS}", "${CRON_DAILY}"]`);
    expect(Object.keys(JOBS).sort()).toEqual([CRON_HEALTH_CHECKS, CRON_DAILY].sort());
  });

  it('runs the jobs of the schedule that fired, with its time', async () => {
    const seen: string[] = [];
    JOBS[CRON_DAILY]!.push({
      name: 'test_seen',
      run: async (_env, now) => {
        seen.push(now.toISOString());
        return 'seen';
      },
    });
    try {
      await fire(CRON_DAILY);
      await fire(CRON_HEALTH_CHECKS);
    } finally {
      JOBS[CRON_DAILY]!.pop();
    }
    expect(seen).toEqual(['2026-11-25T03:00:00.000Z']);
  });

  it('logs a schedule it does not know instead of failing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await fire('0 0 1 1 *');
    expect(loggedLines(warn)).toEqual([{ level: 'warn', kind: 'cron.unknown', cron: '0 0 1 1 *', message: 'no job is scheduled for this cron' }]);
    warn.mockRestore();
  });
});
