/**
 * Cron dispatch. The schedules live in wrangler.toml; each job arrives with the
 * issue that needs it (health checks with routing, credit expiry with credits),
 * so an unknown cron is logged rather than silently ignored.
 */
import type { Env } from '../env';

export const CRON_HEALTH_CHECKS = '*/5 * * * *';
export const CRON_DAILY = '0 3 * * *';

export type ScheduledJob = (env: Env, now: Date) => Promise<void>;

export const JOBS: Record<string, ScheduledJob[]> = {
  [CRON_HEALTH_CHECKS]: [],
  [CRON_DAILY]: [],
};

export async function runScheduled(cron: string, env: Env, now: Date): Promise<void> {
  const jobs = JOBS[cron];
  if (!jobs) {
    console.warn(`no job is scheduled for cron "${cron}"`);
    return;
  }
  for (const job of jobs) await job(env, now);
}
