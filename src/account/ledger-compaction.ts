/**
 * Keeps the object's storage bounded by recent activity, not by age.
 *
 * A request's ledger row (kind 'usage') holds its request id for two reasons:
 * a charge delivered twice (the worker's retry, or the CHARGES queue's
 * redelivery) must find it and change nothing, and its billing log waits there
 * until it is handed on (`flushed` holds when, 0 before). Cloudflare Queues keep a message at
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
import { messageOf } from '../errors';
import { logError } from '../base/log';

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
  createdAt: number;
  foldable: number;
};

/** Handed on: its billing log went to D1 (or the queue), or it never had one. */
const HANDED = '(flushed != 0 OR log IS NULL)';
const FOLDABLE = `(kind = 'checkpoint' OR (kind = 'usage' AND ${HANDED} AND created_at < ?1))`;

/**
 * Folds what is due at `now`, at most `limit` rows. Every read walks the ledger in id order from
 * its first request row, which compaction keeps near the start (only checkpoints and the other
 * kinds precede it), so an alarm with nothing due costs one short read, however busy the account.
 */
export function compactLedger(storage: DurableObjectStorage, now: number, limit = COMPACTION_ROWS): CompactionResult {
  const sql = storage.sql;
  const cutoff = now - REQUEST_ID_RETENTION_MS;
  const folded = storage.transactionSync(() => {
    pruneWindows(sql, now);
    const head = firstRequest(sql);
    if (!head || head.createdAt >= cutoff) return { rows: 0, more: false };
    // A checkpoint right before the first request row starts the run: the run folds into one checkpoint.
    const before = sql.exec<{ id: number; kind: string }>('SELECT id, kind FROM ledger WHERE id < ? ORDER BY id DESC LIMIT 1', head.id).toArray()[0];
    const start = before?.kind === 'checkpoint' ? before.id : head.id;
    const rows = sql
      .exec<ScannedRow>(`SELECT id, kind, amount, created_at AS createdAt, ${FOLDABLE} AS foldable FROM ledger WHERE id >= ?2 ORDER BY id LIMIT ?3`, cutoff, start, limit)
      .toArray();
    // Request rows are appended in time order: the first recent one ends the walk.
    const recent = rows.findIndex((row) => row.kind === 'usage' && row.createdAt >= cutoff);
    const walked = recent < 0 ? rows : rows.slice(0, recent);
    let removed = 0;
    let run: ScannedRow[] = [];
    for (const row of [...walked, undefined]) {
      if (row?.foldable) {
        run.push(row);
        continue;
      }
      removed += foldRun(sql, run);
      run = [];
    }
    // More to do only if this call folded a request row (an unhanded stretch waits for its flush instead).
    const progressed = walked.some((row) => row.foldable && row.kind === 'usage');
    return { rows: removed, more: recent < 0 && rows.length === limit && progressed };
  });
  if (folded.more) return { folded: folded.rows, nextAt: now + COMPACTION_AGAIN_MS };
  const head = firstRequest(sql);
  // An old request row not handed on yet waits for its flush, whose alarm calls again.
  const nextAt = head && head.createdAt >= cutoff ? head.createdAt + REQUEST_ID_RETENTION_MS + COMPACTION_INTERVAL_MS : undefined;
  return { folded: folded.rows, nextAt };
}

/**
 * The alarm's call: when compaction next has work. A failure (it rolled back whole) is logged and
 * does not stand in the way of the alarm's other work; it is tried again at the next alarm.
 */
export function compactionDueAt(storage: DurableObjectStorage, now: number): number | undefined {
  try {
    return compactLedger(storage, now).nextAt;
  } catch (error) {
    logError('ledger.compaction_failed', { message: 'ledger compaction rolled back; retried at the next alarm', cause: messageOf(error) });
    return undefined;
  }
}

/** The ledger's first request row by id (a rowid walk: no index covers the kind alone). */
const firstRequest = (sql: SqlStorage) =>
  sql.exec<{ id: number; createdAt: number }>("SELECT id, created_at AS createdAt FROM ledger WHERE kind = 'usage' ORDER BY id LIMIT 1").toArray()[0];

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
