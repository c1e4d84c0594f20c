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
import { logWarn } from '../base/log';
import { runLogged } from './job-log';

export const CRON_HEALTH_CHECKS = '*/5 * * * *';
export const CRON_DAILY = '0 3 * * *';

/** A job returns its tally (or nothing): runScheduled logs it, one line per run (job-log.ts). */
export type ScheduledJob = (env: Env, now: Date) => Promise<unknown>;

export const JOBS: Record<string, ScheduledJob[]> = {
  [CRON_HEALTH_CHECKS]: [
    async function providerHealthChecks(env, now) {
      return checkProviderHealth(env, now);
    },
    // The day's expiry sweep, a page a tick until it is done (the daily cron begins it).
    async function creditExpiryPage(env, now) {
      return runCreditExpiry(env, now, { start: false });
    },
  ],
  [CRON_DAILY]: [
    async function creditExpiryStart(env, now) {
      return runCreditExpiry(env, now, { start: true });
    },
    async function refundReconciliation(env, now) {
      return reconcileRefunds(env, now);
    },
  ],
};

export async function runScheduled(cron: string, env: Env, now: Date): Promise<void> {
  const jobs = JOBS[cron];
  if (!jobs) {
    logWarn('cron.unknown', { cron, message: 'no job is scheduled for this cron' });
    return;
  }
  for (const [index, job] of jobs.entries()) await runLogged(job.name || `job ${index + 1}`, { cron }, () => job(env, now));
}
