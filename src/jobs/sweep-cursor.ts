/**
 * A job that works through a table a page per invocation keeps its place here
 * (D1 `job_cursors`): the sweep it is in (named by the UTC day it began), the
 * last row it finished, and whether it is done. A run takes a lease before it
 * reads its page and gives it back with the new cursor, so two invocations that
 * overlap (the daily and the five-minute crons fire together at 03:00) never
 * work the same page at once. A run that dies keeps the lease until it lapses;
 * the page is then worked again from the old cursor, which is safe because
 * every step of a job written this way happens once.
 */
import { randomHex } from '../base/ids';

export interface SweepLease {
  job: string;
  sweep: string;
  /** The last row finished ('' at the start of a sweep). */
  cursor: string;
  leaseId: string;
}

export interface ClaimInput {
  /** The sweep this run belongs to: a run of a new sweep (with `start`) begins it over from the first row. */
  sweep: string;
  now: number;
  leaseMs: number;
  /** Whether this run may begin a new sweep (the daily cron), or only continue an unfinished one. */
  start: boolean;
}

/** The page this run may work, or undefined: the sweep is done, not begun, or another run holds it. */
export async function claimSweep(db: D1Database, job: string, input: ClaimInput): Promise<SweepLease | undefined> {
  const leaseId = randomHex(8);
  const [, claimed] = await db.batch<{ cursor: string }>([
    db.prepare("INSERT INTO job_cursors (job, sweep, cursor) VALUES (?, '', '') ON CONFLICT (job) DO NOTHING").bind(job),
    db
      .prepare(
        `UPDATE job_cursors SET
           cursor = CASE WHEN sweep = ?2 THEN cursor ELSE '' END,
           finished_at = CASE WHEN sweep = ?2 THEN finished_at ELSE NULL END,
           sweep = ?2, lease_id = ?3, lease_until = ?4 + ?5
         WHERE job = ?1 AND lease_until <= ?4 AND ((sweep = ?2 AND finished_at IS NULL) OR (?6 = 1 AND sweep != ?2))
         RETURNING cursor`,
      )
      .bind(job, input.sweep, leaseId, input.now, input.leaseMs, input.start ? 1 : 0),
  ]);
  const row = claimed?.results[0];
  return row && { job, sweep: input.sweep, cursor: row.cursor, leaseId };
}

/** Gives the lease back with the sweep's new place; a lease that lapsed meanwhile (another run took over) changes nothing. */
export async function releaseSweep(db: D1Database, lease: SweepLease, next: { cursor: string; finished: boolean; now: number }): Promise<void> {
  await db
    .prepare('UPDATE job_cursors SET cursor = ?, finished_at = ?, lease_id = NULL, lease_until = 0 WHERE job = ? AND lease_id = ?')
    .bind(next.cursor, next.finished ? next.now : null, lease.job, lease.leaseId)
    .run();
}
