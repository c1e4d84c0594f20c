/**
 * Writes one consumer batch of billing logs to D1 in one `batch()` (a
 * transaction): the rows, the batch's record, and the daily rollups of the
 * rows that are new. Lines go in as JSON arrays unpacked by SQLite's
 * json_each, a statement per ~1 MB of lines, so neither side parses a record
 * into columns and the statements stay under D1's limits (100 KB of SQL, 100
 * bound parameters, ~2 MB a bound value).
 *
 * Exactly once: a row already in D1 (a redelivered message, a row the object
 * sent twice) is ignored by INSERT OR IGNORE and keeps its first batch_id; the
 * batch record and the rollups read only the rows whose batch_id is this
 * batch's, so a row counts once in D1, in the rollups and in one batch object.
 */
import { packBySize, utf8Length } from './log-message';
import { utcDay } from '../base/utc-day';

/** Bytes of lines in one bound JSON array: half of D1's ~2 MB a value. */
const STATEMENT_MAX_BYTES = 1_000_000;

/** billing_logs column ← the BillingLogRecord field it comes from (booleans arrive as 0/1). */
const COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['id', 'id'],
  ['request_id', 'requestId'],
  ['account_id', 'accountId'],
  ['key_id', 'keyId'],
  ['key_name', 'keyName'],
  ['key_prefix', 'keyPrefix'],
  ['created_at', 'createdAt'],
  ['model', 'model'],
  ['provider', 'provider'],
  ['mode', 'mode'],
  ['routing', 'routing'],
  ['prompt_tokens', 'promptTokens'],
  ['cached_tokens', 'cachedTokens'],
  ['completion_tokens', 'completionTokens'],
  ['reasoning_tokens', 'reasoningTokens'],
  ['cost', 'cost'],
  ['uncollected', 'uncollected'],
  ['provider_cost', 'providerCost'],
  ['estimated', 'estimated'],
  ['status', 'status'],
  ['latency_ms', 'latencyMs'],
  ['stream', 'stream'],
  ['fallback_reason', 'fallbackReason'],
];

/** Records from before `uncollected` existed count it as 0 (billing-log-store.ts `rowOfRecord` agrees). */
const extract = (field: string): string => (field === 'uncollected' ? `COALESCE(json_extract(value, '$.${field}'), 0)` : `json_extract(value, '$.${field}')`);

/** ?1 the lines as a JSON array, ?2 the batch id, ?3 now; answers the ids it inserted. */
const INSERT_ROWS = `INSERT OR IGNORE INTO billing_logs (${COLUMNS.map(([column]) => column).join(', ')}, batch_id, ingested_at)
  SELECT ${COLUMNS.map(([, field]) => extract(field)).join(', ')}, ?2, ?3 FROM json_each(?1) RETURNING id`;

/** ?1 the batch id, ?2 its object key, ?3 now: a record only when the batch added rows. */
const INSERT_BATCH = `INSERT INTO billing_log_batches (id, rows, object_key, created_at)
  SELECT ?1, COUNT(*), ?2, ?3 FROM billing_logs WHERE batch_id = ?1 HAVING COUNT(*) > 0`;

const SUMS = ['prompt_tokens', 'cached_tokens', 'completion_tokens', 'reasoning_tokens', 'cost', 'uncollected', 'provider_cost'];

/** ?1 the batch id: its new rows added to their (account, UTC day of created_at, model). */
const ADD_ROLLUPS = `INSERT INTO billing_rollups (account_id, day, model, requests, failed, ${SUMS.join(', ')})
  SELECT account_id, strftime('%Y-%m-%d', created_at / 1000, 'unixepoch'), model, COUNT(*), SUM(status != 'succeeded'), ${SUMS.map((column) => `SUM(${column})`).join(', ')}
  FROM billing_logs WHERE batch_id = ?1 GROUP BY 1, 2, 3
  ON CONFLICT (account_id, day, model) DO UPDATE SET requests = requests + excluded.requests, failed = failed + excluded.failed,
  ${SUMS.map((column) => `${column} = ${column} + excluded.${column}`).join(', ')}`;

/** The batch object of a consumer batch: the UTC day it was ingested, and its id. */
export const batchObjectKey = (batchId: string, now: number): string => `batches/${utcDay(now)}/${batchId}.ndjson`;

/** What one batch came to: the ids new to D1 and the statements executed. */
export interface WrittenBatch {
  inserted: Set<string>;
  statements: number;
}

/** Groups lines into JSON arrays of at most STATEMENT_MAX_BYTES each (a line larger than that goes alone). */
export const jsonArrays = (lines: readonly string[]): string[] => packBySize(lines, utf8Length, STATEMENT_MAX_BYTES).map((group) => `[${group.join(',')}]`);

/**
 * Writes `lines` (BillingLogRecord JSON) as batch `batchId` in one transaction. Throws if D1 does:
 * then nothing of the batch is written.
 */
export async function writeBatch(db: D1Database, batchId: string, lines: readonly string[], now: number): Promise<WrittenBatch> {
  const inserts = jsonArrays(lines).map((array) => db.prepare(INSERT_ROWS).bind(array, batchId, now));
  if (inserts.length === 0) return { inserted: new Set(), statements: 0 };
  const results = await db.batch<{ id: string }>([
    ...inserts,
    db.prepare(INSERT_BATCH).bind(batchId, batchObjectKey(batchId, now), now),
    db.prepare(ADD_ROLLUPS).bind(batchId),
  ]);
  const inserted = new Set(results.slice(0, inserts.length).flatMap((result) => result.results.map((row) => row.id)));
  return { inserted, statements: inserts.length + 2 };
}
