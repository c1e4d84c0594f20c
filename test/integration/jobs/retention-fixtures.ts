/** Old billing logs put straight into D1, and an ARCHIVE bucket with failures injected, for the retention job's tests. */
import { env } from 'cloudflare:test';
import type { BillingLogRecord } from '../../../src/billing/billing-log';
import { writeBatch } from '../../../src/billing/log-writer';
import { randomHex } from '../../../src/base/ids';

export const DAY = 24 * 60 * 60_000;

/** `count` records of `accountId` on `day` (YYYY-MM-DD), `step` ms apart from `offsetMs` into it, in the shape D1 can give back. */
export function dayRecords(accountId: string, day: string, count: number, options: { offsetMs?: number; step?: number } = {}): BillingLogRecord[] {
  const start = Date.parse(`${day}T00:00:00.000Z`) + (options.offsetMs ?? 0);
  return Array.from({ length: count }, (_, i) => {
    const requestId = `req_${randomHex(12)}`;
    const createdAt = start + i * (options.step ?? 1_000);
    return {
      keyId: 'key_1',
      keyName: 'default',
      keyPrefix: 'ft-abc',
      model: i % 2 === 0 ? 'deepseek-chat' : 'kimi-k2',
      provider: 'deepseek',
      mode: 'standard',
      routing: 'price',
      stream: i % 3 === 0,
      startedAt: createdAt,
      ...(i % 5 === 0 ? { fallbackReason: 'provider_key_invalid' } : {}),
      promptTokens: 100 + i,
      cachedTokens: i % 7,
      completionTokens: 50 + i,
      reasoningTokens: 0,
      cost: 1_000 + i,
      providerCost: 950 + i,
      estimated: i % 4 === 0,
      status: i % 6 === 0 ? 'failed' : 'succeeded',
      uncollected: i % 8 === 0 ? 3 : 0,
      id: `log_${requestId.slice(4)}`,
      requestId,
      accountId,
      createdAt,
      latencyMs: 200 + i,
    } satisfies BillingLogRecord;
  });
}

/** Inserts records as the billing-log consumer does (one batch per call, its rollups included). */
export async function insertRecords(records: BillingLogRecord[]): Promise<void> {
  await writeBatch(env.DB, `batch_fixture_${crypto.randomUUID()}`, records.map((record) => JSON.stringify(record)), Date.now());
}

export const rowsInD1 = async (accountId: string): Promise<number> =>
  (await env.DB.prepare('SELECT count(*) AS n FROM billing_logs WHERE account_id = ?').bind(accountId).first<{ n: number }>())!.n;

export const archiveRows = async (accountId: string) =>
  (await env.DB.prepare('SELECT day, object_key AS objectKey, rows, bytes, sha256, archived_at AS archivedAt, pruned_at AS prunedAt FROM billing_log_archives WHERE account_id = ? ORDER BY day').bind(accountId).all()).results;

/** The ARCHIVE bucket with some of its methods replaced (the others reach the real one). */
export function bucketWhere(overrides: Partial<Record<'put' | 'get' | 'createMultipartUpload', (...args: never[]) => unknown>>): R2Bucket {
  return new Proxy(env.ARCHIVE, {
    get(target, property) {
      const override = (overrides as Record<string | symbol, unknown>)[property];
      if (override) return override;
      const value = Reflect.get(target, property) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export const sha256Hex = async (bytes: BufferSource): Promise<string> =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
