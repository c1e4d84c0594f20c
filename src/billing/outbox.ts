/**
 * Flushes billing log records from the account object's ledger to D1. A batch
 * is one statement: the records go in as one JSON array, unpacked by SQLite's
 * json_each, so the object neither re-parses its stored records nor pays a
 * statement per row. Inserts are idempotent (INSERT OR IGNORE on the log id),
 * so a flush retried after a failure, or after the object crashed between
 * writing D1 and marking rows flushed, never duplicates a row.
 */

export const OUTBOX_BATCH = 200;

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

const INSERT_FROM_JSON = `INSERT OR IGNORE INTO billing_logs (${COLUMNS.map(([column]) => column).join(', ')})
  SELECT ${COLUMNS.map(([, field]) => (field === 'uncollected' ? `COALESCE(json_extract(value, '$.${field}'), 0)` : `json_extract(value, '$.${field}')`)).join(', ')} FROM json_each(?)`;

/** `records`: BillingLogRecord values as the ledger stores them (JSON text). */
export async function writeBillingLogs(db: D1Database, records: string[]): Promise<void> {
  if (records.length === 0) return;
  await db.prepare(INSERT_FROM_JSON).bind(`[${records.join(',')}]`).run();
}
