/**
 * The billing-log pipeline seen from a test: records in the shared line format, the queue's consumer
 * run on a constructed batch, failing bindings, and what D1 and R2 hold for an account.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { vi } from 'vitest';
import worker from '../../../src/index';
import { loggedLines, type LogLine } from '../log-lines';
import type { BillingLogRecord } from '../../../src/billing/billing-log';
import type { BillingLogMessage } from '../../../src/billing/log-message';
import type { Env } from '../../../src/env';

export const LOGS_QUEUE = 'find-token-billing-logs';
export const DEAD_LOGS_QUEUE = 'find-token-billing-logs-dead';

let sequence = 0;

/** A billing log as the account object stores it (startedAt = createdAt, as a charge sets it). */
export function record(accountId: string, fields: Partial<BillingLogRecord> = {}): BillingLogRecord {
  sequence += 1;
  const requestId = `req_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`;
  const createdAt = fields.createdAt ?? Date.UTC(2026, 10, 30, 12, 0, sequence % 60);
  return {
    keyId: 'key_test',
    keyName: 'test',
    keyPrefix: 'sk-ft_test',
    model: 'deepseek-chat',
    provider: 'deepseek',
    mode: 'standard',
    routing: 'direct',
    stream: false,
    startedAt: createdAt,
    promptTokens: 100,
    cachedTokens: 10,
    completionTokens: 20,
    reasoningTokens: 0,
    cost: 1_000,
    providerCost: 900,
    estimated: false,
    status: 'succeeded',
    uncollected: 0,
    id: requestId.replace('req_', 'bl_'),
    requestId,
    accountId,
    createdAt,
    latencyMs: 50,
    ...fields,
  };
}

export const newAccountId = (): string => `acct_${crypto.randomUUID().replaceAll('-', '')}`;

export const messageOf = (accountId: string, records: BillingLogRecord[]): BillingLogMessage => ({ accountId, lines: records.map((r) => JSON.stringify(r)) });

/**
 * Runs the worker's queue handler on `bodies` as one batch of `queue`; returns what it acknowledged
 * and retried, with each retry's delay (getQueueResult does not keep them), and the lines it logged.
 */
export async function consume(bodies: Array<{ id?: string; body: unknown; attempts?: number }>, queue = LOGS_QUEUE, bindings: Partial<Env> = {}) {
  const batch = createMessageBatch(
    queue,
    bodies.map(({ id, body, attempts }, i) => ({ id: id ?? `msg_${i}_${crypto.randomUUID()}`, timestamp: new Date(), attempts: attempts ?? 1, body })),
  );
  const delays: Record<string, number | undefined> = {};
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (options?: QueueRetryOptions) => {
      delays[message.id] = options?.delaySeconds;
      retry(options);
    };
  }
  const ctx = createExecutionContext();
  const spies = [vi.spyOn(console, 'log').mockImplementation(() => {}), vi.spyOn(console, 'error').mockImplementation(() => {})];
  let logged: LogLine[];
  try {
    await worker.queue(batch as MessageBatch<unknown>, { ...env, ...bindings } as Env);
  } finally {
    logged = spies.flatMap((spy) => loggedLines(spy));
    for (const spy of spies) spy.mockRestore();
  }
  return { ...(await getQueueResult(batch, ctx)), delays, logged };
}

/** An ARCHIVE whose put throws, as when the consumer dies between its D1 commit and R2. */
export const brokenArchive = new Proxy(env.ARCHIVE, {
  get(target, property) {
    if (property === 'put') return () => Promise.reject(new Error('R2 put failed: the worker was terminated'));
    const value = Reflect.get(target, property) as unknown;
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
  },
});

/** A D1 whose transactions fail (statements are prepared, the batch() throws). */
export const failingD1 = {
  prepare: (sql: string) => env.DB.prepare(sql),
  batch: async () => {
    throw new Error('D1_ERROR: network connection lost');
  },
} as unknown as D1Database;

/** The account's billing logs in D1: request id → batch id. */
export async function d1Rows(accountId: string): Promise<Array<{ request_id: string; batch_id: string; cost: number }>> {
  const { results } = await env.DB.prepare('SELECT request_id, batch_id, cost FROM billing_logs WHERE account_id = ? ORDER BY request_id').bind(accountId).all<{ request_id: string; batch_id: string; cost: number }>();
  return results;
}

export async function rollups(accountId: string): Promise<Array<Record<string, unknown>>> {
  const { results } = await env.DB.prepare(
    'SELECT day, model, requests, failed, prompt_tokens, cached_tokens, completion_tokens, reasoning_tokens, cost, uncollected, provider_cost FROM billing_rollups WHERE account_id = ? ORDER BY day, model',
  )
    .bind(accountId)
    .all();
  return results;
}

/** Every line naming `accountId` across R2 objects under `prefix`: object key → its records. */
export async function linesInR2(accountId: string, prefix: string): Promise<Record<string, BillingLogRecord[]>> {
  const found: Record<string, BillingLogRecord[]> = {};
  let cursor: string | undefined;
  do {
    const listed = await env.ARCHIVE.list({ prefix, cursor });
    for (const object of listed.objects) {
      const text = await (await env.ARCHIVE.get(object.key))!.text();
      if (!text.includes(accountId)) continue;
      found[object.key] = text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as BillingLogRecord);
    }
    cursor = listed.truncated ? listed.cursor : undefined;
  } while (cursor);
  return found;
}

/** A BILLING_LOGS queue that keeps what is sent to it, or refuses it. */
export function capturingLogsQueue(refuse = false): { queue: Queue; sent: BillingLogMessage[] } {
  const sent: BillingLogMessage[] = [];
  const take = async (bodies: Array<{ body: BillingLogMessage }>) => {
    if (refuse) throw new Error('Queue send failed: service unavailable');
    sent.push(...bodies.map(({ body }) => structuredClone(body)));
  };
  return { queue: { send: (body: BillingLogMessage) => take([{ body }]), sendBatch: take } as unknown as Queue, sent };
}
