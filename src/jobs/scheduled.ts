/**
 * Cron dispatch. The schedules live in wrangler.toml: provider health checks
 * every five minutes; the daily job (credit expiry) arrives with credits. An
 * unknown cron is logged rather than silently ignored.
 */
import type { Env } from '../env';
import { checkProviderHealth } from './health-check';

export const CRON_HEALTH_CHECKS = '*/5 * * * *';
export const CRON_DAILY = '0 3 * * *';

export type ScheduledJob = (env: Env, now: Date) => Promise<void>;

export const JOBS: Record<string, ScheduledJob[]> = {
  [CRON_HEALTH_CHECKS]: [
    async (env, now) => {
      await checkProviderHealth(env, now);
    },
  ],
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
