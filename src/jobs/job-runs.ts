/**
 * The record of each cron job's runs, for the operator's health view: when it
 * ran, whether it finished, and a one-line summary. Bounded: each write keeps
 * only the newest JOB_RUNS_KEPT runs of its job, in the same batch.
 */
import { newId } from '../base/ids';

export const JOB_RUNS_KEPT = 20;
/** A failure's message is cut to this: enough to recognise it, never a dump. */
const DETAIL_MAX = 200;

export interface JobRun {
  job: string;
  startedAt: number;
  finishedAt: number;
  outcome: 'ok' | 'failed';
  detail: string;
}

export async function recordJobRun(db: D1Database, run: JobRun, keep = JOB_RUNS_KEPT): Promise<void> {
  await db.batch([
    db
      .prepare('INSERT INTO job_runs (id, job, started_at, finished_at, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)')
      .bind(newId('run'), run.job, run.startedAt, run.finishedAt, run.outcome, run.detail.slice(0, DETAIL_MAX)),
    db
      .prepare('DELETE FROM job_runs WHERE job = ?1 AND id NOT IN (SELECT id FROM job_runs WHERE job = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2)')
      .bind(run.job, keep),
  ]);
}

/** The newest run of each job that has run. */
export async function latestJobRuns(db: D1Database): Promise<JobRun[]> {
  const { results } = await db
    .prepare(
      `SELECT job, started_at AS startedAt, finished_at AS finishedAt, outcome, detail FROM job_runs r
       WHERE id = (SELECT id FROM job_runs WHERE job = r.job ORDER BY started_at DESC, id DESC LIMIT 1)
       ORDER BY job`,
    )
    .all<JobRun>();
  return results;
}
