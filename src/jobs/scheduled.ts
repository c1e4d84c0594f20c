/**
 * Cron dispatch. The schedules live in wrangler.toml: provider health checks
 * every five minutes, credit expiry (warnings, expiry, deactivation) begun daily
 * and continued a page every five minutes until the day's sweep is done, and the
 * reconciliation of refunds left pending daily. An unknown cron is logged rather
 * than silently ignored.
 */
import type { Env } from '../env';
import { checkProviderHealth } from './health-check';
import { runCreditExpiry } from './credit-expiry';
import { reconcileRefunds } from '../payments/reconcile-refunds';

export const CRON_HEALTH_CHECKS = '*/5 * * * *';
export const CRON_DAILY = '0 3 * * *';

export type ScheduledJob = (env: Env, now: Date) => Promise<void>;

export const JOBS: Record<string, ScheduledJob[]> = {
  [CRON_HEALTH_CHECKS]: [
    async (env, now) => {
      await checkProviderHealth(env, now);
    },
    // The day's expiry sweep, a page a tick until it is done (the daily cron begins it).
    async (env, now) => {
      await runCreditExpiry(env, now, { start: false });
    },
  ],
  [CRON_DAILY]: [
    async (env, now) => {
      await runCreditExpiry(env, now, { start: true });
    },
    async (env, now) => {
      await reconcileRefunds(env, now);
    },
  ],
};

export async function runScheduled(cron: string, env: Env, now: Date): Promise<void> {
  const jobs = JOBS[cron];
  if (!jobs) {
    console.warn(`no job is scheduled for cron "${cron}"`);
    return;
  }
  for (const job of jobs) await job(env, now);
}
