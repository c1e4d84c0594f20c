/**
 * Bounds the billing-log pipeline's own records. The consumer's R2 batch
 * objects (`batches/<day>/…`) and their `billing_log_batches` rows are the
 * pipeline's working copies: once older than the retention, the per-account
 * archives hold every row they did, so they go. Daily rollups go after
 * ROLLUP_DAYS: the dashboard shows recent days. Work is bounded per call
 * (pages of R2 listings and of DELETE statements) and simply resumes.
 */
import { DAY_MS, utcDay } from '../base/utc-day';

export const ROLLUP_DAYS = 400;
/** Keys per R2 list and delete call (R2's most per delete). */
const R2_PAGE = 1_000;
/** Rows per DELETE statement. */
const DELETE_PAGE_ROWS = 1_000;
const BATCH_PREFIX = 'batches/';

export interface PruneProgress {
  deleted: number;
  /** Nothing older than the bound is left. */
  done: boolean;
}

/** Batch objects of days before `cutoffDay` (YYYY-MM-DD), then batch rows created before `cutoffMs`; at most `pages` R2 or D1 pages. */
export async function pruneBatches(db: D1Database, bucket: R2Bucket, cutoffMs: number, pages: number): Promise<PruneProgress> {
  const cutoffDay = utcDay(cutoffMs);
  let deleted = 0;
  // Day prefixes come back in key order, oldest first: the first page always holds the oldest.
  const days = await bucket.list({ prefix: BATCH_PREFIX, delimiter: '/', limit: R2_PAGE });
  const old = days.delimitedPrefixes.filter((prefix) => prefix.slice(BATCH_PREFIX.length, -1) < cutoffDay);
  for (const prefix of old) {
    for (;;) {
      if (pages-- <= 0) return { deleted, done: false };
      // Listed from the start each time: what was listed before is gone.
      const listing = await bucket.list({ prefix, limit: R2_PAGE });
      const keys = listing.objects.map((object) => object.key);
      if (keys.length > 0) await bucket.delete(keys);
      deleted += keys.length;
      if (!listing.truncated) break;
    }
  }
  const rows = await deleteInPages(db, 'DELETE FROM billing_log_batches WHERE rowid IN (SELECT rowid FROM billing_log_batches WHERE created_at < ?1 LIMIT ?2)', [cutoffMs], pages);
  return { deleted: deleted + rows.deleted, done: rows.done };
}

/** Rollups of days more than ROLLUP_DAYS before `now`'s day. */
export async function pruneRollups(db: D1Database, now: number, pages: number): Promise<PruneProgress> {
  const cutoffDay = utcDay(now - ROLLUP_DAYS * DAY_MS);
  return deleteInPages(db, 'DELETE FROM billing_rollups WHERE rowid IN (SELECT rowid FROM billing_rollups WHERE day < ?1 LIMIT ?2)', [cutoffDay], pages);
}

/**
 * Runs a bounded DELETE (its last parameter the LIMIT) until it deletes less than a page, at most `pages`
 * times: each statement is a short write, so D1 serves others in between.
 */
export async function deleteInPages(db: D1Database, statement: string, bindings: readonly unknown[], pages = Infinity): Promise<PruneProgress> {
  let deleted = 0;
  for (let page = 0; page < pages; page++) {
    const { meta } = await db.prepare(statement).bind(...bindings, DELETE_PAGE_ROWS).run();
    deleted += meta.changes;
    if (meta.changes < DELETE_PAGE_ROWS) return { deleted, done: true };
  }
  return { deleted, done: false };
}
