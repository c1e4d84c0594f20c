/**
 * The exports built by a job (`billing_log_exports`): how large a range is, opening one (at most
 * MAX_PENDING_EXPORTS unfinished per account, checked in the INSERT itself), reading one, and the daily
 * sweep of expired ones.
 */
import { newId } from '../base/ids';
import type { BillingLogExportRow } from '../db/schema';
import type { ExportFormat } from './export-format';
import { type ExportRange } from './export-source';
import { utcDay } from '../base/utc-day';

export const MAX_PENDING_EXPORTS = 3;
export const EXPORT_TTL_MS = 7 * 24 * 60 * 60_000;
/**
 * An export still unfinished this long after it was asked for has lost its message (a step killed past its
 * last retry by a platform limit, which no catch sees): it is marked failed, freeing its slot.
 */
export const EXPORT_STALL_MS = 24 * 60 * 60_000;
/** Expired exports deleted per query of the daily sweep, and the most queries one sweep makes. */
const SWEEP_PAGE = 100;
const SWEEP_PAGES = 20;

/** The message the EXPORTS queue carries: build export `exportId` from the progress saved at `step`. */
export interface ExportMessage {
  exportId: string;
  step: number;
}

export const exportObjectKey = (accountId: string, id: string, format: ExportFormat) => `exports/${accountId}/${id}.${format}`;

/**
 * The rows a range holds, at most: each archived day's row count, and the rollups' requests for every other
 * day (whole days, so a range that cuts a day counts all of it). Two indexed reads, whatever the range.
 */
export async function estimateRows(db: D1Database, range: ExportRange): Promise<number> {
  const first = utcDay(range.from);
  const last = utcDay(range.to);
  const row = await db
    .prepare(
      `SELECT
         (SELECT COALESCE(SUM(r.requests), 0) FROM billing_rollups r WHERE r.account_id = ?1 AND r.day BETWEEN ?2 AND ?3
            AND NOT EXISTS (SELECT 1 FROM billing_log_archives a WHERE a.account_id = r.account_id AND a.day = r.day))
       + (SELECT COALESCE(SUM(rows), 0) FROM billing_log_archives WHERE account_id = ?1 AND day BETWEEN ?2 AND ?3) AS estimate`,
    )
    .bind(range.accountId, first, last)
    .first<{ estimate: number }>();
  return row?.estimate ?? 0;
}

export type OpenedExport = { ok: true; row: BillingLogExportRow } | { ok: false; reason: 'too_many_exports' };

/** A new pending export, unless the account already has MAX_PENDING_EXPORTS unfinished: one statement, so two requests cannot both pass the count. */
export async function openExport(db: D1Database, range: ExportRange, format: ExportFormat, now: number): Promise<OpenedExport> {
  const id = newId('exp');
  const row: BillingLogExportRow = {
    id,
    accountId: range.accountId,
    fromMs: range.from,
    toMs: range.to,
    format,
    status: 'pending',
    progress: null,
    objectKey: exportObjectKey(range.accountId, id, format),
    rows: null,
    bytes: null,
    error: null,
    createdAt: now,
    finishedAt: null,
    expiresAt: now + EXPORT_TTL_MS,
  };
  const inserted = await db
    .prepare(
      `INSERT INTO billing_log_exports (id, account_id, from_ms, to_ms, format, status, object_key, created_at, expires_at)
       SELECT ?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7, ?8
       WHERE (SELECT COUNT(*) FROM billing_log_exports WHERE account_id = ?2 AND status IN ('pending', 'building') AND expires_at > ?7) < ?9`,
    )
    .bind(id, range.accountId, range.from, range.to, format, row.objectKey, now, row.expiresAt, MAX_PENDING_EXPORTS)
    .run();
  return inserted.meta.changes === 0 ? { ok: false, reason: 'too_many_exports' } : { ok: true, row };
}

const COLUMNS = `id, account_id AS accountId, from_ms AS fromMs, to_ms AS toMs, format, status, progress, object_key AS objectKey, rows, bytes, error,
  created_at AS createdAt, finished_at AS finishedAt, expires_at AS expiresAt`;

/** The account's export, unless it has expired (its object may already be gone). */
export async function findExport(db: D1Database, accountId: string, id: string, now: number): Promise<BillingLogExportRow | undefined> {
  const row = await db.prepare(`SELECT ${COLUMNS} FROM billing_log_exports WHERE id = ? AND account_id = ? AND expires_at > ?`).bind(id, accountId, now).first<BillingLogExportRow>();
  return row ?? undefined;
}

export async function readExport(db: D1Database, id: string): Promise<BillingLogExportRow | undefined> {
  return (await db.prepare(`SELECT ${COLUMNS} FROM billing_log_exports WHERE id = ?`).bind(id).first<BillingLogExportRow>()) ?? undefined;
}

/**
 * Deletes expired exports, a page at a time: the object (and an upload left open) first, then the row. A
 * crash between the two leaves a row whose object is gone; the next run deletes it (deleting a missing
 * object is a no-op). A download already streaming when its object is deleted may end short.
 */
export async function sweepExpiredExports(db: D1Database, bucket: R2Bucket, now: number): Promise<number> {
  let deleted = 0;
  for (let page = 0; page < SWEEP_PAGES; page++) {
    const { results } = await db
      .prepare(`SELECT id, object_key AS objectKey, progress FROM billing_log_exports WHERE expires_at <= ? ORDER BY expires_at LIMIT ?`)
      .bind(now, SWEEP_PAGE)
      .all<{ id: string; objectKey: string | null; progress: string | null }>();
    if (results.length === 0) break;
    for (const row of results) {
      if (row.objectKey) {
        await bucket.delete(row.objectKey);
        const uploadId = row.progress ? (JSON.parse(row.progress) as { uploadId?: string | null }).uploadId : undefined;
        if (uploadId) await bucket.resumeMultipartUpload(row.objectKey, uploadId).abort().catch(() => undefined);
      }
    }
    await db.batch(results.map((row) => db.prepare('DELETE FROM billing_log_exports WHERE id = ?').bind(row.id)));
    deleted += results.length;
    if (results.length < SWEEP_PAGE) break;
  }
  return deleted;
}

/** Marks exports failed that have been unfinished for EXPORT_STALL_MS; the expiry sweep later deletes them and aborts their upload. */
export async function failStalledExports(db: D1Database, now: number): Promise<number> {
  const result = await db
    .prepare(`UPDATE billing_log_exports SET status = 'failed', error = ?, finished_at = ? WHERE status IN ('pending', 'building') AND created_at <= ?`)
    .bind('The export stopped before it was ready; start it again.', now, now - EXPORT_STALL_MS)
    .run();
  return result.meta.changes;
}
