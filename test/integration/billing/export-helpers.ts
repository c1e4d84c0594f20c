/**
 * Writes what the other halves of the billing-log pipeline would (the consumer's D1 rows and rollups, the
 * retention job's R2 archives and their `billing_log_archives` rows) straight through the bindings, in the
 * shared line format, so export tests prove the reader's side of that contract.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { createApp } from '../../../src/app';
import type { ExportMessage } from '../../../src/billing/export-store';
import { BASE } from '../helpers';
import type { BillingLogRecord } from '../../../src/billing/billing-log';
import { rowOfRecord } from '../../../src/billing/billing-log-store';
import { randomHex, sha256Hex } from '../../../src/base/ids';
import { createDb } from '../../../src/db/client';
import { billingLogs } from '../../../src/db/schema';

/** A finished request's record at `createdAt`; `overrides` change any field. */
export function logRecord(accountId: string, createdAt: number, overrides: Partial<BillingLogRecord> = {}): BillingLogRecord {
  const hex = randomHex(12);
  return {
    id: `bl_${hex}`,
    requestId: `req_${hex}`,
    accountId,
    keyId: 'key_0123456789abcdef0123456789abcdef',
    keyName: 'test',
    keyPrefix: 'sk-ft_abcd',
    model: 'deepseek-chat',
    provider: 'deepseek',
    mode: 'standard',
    routing: 'price',
    stream: false,
    startedAt: createdAt - 100,
    promptTokens: 12,
    cachedTokens: 0,
    completionTokens: 34,
    reasoningTokens: 0,
    cost: 1_234_567,
    providerCost: 1_170_000,
    estimated: false,
    status: 'succeeded',
    uncollected: 0,
    createdAt,
    latencyMs: 100,
    ...overrides,
  };
}

/** Rows as the billing-log consumer writes them to D1. */
export async function insertD1Logs(records: BillingLogRecord[]): Promise<void> {
  const db = createDb(env.DB);
  // D1 binds at most 100 values per statement: 3 rows of 25 columns.
  for (let i = 0; i < records.length; i += 3) {
    await db.insert(billingLogs).values(records.slice(i, i + 3).map((record) => ({ ...rowOfRecord(record), batchId: 'batch_test', ingestedAt: record.createdAt + 1_000 })));
  }
}

const byKey = (a: BillingLogRecord, b: BillingLogRecord) => a.createdAt - b.createdAt || (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0);

/** A day archived by the retention job: `accounts/<id>/<day>.ndjson` (records in export order) and its D1 row. */
export async function writeArchive(accountId: string, day: string, records: BillingLogRecord[]): Promise<string> {
  const objectKey = `accounts/${accountId}/${day}.ndjson`;
  const text = [...records].sort(byKey).map((record) => `${JSON.stringify(record)}\n`).join('');
  await env.ARCHIVE.put(objectKey, text);
  await env.DB.prepare(
    'INSERT INTO billing_log_archives (account_id, day, object_key, rows, bytes, sha256, archived_at, pruned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
    .bind(accountId, day, objectKey, records.length, new TextEncoder().encode(text).length, await sha256Hex(text), Date.now(), Date.now())
    .run();
  return objectKey;
}

/** A day's totals as the consumer keeps them (money in units). */
export async function insertRollup(accountId: string, day: string, model: string, totals: { requests: number; cost: number; failed?: number }): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO billing_rollups (account_id, day, model, requests, failed, prompt_tokens, cached_tokens, completion_tokens, reasoning_tokens, cost, uncollected, provider_cost)
     VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0, ?, 0, 0)`,
  )
    .bind(accountId, day, model, totals.requests, totals.failed ?? 0, totals.cost)
    .run();
}

export const sortedRecords = (records: BillingLogRecord[]): BillingLogRecord[] => [...records].sort(byKey);

export const BULK_ROWS = 12_000;
export const BULK_START = Date.parse('2026-07-01T00:00:00.000Z');

/** A queue that keeps what is sent, so a test delivers each message itself. */
export function capturingQueue() {
  const sent: ExportMessage[] = [];
  const queue = { send: async (body: ExportMessage) => void sent.push(body), sendBatch: async () => undefined } as unknown as Queue<ExportMessage>;
  return { sent, queue };
}

/** A request through an app whose vars and EXPORTS queue are the test's. */
export async function request(key: string, path: string, overrides: Record<string, unknown>): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await createApp().fetch(new Request(`${BASE}${path}`, { headers: { Authorization: `Bearer ${key}` } }), { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** 12,000 rows in D1 (one statement), about 5.7 MB of NDJSON: more than one 5 MiB part. */
export async function insertBulk(accountId: string): Promise<void> {
  const prefix = randomHex(8);
  await env.DB.prepare(
    `INSERT INTO billing_logs (id, request_id, account_id, key_id, key_name, key_prefix, created_at, model, provider, mode, routing, prompt_tokens, cached_tokens,
       completion_tokens, reasoning_tokens, cost, uncollected, provider_cost, estimated, status, latency_ms, stream, fallback_reason, batch_id, ingested_at)
     WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
     SELECT 'bl_' || ?2 || printf('%08x', i), 'req_' || ?2 || printf('%08x', i), ?3, 'key_bulk', 'bulk', 'sk-ft_bulk', ?4 + i * 1000, 'deepseek-chat', 'deepseek',
       'standard', 'price', i % 1000, 0, 34, 0, 1000 + i, 0, 900 + i, 0, 'succeeded', 100, 0, NULL, 'batch_test', ?4 + i * 1000 + 1 FROM n`,
  )
    .bind(BULK_ROWS, prefix, accountId, BULK_START)
    .run();
  await insertRollup(accountId, '2026-07-01', 'deepseek-chat', { requests: BULK_ROWS, cost: 0 });
}

/** The body as UTF-8 (Response.text() warns on a non-text Content-Type). */
export const textOf = async (response: Response) => new TextDecoder().decode(await response.arrayBuffer());

