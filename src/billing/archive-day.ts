/**
 * Moves one (account, UTC day) of billing logs from D1 to its R2 archive, in
 * the only order that cannot lose a row: write the object from D1, read it
 * back, and only when its line count and SHA-256 are what D1 gave, record it in
 * `billing_log_archives`; then delete the day's rows in bounded statements and
 * set `pruned_at`. Each step may be cut short and the whole is run again:
 *
 * - no archive row yet (nothing verified, D1 still holds the whole day): the
 *   object is written again from D1, replacing any object a dead run left;
 * - an archive row without `pruned_at` (verified, the deletes were cut short):
 *   the deletes are finished; the object is never rewritten from a partial day;
 * - `pruned_at` set: the day is done; rows that reached D1 for it since are
 *   left there and reported (an archive is never read, modified and written).
 */
import { ascendingPages } from './billing-log-store';
import { archiveKey, readArchiveFacts, writeArchive, type ArchiveFacts } from './billing-archive';
import { billingLogLine, recordOfRow } from './billing-log-line';
import { DAY_MS, dayStart } from '../base/utc-day';
import { deleteInPages } from './prune-pipeline';

/** Rows per D1 read while writing an archive (a page of lines is a few hundred KB). */
export const READ_PAGE_ROWS = 1_000;

export type DayOutcome =
  | { status: 'archived'; rows: number }
  /** The object read back is not what D1 gave: nothing was deleted. */
  | { status: 'mismatch'; wrote: ArchiveFacts; read: ArchiveFacts | undefined }
  /** The day was archived and pruned before; these rows reached D1 afterwards and stay there. */
  | { status: 'late_rows'; rows: number };

const dayRange = (day: string): [number, number] => [dayStart(day), dayStart(day) + DAY_MS];

/** The day's rows, ordered by (createdAt, requestId), a keyset page at a time, as runs of lines. */
async function* dayLines(db: D1Database, accountId: string, day: string): AsyncGenerator<string> {
  const [start, end] = dayRange(day);
  for await (const rows of ascendingPages(db, accountId, { from: start, to: end - 1 }, null, READ_PAGE_ROWS)) {
    if (rows.length > 0) yield rows.map((row) => billingLogLine(recordOfRow(row))).join('');
  }
}

const countDay = async (db: D1Database, accountId: string, [start, end]: [number, number]): Promise<number> =>
  (await db.prepare('SELECT count(*) AS n FROM billing_logs WHERE account_id = ? AND created_at >= ? AND created_at < ?').bind(accountId, start, end).first<{ n: number }>())!.n;

/** Deletes the day's rows a bounded statement at a time, then marks the archive pruned. */
async function pruneDay(db: D1Database, accountId: string, day: string, now: number): Promise<void> {
  const [start, end] = dayRange(day);
  await deleteInPages(db, 'DELETE FROM billing_logs WHERE rowid IN (SELECT rowid FROM billing_logs WHERE account_id = ?1 AND created_at >= ?2 AND created_at < ?3 LIMIT ?4)', [accountId, start, end]);
  await db.prepare('UPDATE billing_log_archives SET pruned_at = ? WHERE account_id = ? AND day = ? AND pruned_at IS NULL').bind(now, accountId, day).run();
}

/** Archives then prunes one (account, day); throws when D1 or R2 fails (nothing is deleted that was not verified). */
export async function archiveAccountDay(db: D1Database, bucket: R2Bucket, accountId: string, day: string, now: number): Promise<DayOutcome> {
  const range = dayRange(day);
  const recorded = await db
    .prepare('SELECT rows, pruned_at AS prunedAt FROM billing_log_archives WHERE account_id = ? AND day = ?')
    .bind(accountId, day)
    .first<{ rows: number; prunedAt: number | null }>();
  if (recorded?.prunedAt != null) return { status: 'late_rows', rows: await countDay(db, accountId, range) };
  if (recorded) {
    await pruneDay(db, accountId, day, now);
    return { status: 'archived', rows: recorded.rows };
  }

  const key = archiveKey(accountId, day);
  const wrote = await writeArchive(bucket, key, dayLines(db, accountId, day));
  const read = await readArchiveFacts(bucket, key);
  if (!read || read.rows !== wrote.rows || read.sha256 !== wrote.sha256 || read.bytes !== wrote.bytes) return { status: 'mismatch', wrote, read };
  // A row that reached D1 for this day while the object was written is not in it: write again next run.
  if ((await countDay(db, accountId, range)) !== wrote.rows) return { status: 'mismatch', wrote, read };
  await db
    .prepare('INSERT INTO billing_log_archives (account_id, day, object_key, rows, bytes, sha256, archived_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, day) DO NOTHING')
    .bind(accountId, day, key, wrote.rows, wrote.bytes, wrote.sha256, now)
    .run();
  await pruneDay(db, accountId, day, now);
  return { status: 'archived', rows: wrote.rows };
}
