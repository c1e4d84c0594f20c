/**
 * GET /admin/v1/health: the operator's one look at the gateway — what its
 * environment lacks or asks for that only development may do (names, never
 * values), each provider's last health check and this isolate's circuit, the
 * lost charges waiting for a replay, the billing logs kept in R2 after every retry,
 * and each cron job's last run.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { developmentOnlyRequested, isProduction, missingConfiguration } from '../base/environment';
import { usdNumber } from '../base/money';
import { countAllLostCharges } from '../billing/lost-charges';
import { billingLogBacklog } from '../billing/batch-archive';
import { createDb } from '../db/client';
import { latestJobRuns } from '../jobs/job-runs';
import { providerHealth, readProbeResults } from '../routing/health';
import { viewAll } from './status';

export const adminHealth = new Hono<AppEnv>().get('/', async (c) => {
  const config = c.get('config');
  const now = Date.now();
  const [probes, lost, runs, logs] = await Promise.all([readProbeResults(c.env.DB), countAllLostCharges(createDb(c.env.DB)), latestJobRuns(c.env.DB), billingLogBacklog(c.env)]);
  providerHealth.applyProbes(probes, now, config);
  return c.json({
    environment: isProduction(config) ? 'production' : 'development',
    configuration: {
      missing: missingConfiguration(c.env, config),
      development_only_enabled: developmentOnlyRequested(c.env, config),
    },
    providers: viewAll(config, probes, now).map((view) => ({
      provider: view.provider,
      configured: view.configured,
      // No health check yet: unknown, rather than a guess.
      status: view.probe?.status ?? null,
      circuit: view.circuit,
      checked_at: view.probe?.checkedAt ?? null,
      latency_ms: view.probe?.latencyMs ?? null,
      last_error: view.probe?.error ?? null,
    })),
    // The charge queue's own backlog is not readable from a worker; lost charges are what needs the operator.
    queue: { lost_charges: lost.count, lost_charges_cost: usdNumber(lost.cost) },
    // Billing logs D1 never took (kept in R2 under dead-letter/, up to 1,000 counted), and batches whose R2 object the recovery job still owes.
    billing_logs: { dead_lettered: logs.deadLettered, unarchived_batches: logs.unarchivedBatches },
    jobs: runs.map((run) => ({ name: run.job, last_run_at: run.startedAt, finished_at: run.finishedAt, outcome: run.outcome, detail: run.detail })),
  });
});
