/**
 * A consumer batch's immutable NDJSON object in R2 (`batches/<day>/<batchId>.ndjson`): exactly
 * the rows the batch added to D1, put once (R2 cannot append, so nothing is ever read and
 * rewritten), then the batch is marked archived. A consumer that died between its D1 commit and
 * this put leaves the batch unarchived; `recoverUnarchivedBatches` (a cron job) rebuilds its
 * object from D1's rows with that batch_id. Putting the same key again writes the same rows, so a
 * row is in exactly one batch object whichever of the two wrote it.
 */
import { asc, and, eq, gt, isNull, lte } from 'drizzle-orm';
import { createDb } from '../db/client';
import { billingLogBatches, billingLogs } from '../db/schema';
import { recordOfRow } from './billing-log-line';

/** A batch is left to its own consumer this long before the recovery takes it over. */
export const RECOVERY_GRACE_MS = 60_000;
/** Batches per recovery run, and rows read per page of one. */
const RECOVERY_BATCHES = 5;
const RECOVERY_PAGE = 1_000;

export const ndjson = (lines: readonly string[]): string => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);

/** Puts a batch's object and marks the batch archived: 1 D1 statement. */
export async function archiveBatch(bucket: R2Bucket, db: D1Database, batch: { id: string; objectKey: string }, lines: readonly string[], now: number): Promise<void> {
  await bucket.put(batch.objectKey, ndjson(lines), { httpMetadata: { contentType: 'application/x-ndjson' } });
  await db.prepare('UPDATE billing_log_batches SET archived_at = ? WHERE id = ?').bind(now, batch.id).run();
}

/** Rebuilds the objects of batches left unarchived (oldest first, a few a run): the batches and rows it archived. */
export async function recoverUnarchivedBatches(env: { DB: D1Database; ARCHIVE: R2Bucket }, now: number): Promise<{ batches: number; rows: number }> {
  const db = createDb(env.DB);
  const stranded = await db
    .select({ id: billingLogBatches.id, objectKey: billingLogBatches.objectKey })
    .from(billingLogBatches)
    .where(and(isNull(billingLogBatches.archivedAt), lte(billingLogBatches.createdAt, now - RECOVERY_GRACE_MS)))
    .orderBy(asc(billingLogBatches.createdAt))
    .limit(RECOVERY_BATCHES);
  let rows = 0;
  for (const batch of stranded) {
    const lines: string[] = [];
    for (let after = ''; ; ) {
      const page = await db
        .select()
        .from(billingLogs)
        .where(and(eq(billingLogs.batchId, batch.id), gt(billingLogs.id, after)))
        .orderBy(asc(billingLogs.id))
        .limit(RECOVERY_PAGE);
      for (const row of page) lines.push(JSON.stringify(recordOfRow(row)));
      if (page.length < RECOVERY_PAGE) break;
      after = page.at(-1)!.id;
    }
    await archiveBatch(env.ARCHIVE, env.DB, batch, lines, now);
    rows += lines.length;
  }
  return { batches: stranded.length, rows };
}

/** Listed at most: a count at this number means "this many or more". */
const DEAD_LETTER_COUNT_LIMIT = 1_000;

/**
 * What of the billing-log pipeline needs the operator: messages kept in R2 after every retry
 * (`dead-letter/`, one object each, counted up to 1,000) and batches still without their object.
 */
export async function billingLogBacklog(env: { DB: D1Database; ARCHIVE: R2Bucket }): Promise<{ deadLettered: number; unarchivedBatches: number }> {
  const [listed, unarchived] = await Promise.all([
    env.ARCHIVE.list({ prefix: 'dead-letter/', limit: DEAD_LETTER_COUNT_LIMIT }),
    env.DB.prepare('SELECT COUNT(*) AS n FROM billing_log_batches WHERE archived_at IS NULL').first<{ n: number }>(),
  ]);
  return { deadLettered: listed.objects.length, unarchivedBatches: unarchived?.n ?? 0 };
}
