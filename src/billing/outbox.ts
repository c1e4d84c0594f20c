/**
 * Flushes billing log records from the account object's ledger to D1. Inserts
 * are idempotent (INSERT OR IGNORE on the log id), so a flush retried after a
 * failure, or after the object crashed between writing D1 and marking rows
 * flushed, never duplicates a row.
 */
import type { BillingLogRecord } from './billing-log';

export const OUTBOX_BATCH = 50;

export async function writeBillingLogs(db: D1Database, logs: BillingLogRecord[]): Promise<void> {
  if (logs.length === 0) return;
  const statement = db.prepare(
    `INSERT OR IGNORE INTO billing_logs
       (id, request_id, account_id, key_id, key_name, key_prefix, created_at, model, provider, mode, routing,
        prompt_tokens, cached_tokens, completion_tokens, reasoning_tokens, cost, provider_cost, estimated, status, latency_ms, stream)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  await db.batch(
    logs.map((log) =>
      statement.bind(
        log.id,
        log.requestId,
        log.accountId,
        log.keyId,
        log.keyName,
        log.keyPrefix,
        log.createdAt,
        log.model,
        log.provider,
        log.mode,
        log.routing,
        log.promptTokens,
        log.cachedTokens,
        log.completionTokens,
        log.reasoningTokens,
        log.cost,
        log.providerCost,
        log.estimated ? 1 : 0,
        log.status,
        log.latencyMs,
        log.stream ? 1 : 0,
      ),
    ),
  );
}
