/**
 * The billing-log retention job. D1 keeps BILLING_LOG_RETENTION_DAYS of billing
 * logs (the days before today's, counted in whole UTC days); each older
 * (account, day) still in D1 is archived to R2 and pruned (billing/archive-day.ts),
 * then the pipeline's batch objects and rows past the retention and its rollups
 * past ROLLUP_DAYS are deleted (billing/prune-pipeline.ts).
 *
 * The daily cron begins a sweep and every five-minute tick continues it, a
 * bounded page per run, its place kept in D1 (sweep-cursor.ts): first the
 * accounts that have rows to archive, a page at a time (cursor `a:<last id>`), then the batches
 * (`b`), then the rollups (`r`). A day that fails (R2 refuses, the read-back
 * differs) keeps its rows, is logged as an error, and is tried again by the
 * next day's sweep; every step is safe to run twice.
 */
import type { Env } from '../env';
import { parseConfig } from '../env';
import { messageOf } from '../errors';
import { hashAccountId, logError } from '../base/log';
import { archiveAccountDay } from '../billing/archive-day';
import { pruneBatches, pruneRollups } from '../billing/prune-pipeline';
import { claimSweep, releaseSweep } from './sweep-cursor';
import { DAY_MS, dayStart, utcDay } from '../base/utc-day';

const JOB = 'billing_log_retention';
/** Accounts with something to archive, per run. */
export const RETENTION_PAGE_SIZE = 20;
/** A run stops taking accounts once it has archived this many rows (a busy account's day is ~864k, always one run's). */
const ROWS_PER_RUN = 1_000_000;
/** R2 list or D1 delete pages per run in the batch and rollup phases. */
const PRUNE_PAGES_PER_RUN = 50;
/** Longer than a cron invocation may live: only a dead run's lease lapses. */
export const RETENTION_LEASE_MS = 15 * 60_000;

export interface RetentionRun {
  claimed: boolean;
  accounts: number;
  days: number;
  rows: number;
  failed: number;
  /** Rows that reached D1 for a day already archived and pruned, left in D1. */
  lateRows: number;
  batchesDeleted: number;
  rollupsDeleted: number;
  finished: boolean;
}

export interface RetentionOptions {
  /** The daily cron begins a new sweep; the five-minute tick only continues one. */
  start?: boolean;
  pageSize?: number;
}

/** The first instant D1 keeps: the start of today (UTC) less the retention. */
export const retentionCutoff = (now: number, days: number): number => Math.floor(now / DAY_MS) * DAY_MS - days * DAY_MS;

export async function runBillingLogRetention(env: Env, now: Date, options: RetentionOptions = {}): Promise<RetentionRun> {
  const at = now.getTime();
  const run: RetentionRun = { claimed: false, accounts: 0, days: 0, rows: 0, failed: 0, lateRows: 0, batchesDeleted: 0, rollupsDeleted: 0, finished: false };
  const lease = await claimSweep(env.DB, JOB, { sweep: utcDay(at), now: at, leaseMs: RETENTION_LEASE_MS, start: options.start ?? true });
  if (!lease) return run;
  run.claimed = true;
  const cutoff = retentionCutoff(at, parseConfig(env).billingLogRetentionDays);
  let cursor = lease.cursor === '' ? 'a:' : lease.cursor;
  try {
    if (cursor.startsWith('a:')) {
      const next = await accountsPage(env, cursor.slice(2), cutoff, at, options.pageSize ?? RETENTION_PAGE_SIZE, run);
      cursor = next === undefined ? 'b' : `a:${next}`;
    } else if (cursor === 'b') {
      const batches = await pruneBatches(env.DB, env.ARCHIVE, cutoff, PRUNE_PAGES_PER_RUN);
      run.batchesDeleted = batches.deleted;
      if (batches.done) cursor = 'r';
    } else {
      const rollups = await pruneRollups(env.DB, at, PRUNE_PAGES_PER_RUN);
      run.rollupsDeleted = rollups.deleted;
      run.finished = rollups.done;
    }
  } finally {
    // A run that throws keeps the place it reached: the next tick goes on from there.
    await releaseSweep(env.DB, lease, { cursor, finished: run.finished, now: at });
  }
  return run;
}

/**
 * Works a page of the accounts after `afterId` that have rows before the cutoff (one statement walks
 * the accounts by id with an index seek each, so accounts with nothing to archive cost no page);
 * answers the last one finished, or undefined once none is left.
 */
async function accountsPage(env: Env, afterId: string, cutoff: number, at: number, pageSize: number, run: RetentionRun): Promise<string | undefined> {
  const { results } = await env.DB.prepare(
    `SELECT id FROM accounts a
      WHERE id > ?1 AND EXISTS (SELECT 1 FROM billing_logs b WHERE b.account_id = a.id AND b.created_at < ?2)
      ORDER BY id LIMIT ?3`,
  )
    .bind(afterId, cutoff, pageSize)
    .all<{ id: string }>();
  let last = afterId;
  for (const { id } of results) {
    run.accounts += 1;
    await archiveAccount(env, id, cutoff, at, run);
    last = id;
    if (run.rows >= ROWS_PER_RUN) return last;
  }
  return results.length < pageSize ? undefined : last;
}

/** Each day of the account's before the cutoff that still has rows in D1, oldest first. */
async function archiveAccount(env: Env, accountId: string, cutoff: number, at: number, run: RetentionRun): Promise<void> {
  let from = 0;
  for (;;) {
    const oldest = await env.DB.prepare('SELECT created_at AS createdAt FROM billing_logs WHERE account_id = ? AND created_at >= ? AND created_at < ? ORDER BY created_at LIMIT 1')
      .bind(accountId, from, cutoff)
      .first<{ createdAt: number }>();
    if (!oldest) return;
    const day = utcDay(oldest.createdAt);
    from = dayStart(day) + DAY_MS;
    const fields = { account: hashAccountId(accountId), day };
    try {
      const outcome = await archiveAccountDay(env.DB, env.ARCHIVE, accountId, day, at);
      if (outcome.status === 'archived') {
        run.days += 1;
        run.rows += outcome.rows;
      } else if (outcome.status === 'late_rows') {
        run.lateRows += outcome.rows;
        logError('billing_log_retention.late_rows', { ...fields, rows: outcome.rows, message: 'rows reached D1 for a day already archived and pruned; left in D1' });
      } else {
        run.failed += 1;
        logError('billing_log_retention.mismatch', {
          ...fields,
          wroteRows: outcome.wrote.rows,
          readRows: outcome.read?.rows ?? null,
          message: 'the archive read back differs from D1; nothing deleted, retried on the next sweep',
        });
      }
    } catch (error) {
      // R2 or D1 failed part-way: nothing unverified was deleted. The account's later days wait for the next sweep.
      run.failed += 1;
      logError('billing_log_retention.day_failed', { ...fields, message: 'archive failed; nothing deleted, retried on the next sweep', cause: messageOf(error) });
      return;
    }
  }
}
