/** Reads of D1's billing_logs for the account that owns them (newest first, cursor paginated). */
import { and, asc, desc, eq, gt, gte, lt, lte, or, type SQL } from 'drizzle-orm';
import { createDb, type Database } from '../db/client';
import { billingLogs, type BillingLogRow } from '../db/schema';
import { decodePageCursor, pageOf, type Page } from '../db/pager';
import { usdNumber as usd } from '../base/money';
import type { BillingLogRecord } from './billing-log';

export interface BillingLogQuery {
  accountId: string;
  limit: number;
  cursor?: { createdAt: number; requestId: string };
  model?: string;
  from?: number;
  to?: number;
}

export function decodeCursor(cursor: string): { createdAt: number; requestId: string } | undefined {
  const decoded = decodePageCursor(cursor, 'req');
  return decoded && { createdAt: decoded.createdAt, requestId: decoded.id };
}

export async function listBillingLogs(db: Database, query: BillingLogQuery): Promise<Page<BillingLogRow>> {
  const conditions: SQL[] = [eq(billingLogs.accountId, query.accountId)];
  if (query.model) conditions.push(eq(billingLogs.model, query.model));
  if (query.from !== undefined) conditions.push(gte(billingLogs.createdAt, query.from));
  if (query.to !== undefined) conditions.push(lte(billingLogs.createdAt, query.to));
  if (query.cursor) {
    const { createdAt, requestId } = query.cursor;
    conditions.push(or(lt(billingLogs.createdAt, createdAt), and(eq(billingLogs.createdAt, createdAt), lt(billingLogs.requestId, requestId)))!);
  }
  const rows = await db
    .select()
    .from(billingLogs)
    .where(and(...conditions))
    .orderBy(desc(billingLogs.createdAt), desc(billingLogs.requestId))
    .limit(query.limit + 1);
  return pageOf(rows, query.limit, (row) => ({ createdAt: row.createdAt, id: row.requestId }));
}

/** A row's place in ascending (created_at, request_id) order. */
export interface RowKey {
  createdAt: number;
  requestId: string;
}

/**
 * An account's rows with created_at in [from, to] (inclusive), ascending by (created_at, request_id),
 * after `after` (null: from the start), a keyset page at a time, read only when the next page is asked
 * for; the last page may be empty. The archive and the export read D1 through this.
 */
export async function* ascendingPages(d1: D1Database, accountId: string, range: { from: number; to: number }, after: RowKey | null, pageRows: number): AsyncGenerator<BillingLogRow[]> {
  const db = createDb(d1);
  let cursor = after;
  for (;;) {
    const rows = await db
      .select()
      .from(billingLogs)
      .where(
        and(
          eq(billingLogs.accountId, accountId),
          // The lower bound on its own lets the index seek to the page instead of scanning the range again.
          gte(billingLogs.createdAt, Math.max(range.from, cursor?.createdAt ?? range.from)),
          lte(billingLogs.createdAt, range.to),
          cursor ? or(gt(billingLogs.createdAt, cursor.createdAt), gt(billingLogs.requestId, cursor.requestId)) : undefined,
        ),
      )
      .orderBy(asc(billingLogs.createdAt), asc(billingLogs.requestId))
      .limit(pageRows);
    yield rows;
    if (rows.length < pageRows) return;
    const last = rows.at(-1)!;
    cursor = { createdAt: last.createdAt, requestId: last.requestId };
  }
}

export async function getBillingLog(db: Database, accountId: string, requestId: string): Promise<BillingLogRow | undefined> {
  return db.select().from(billingLogs).where(and(eq(billingLogs.accountId, accountId), eq(billingLogs.requestId, requestId))).get();
}

/**
 * The D1 row the queue's consumer makes of a record (log-writer.ts's json_extract of each
 * field: a missing field is NULL), so a row still in the account object renders
 * exactly as it will once in D1.
 */
export function rowOfRecord(record: BillingLogRecord): BillingLogRow {
  return {
    id: record.id,
    requestId: record.requestId,
    accountId: record.accountId,
    keyId: record.keyId ?? null,
    keyName: record.keyName ?? null,
    keyPrefix: record.keyPrefix ?? null,
    createdAt: record.createdAt,
    model: record.model,
    provider: record.provider,
    mode: record.mode,
    routing: record.routing,
    promptTokens: record.promptTokens,
    cachedTokens: record.cachedTokens,
    completionTokens: record.completionTokens,
    reasoningTokens: record.reasoningTokens,
    cost: record.cost,
    // Records from before uncollected existed are written as 0 (log-writer.ts's COALESCE).
    uncollected: record.uncollected ?? 0,
    providerCost: record.providerCost,
    estimated: record.estimated,
    status: record.status,
    latencyMs: record.latencyMs,
    stream: record.stream,
    fallbackReason: record.fallbackReason ?? null,
    // Not in D1 yet: no consumer batch has written it.
    batchId: null,
    ingestedAt: null,
  };
}

/** A billing log as the API shows it. */
export function toPublicBillingLog(row: BillingLogRow) {
  return {
    id: row.id,
    request_id: row.requestId,
    created_at: row.createdAt,
    model: row.model,
    provider: row.provider,
    mode: row.mode,
    routing: row.routing,
    prompt_tokens: row.promptTokens,
    cached_tokens: row.cachedTokens,
    completion_tokens: row.completionTokens,
    reasoning_tokens: row.reasoningTokens,
    total_tokens: row.promptTokens + row.completionTokens,
    cost: usd(row.cost),
    uncollected: usd(row.uncollected),
    provider_cost: usd(row.providerCost),
    estimated: row.estimated,
    status: row.status,
    latency_ms: row.latencyMs,
    stream: row.stream,
    fallback_reason: row.fallbackReason,
    key: row.keyId ? { id: row.keyId, name: row.keyName, prefix: row.keyPrefix } : null,
  };
}

