/**
 * Keeps the object's storage bounded by recent activity, not by age.
 *
 * A request's ledger row (kind 'usage') holds its request id for two reasons:
 * a charge delivered twice (the worker's retry, or the CHARGES queue's
 * redelivery) must find it and change nothing, and its billing log waits there
 * until it is handed on (`flushed = 1`). Cloudflare Queues keep a message at
 * most 14 days, so no charge of a request can arrive later than that:
 * REQUEST_ID_RETENTION_MS (15 days) is longer, with a day to spare. Past it, a
 * handed request row is only money, so runs of such rows are folded into one
 * 'checkpoint' row each: the run's highest-id row stays, as the checkpoint,
 * its amount the sum of the run (an earlier checkpoint it follows included),
 * and the others are deleted. A run is contiguous in id order (it never
 * reaches across a row that stays), so every row's balance_after is still the
 * sum of the rows up to it, and Σ amount = balance exactly.
 *
 * Rows of the other kinds (recharge, refund, expiry, adjustment,
 * refund_reversed, dispute, dispute_won) are the idempotency keys of money
 * outside requests for the account's lifetime and are never touched; neither
 * are stripe_events, credited_recharges, refund_attempts, disputes and
 * adjustment_keys. Also pruned here, as they only count a recent window:
 * checkout_sessions past their hour, byok_months before last month (a charge
 * counts in the month it was admitted, at most the queue's 14 days earlier).
 *
 * One call folds at most COMPACTION_ROWS rows, in one storage transaction: if
 * it throws, nothing of it happened.
 */
import { utcMonth } from './request-holds';

const DAY_MS = 24 * 60 * 60_000;
const HOUR_MS = 60 * 60_000;
/** Longer than the charge queue's longest message retention (14 days): see above. */
export const REQUEST_ID_RETENTION_MS = 15 * DAY_MS;
/** Rows one call reads and folds at most. */
export const COMPACTION_ROWS = 5_000;
/** Rows are folded in daily batches: the next call waits until the oldest row is this far past the retention. */
export const COMPACTION_INTERVAL_MS = DAY_MS;
/** When a call stopped at its bound, the next follows this soon. */
const COMPACTION_AGAIN_MS = 1_000;

export interface CompactionResult {
  /** Ledger rows removed (folded into a checkpoint). */
  folded: number;
  /** When the next call has work (undefined: none foreseen until more requests are handed). */
  nextAt: number | undefined;
}

type ScannedRow = {
  id: number;
  kind: string;
  amount: number;
  foldable: number;
};

const FOLDABLE = "(kind = 'checkpoint' OR (kind = 'usage' AND flushed = 1 AND created_at < ?1))";

export function compactLedger(storage: DurableObjectStorage, now: number, limit = COMPACTION_ROWS): CompactionResult {
  const sql = storage.sql;
  const cutoff = now - REQUEST_ID_RETENTION_MS;
  const folded = storage.transactionSync(() => {
    pruneWindows(sql, now);
    const span = sql
      .exec<{ first: number | null; last: number | null }>("SELECT min(id) AS first, max(id) AS last FROM ledger WHERE kind = 'usage' AND flushed = 1 AND created_at < ?", cutoff)
      .one();
    if (span.first === null || span.last === null) return { rows: 0, more: false };
    // A checkpoint right before the first row is the run's start: the run folds into one checkpoint.
    const before = sql.exec<{ id: number; kind: string }>('SELECT id, kind FROM ledger WHERE id < ? ORDER BY id DESC LIMIT 1', span.first).toArray()[0];
    const start = before?.kind === 'checkpoint' ? before.id : span.first;
    const rows = sql
      .exec<ScannedRow>(`SELECT id, kind, amount, ${FOLDABLE} AS foldable FROM ledger WHERE id BETWEEN ?2 AND ?3 ORDER BY id LIMIT ?4`, cutoff, start, span.last, limit)
      .toArray();
    let removed = 0;
    let run: ScannedRow[] = [];
    for (const row of [...rows, undefined]) {
      if (row?.foldable) {
        run.push(row);
        continue;
      }
      removed += foldRun(sql, run);
      run = [];
    }
    return { rows: removed, more: rows.length === limit && rows.at(-1)!.id < span.last };
  });
  if (folded.more) return { folded: folded.rows, nextAt: now + COMPACTION_AGAIN_MS };
  const oldest = sql.exec<{ at: number | null }>("SELECT min(created_at) AS at FROM ledger WHERE kind = 'usage' AND flushed = 1").one().at;
  return { folded: folded.rows, nextAt: oldest === null ? undefined : oldest + REQUEST_ID_RETENTION_MS + COMPACTION_INTERVAL_MS };
}

/** Folds a run of consecutive foldable rows into its last row; answers how many rows it removed. */
function foldRun(sql: SqlStorage, run: ScannedRow[]): number {
  const top = run.at(-1);
  if (!top) return 0;
  // A lone checkpoint is already what a fold would make.
  if (run.length === 1 && top.kind === 'checkpoint') return 0;
  const amount = run.reduce((sum, row) => sum + row.amount, 0);
  // The run is contiguous: nothing between its first and last id stays.
  sql.exec('DELETE FROM ledger WHERE id >= ? AND id < ?', run[0]!.id, top.id);
  sql.exec("UPDATE ledger SET kind = 'checkpoint', request_id = NULL, amount = ?, log = NULL, flushed = 1, reason = 'request charges folded' WHERE id = ?", amount, top.id);
  return run.length - 1;
}

/** Tables that only count a recent window: what is past it goes. */
function pruneWindows(sql: SqlStorage, now: number): void {
  sql.exec('DELETE FROM checkout_sessions WHERE opened_at <= ?', now - HOUR_MS);
  const lastMonth = utcMonth(Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth() - 1, 1));
  sql.exec('DELETE FROM byok_months WHERE month < ?', lastMonth);
}
