/**
 * A billing-log row is readable as soon as its response has ended: the test config keeps rows in the
 * account object for ten minutes before they are handed to the queue (OUTBOX_FLUSH_DELAY_MS), so every
 * read before the drain is the object's.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { apiRequest, chat, createAccountWithKey, fetchWithEnv, hello, readSse } from '../helpers';
import { accountObject, drainOutbox } from './helpers';
import { loggedLines } from '../log-lines';

const inD1 = async (requestId: string) =>
  (await env.DB.prepare('SELECT COUNT(*) AS n FROM billing_logs WHERE request_id = ?').bind(requestId).first<{ n: number }>())!.n;

async function readLog(key: string, requestId: string): Promise<{ status: number; body: unknown }> {
  const response = await apiRequest(key, 'GET', `/v1/user/billing-logs/${requestId}`);
  return { status: response.status, body: await response.json() };
}

/** A BILLING_LOGS queue that refuses every send. */
const refusingQueue = {
  send: async () => {
    throw new Error('Queue send failed: service unavailable');
  },
  sendBatch: async () => {
    throw new Error('Queue send failed: service unavailable');
  },
} as unknown as Queue;

/** A D1 binding whose every statement fails, as when D1 is unreachable. */
const unreachableD1 = {
  prepare: () => {
    throw new Error('D1_ERROR: network connection lost');
  },
  batch: async () => {
    throw new Error('D1_ERROR: network connection lost');
  },
} as unknown as D1Database;

describe('GET /v1/user/billing-logs/{request_id} before the flush', () => {
  it("answers a whole answer's row at once, exactly as it reads after the flush", async () => {
    const { key, accountId } = await createAccountWithKey();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello });
    await response.arrayBuffer();
    const requestId = response.headers.get('X-Request-Id')!;
    expect(await inD1(requestId)).toBe(0);
    const early = await readLog(key, requestId);
    expect(early).toMatchObject({ status: 200, body: { request_id: requestId, model: 'deepseek-chat', stream: false, status: 'succeeded' } });

    await drainOutbox(accountId);
    expect(await inD1(requestId)).toBe(1);
    expect(await readLog(key, requestId)).toEqual(early);
  });

  it("answers a stream's row once its [DONE] has arrived, exactly as it reads after the flush", async () => {
    const { key, accountId } = await createAccountWithKey();
    const response = await chat(key, { model: 'glm-4-flash', messages: hello, stream: true });
    const { data } = await readSse(response);
    expect(data.at(-1)).toBe('[DONE]');
    const requestId = response.headers.get('X-Request-Id')!;
    const early = await readLog(key, requestId);
    expect(early).toMatchObject({ status: 200, body: { request_id: requestId, model: 'glm-4-flash', stream: true } });
    expect(await inD1(requestId)).toBe(0);

    await drainOutbox(accountId);
    expect(await readLog(key, requestId)).toEqual(early);
  });

  it("never answers another account's unflushed row", async () => {
    const alice = await createAccountWithKey();
    const bob = await createAccountWithKey();
    const response = await chat(alice.key, { model: 'deepseek-chat', messages: hello });
    await response.arrayBuffer();
    const requestId = response.headers.get('X-Request-Id')!;
    expect(await readLog(bob.key, requestId)).toEqual({
      status: 404,
      body: { error: { message: `No billing log for request '${requestId}'.`, type: 'not_found_error', param: null, code: 'billing_log_not_found' } },
    });
    expect((await readLog(alice.key, requestId)).status).toBe(200);
  });

  it('keeps a row readable while the queue refuses it, and writes it once to D1 when the queue is back', async () => {
    const { key, accountId } = await createAccountWithKey();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello });
    await response.arrayBuffer();
    const requestId = response.headers.get('X-Request-Id')!;
    const early = await readLog(key, requestId);
    const stub = accountObject(accountId);
    const realEnv = await runInDurableObject(stub, (instance) => {
      const objectEnv = Reflect.get(instance, 'env') as Env;
      Reflect.set(instance, 'env', { ...objectEnv, BILLING_LOGS: refusingQueue });
      return objectEnv;
    });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      expect(loggedLines(logged)).toEqual([
        { level: 'error', kind: 'billing_log.send_failed', message: 'billing logs not handed to the queue; retrying', failures: 1, retryMs: 10_000, cause: 'Queue send failed: service unavailable' },
      ]);
    } finally {
      logged.mockRestore();
    }
    expect(await inD1(requestId)).toBe(0);
    expect(await readLog(key, requestId)).toEqual(early);

    // The queue is back: the retry the failed send scheduled hands the row over, and the consumer writes it once.
    await runInDurableObject(stub, (instance) => {
      Reflect.set(instance, 'env', realEnv);
    });
    await drainOutbox(accountId);
    expect(await inD1(requestId)).toBe(1);
    expect(await readLog(key, requestId)).toEqual(early);
  });

  it('answers a row the object holds while D1 cannot be read at all', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello });
    await response.arrayBuffer();
    const requestId = response.headers.get('X-Request-Id')!;
    const early = await readLog(key, requestId);
    // The key is known to this isolate already (its cache), so only the log's read meets the broken D1.
    const path = `/v1/user/billing-logs/${requestId}`;
    const whileDown = await fetchWithEnv(path, { headers: { Authorization: `Bearer ${key}` } }, { DB: unreachableD1 } as unknown as Record<string, string>);
    expect({ status: whileDown.status, body: await whileDown.json() }).toEqual(early);
  });

  it('answers 503 with Retry-After for a row it cannot find while D1 cannot be read', async () => {
    const { key } = await createAccountWithKey();
    // Known to this isolate first (its cache), so only the log's read meets the broken D1.
    await readLog(key, 'req_000000000000000000000000');
    const path = '/v1/user/billing-logs/req_000000000000000000000000';
    const response = await fetchWithEnv(path, { headers: { Authorization: `Bearer ${key}` } }, { DB: unreachableD1 } as unknown as Record<string, string>);
    expect({ status: response.status, retryAfter: response.headers.get('Retry-After'), body: await response.json() }).toEqual({
      status: 503,
      retryAfter: '1',
      body: { error: { code: 'billing_logs_unavailable', type: 'server_error', param: null, message: 'Billing logs cannot be read right now. Please retry.' } },
    });
  });
});
