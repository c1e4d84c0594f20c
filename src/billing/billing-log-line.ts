/**
 * The shared line format of billing logs (R2 batch objects, R2 archives, NDJSON
 * exports): one `BillingLogRecord` JSON per line, each ending in "\n". A D1 row
 * becomes the record the account object stored (the inverse of `rowOfRecord`):
 * what D1 does not keep (`startedAt`, which is `createdAt`; `byokFree`,
 * `byokKeyId`) is the request's admission detail, not its bill.
 */
import type { BillingLogRow } from '../db/schema';
import type { BillingLogRecord } from './billing-log';

export function recordOfRow(row: BillingLogRow): BillingLogRecord {
  return {
    keyId: row.keyId ?? '',
    keyName: row.keyName ?? '',
    keyPrefix: row.keyPrefix ?? '',
    model: row.model,
    provider: row.provider,
    mode: row.mode,
    routing: row.routing,
    stream: row.stream,
    startedAt: row.createdAt,
    ...(row.fallbackReason !== null ? { fallbackReason: row.fallbackReason } : {}),
    promptTokens: row.promptTokens,
    cachedTokens: row.cachedTokens,
    completionTokens: row.completionTokens,
    reasoningTokens: row.reasoningTokens,
    cost: row.cost,
    providerCost: row.providerCost,
    estimated: row.estimated,
    status: row.status,
    uncollected: row.uncollected,
    id: row.id,
    requestId: row.requestId,
    accountId: row.accountId,
    createdAt: row.createdAt,
    latencyMs: row.latencyMs,
  };
}

/** A record's line: its JSON and the newline that ends it. */
export const billingLogLine = (record: BillingLogRecord): string => `${JSON.stringify(record)}\n`;
