/**
 * Cron dispatch. The schedules live in wrangler.toml: provider health checks
 * every five minutes, credit expiry (warnings, expiry, deactivation) begun daily
 * and continued a page every five minutes until the day's sweep is done, the
 * billing-log batch objects a consumer died before writing (every five minutes), the
 * reconciliation of refunds left pending daily; the expiry of billing-log exports daily; the billing-log
 * retention (archive to R2, prune D1) begun daily and continued like the expiry sweep. An unknown cron is logged rather
 * than silently ignored. Each job's run is recorded (jobs/job-runs.ts) for GET
 * /admin/v1/health; a job that throws is recorded as failed and the next still runs.
 */
import type { Env } from '../env';
import { messageOf } from '../errors';
import { checkProviderHealth } from './health-check';
import { runCreditExpiry, type ExpiryRun } from './credit-expiry';
import { runBillingLogRetention, type RetentionRun } from './billing-log-retention';
import { recordJobRun } from './job-runs';
import { reconcileRefunds } from '../payments/reconcile-refunds';
import { logError, logWarn } from '../base/log';
import { runLogged } from './job-log';
import { failStalledExports, sweepExpiredExports } from '../billing/export-store';
import { recoverUnarchivedBatches } from '../billing/batch-archive';

export const CRON_HEALTH_CHECKS = '*/5 * * * *';
export const CRON_DAILY = '0 3 * * *';

export interface ScheduledJob {
  /** How the run is recorded and shown. */
  name: string;
  /** Does the work; answers a one-line summary of what it did. */
  run: (env: Env, now: Date) => Promise<string>;
}

const expirySummary = (run: ExpiryRun): string =>
  run.claimed
    ? `scanned ${run.scanned}, warned ${run.warned}, expired ${run.expired}, deactivated ${run.deactivated}, failed ${run.failed}${run.finished ? ', sweep finished' : ''}`
    : 'nothing to do';

const retentionSummary = (run: RetentionRun): string =>
  run.claimed
    ? `accounts ${run.accounts}, archived ${run.days} days (${run.rows} rows), failed ${run.failed}, late rows ${run.lateRows}, batches ${run.batchesDeleted}, rollups ${run.rollupsDeleted}${run.finished ? ', sweep finished' : ''}`
    : 'nothing to do';

export const JOBS: Record<string, ScheduledJob[]> = {
  [CRON_HEALTH_CHECKS]: [
    {
      name: 'provider_health_check',
      run: async (env, now) => {
        const results = await checkProviderHealth(env, now);
        const down = results.filter((result) => result.status === 'down').map((result) => result.provider);
        return `checked ${results.length}, down ${down.length}${down.length > 0 ? ` (${down.join(', ')})` : ''}`;
      },
    },
    // The day's expiry sweep, a page a tick until it is done (the daily cron begins it).
    { name: 'credit_expiry_page', run: async (env, now) => expirySummary(await runCreditExpiry(env, now, { start: false })) },
    // The day's billing-log retention sweep (archive to R2, prune D1), a page a tick until done.
    { name: 'billing_log_retention_page', run: async (env, now) => retentionSummary(await runBillingLogRetention(env, now, { start: false })) },
    // Billing-log batches whose consumer died between D1 and R2: their objects, rebuilt from D1.
    {
      name: 'billing_log_batch_recovery',
      run: async (env, now) => {
        const recovered = await recoverUnarchivedBatches(env, now.getTime());
        return `archived ${recovered.batches} batches, ${recovered.rows} rows`;
      },
    },
  ],
  [CRON_DAILY]: [
    { name: 'credit_expiry_start', run: async (env, now) => expirySummary(await runCreditExpiry(env, now, { start: true })) },
    { name: 'billing_log_retention_start', run: async (env, now) => retentionSummary(await runBillingLogRetention(env, now, { start: true })) },
    {
      name: 'refund_reconciliation',
      run: async (env, now) => {
        const tally = await reconcileRefunds(env, now);
        return `kept ${tally.kept}, reversed ${tally.reversed}, abandoned ${tally.abandoned}, unresolved ${tally.unresolved}`;
      },
    },
    // Billing-log exports: those stalled a day are failed (their slot freed); those past their 7 days deleted, object then row.
    {
      name: 'export_expiry',
      run: async (env, now) => {
        const failed = await failStalledExports(env.DB, now.getTime());
        return `failed ${failed} stalled, deleted ${await sweepExpiredExports(env.DB, env.ARCHIVE, now.getTime())}`;
      },
    },
  ],
};

export async function runScheduled(cron: string, env: Env, now: Date): Promise<void> {
  const jobs = JOBS[cron];
  if (!jobs) {
    logWarn('cron.unknown', { cron, message: 'no job is scheduled for this cron' });
    return;
  }
  for (const job of jobs) await runAndRecord(job, cron, env, now);
}

async function runAndRecord(job: ScheduledJob, cron: string, env: Env, now: Date): Promise<void> {
  const startedAt = Date.now();
  let outcome: 'ok' | 'failed' = 'ok';
  let detail: string;
  try {
    // One log line per run (job-log.ts), its outcome and cause included.
    detail = await runLogged(job.name, { cron }, () => job.run(env, now));
  } catch (error) {
    outcome = 'failed';
    detail = messageOf(error);
  }
  try {
    await recordJobRun(env.DB, { job: job.name, startedAt, finishedAt: Date.now(), outcome, detail });
  } catch (error) {
    // The record is for the operator's view; the job's own work stands.
    logError('job.record_failed', { job: job.name, cause: messageOf(error) });
  }
}
