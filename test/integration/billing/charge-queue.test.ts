/**
 * A charge the account object cannot record in time: the answer is still
 * delivered, marked pending, and the CHARGES queue charges it later, once
 * however often it is delivered. One that cannot even be queued is counted
 * for the operator.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../../src/index';
import type { ChargeMessage } from '../../../src/account/charge-delivery';
import { CHARGES_QUEUE, DEAD_CHARGES_QUEUE } from '../../../src/account/charge-queue';
import type { Env } from '../../../src/env';
import { adminRequest, createAccountWithKey, hello, readSse } from '../helpers';
import { accountObject, waitFor } from './helpers';
import { accountsWhereCharge, capturingQueue, chatThrough, unreachable } from './faults';
import { expectMoneyInvariants, ledgerCharges } from './invariants';
import { moveObjectClock } from '../account/object-vars';

// 1M prompt tokens of deepseek-chat: $0.1477 with the 5.5% fee.
const MILLION_PROMPT = { usage: { prompt_tokens: 1_000_000, completion_tokens: 0 } };

/** Runs the worker's queue handler on `messages` as one batch of `queue`; returns what it acknowledged. */
async function consume(messages: ChargeMessage[], queue = CHARGES_QUEUE, bindings: Partial<Env> = {}) {
  const batch = createMessageBatch<ChargeMessage>(
    queue,
    messages.map((body, i) => ({ id: `msg_${i}_${crypto.randomUUID()}`, timestamp: Date.now(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, { ...env, ...bindings } as Env);
  ctx.waitUntil(Promise.resolve());
  return getQueueResult(batch, ctx);
}

describe('a charge the account object cannot record in time', () => {
  it('delivers a whole answer marked X-FindToken-Charge: pending, without a balance, and the queue charges it once however often it is delivered', async () => {
    const { key, accountId } = await createAccountWithKey(1);
    const { queue, sent } = capturingQueue();
    const { response } = await chatThrough({ ACCOUNTS: accountsWhereCharge(unreachable), CHARGES: queue }, key, { model: 'deepseek-chat', messages: hello, standin: MILLION_PROMPT });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Charge')).toBe('pending');
    expect(response.headers.get('X-FindToken-Cost')).toBe('0.1477');
    expect(response.headers.get('X-FindToken-Balance')).toBeNull();
    const requestId = response.headers.get('X-Request-Id')!;
    expect(sent.map((message) => [message.accountId, message.charge.requestId, message.charge.outcome.cost])).toEqual([[accountId, requestId, 14_770_000]]);

    // At-least-once: the same charge delivered twice, in one batch and again in the next.
    const first = await consume([sent[0]!, sent[0]!]);
    const second = await consume([sent[0]!]);
    expect([first.explicitAcks.length, second.explicitAcks.length, first.retryMessages, second.retryMessages]).toEqual([2, 1, [], []]);
    expect(await ledgerCharges(accountId)).toEqual([{ request_id: requestId, amount: -14_770_000, balance_after: 85_230_000 }]);
    await expectMoneyInvariants(accountId, [requestId]);
  });

  it('ends a stream with a usage chunk saying charge_pending: true and [DONE], and the queue charges it', async () => {
    const { key, accountId } = await createAccountWithKey(1);
    const { queue, sent } = capturingQueue();
    const body = { model: 'deepseek-chat', messages: hello, stream: true, stream_options: { include_usage: true }, standin: MILLION_PROMPT };
    const { response } = await chatThrough({ ACCOUNTS: accountsWhereCharge(unreachable), CHARGES: queue }, key, body);
    const { data } = await readSse(response);
    expect(data.at(-1)).toBe('[DONE]');
    const usage = JSON.parse(data.at(-2)!).usage;
    expect(usage).toMatchObject({ prompt_tokens: 1_000_000, cost: 0.1477, charge_pending: true });
    expect(usage).not.toHaveProperty('balance');
    await consume(sent);
    await expectMoneyInvariants(accountId, [response.headers.get('X-Request-Id')!]);
    expect((await accountObject(accountId).summary(Date.now())).balance).toBe(85_230_000);
  });

  it('charges once when the late round trip lands after the queued copy', async () => {
    const { key, accountId } = await createAccountWithKey(1);
    const { queue, sent } = capturingQueue();
    let land: () => void = () => {};
    const landed = new Promise<void>((resolve) => (land = resolve));
    let late: Promise<unknown> = Promise.resolve();
    // The round trip is stuck past CHARGE_TIMEOUT_MS, then reaches the object after all.
    const accounts = accountsWhereCharge((input, real) => {
      late = landed.then(() => real.charge(input));
      return late;
    });
    const { response } = await chatThrough({ ACCOUNTS: accounts, CHARGES: queue }, key, { model: 'deepseek-chat', messages: hello, standin: MILLION_PROMPT });
    expect(response.headers.get('X-FindToken-Charge')).toBe('pending');
    await consume(sent);
    land();
    expect(await late).toMatchObject({ charged: 14_770_000, replay: true });
    await expectMoneyInvariants(accountId, [response.headers.get('X-Request-Id')!]);
  });

  it('reaches the account object through the real CHARGES queue', async () => {
    const { key, accountId } = await createAccountWithKey(1);
    const { response } = await chatThrough({ ACCOUNTS: accountsWhereCharge(unreachable) }, key, { model: 'deepseek-chat', messages: hello, standin: MILLION_PROMPT });
    expect(response.headers.get('X-FindToken-Charge')).toBe('pending');
    // The queue's consumer (this worker) runs within its batch timeout.
    const charges = await waitFor(() => ledgerCharges(accountId), (rows) => rows.length > 0, 200);
    expect(charges).toEqual([{ request_id: response.headers.get('X-Request-Id')!, amount: -14_770_000, balance_after: 85_230_000 }]);
    await expectMoneyInvariants(accountId, [response.headers.get('X-Request-Id')!]);
  });
});

describe('a charge that cannot be queued either', () => {
  it('is still delivered, logged as charge_lost, and counted for the operator with what replays it', async () => {
    const { key, accountId } = await createAccountWithKey(1);
    const { queue } = capturingQueue(true);
    const { response, settled } = await chatThrough({ ACCOUNTS: accountsWhereCharge(unreachable), CHARGES: queue }, key, { model: 'deepseek-chat', messages: hello, standin: MILLION_PROMPT });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Charge')).toBe('pending');
    await settled();
    const requestId = response.headers.get('X-Request-Id')!;
    const view = await (await adminRequest('GET', `/accounts/${accountId}`)).json<{ charges_lost: unknown }>();
    expect(view.charges_lost).toEqual({ count: 1, cost: 0.1477 });
    const lost = await env.DB.prepare('SELECT charge FROM lost_charges WHERE request_id = ?').bind(requestId).first<{ charge: string }>();

    // Replayed by the operator: charged once. Its hold had been released unrenewed meanwhile.
    await moveObjectClock(accountObject(accountId), 3 * 30_000);
    await expectMoneyInvariants(accountId);
    await accountObject(accountId).charge(JSON.parse(lost!.charge));
    await moveObjectClock(accountObject(accountId), 0);
    await expectMoneyInvariants(accountId, [requestId]);
  });

  it('is recorded as lost by the dead-letter consumer only when its last try fails too', async () => {
    const { key, accountId } = await createAccountWithKey(1);
    const { queue, sent } = capturingQueue();
    await chatThrough({ ACCOUNTS: accountsWhereCharge(unreachable), CHARGES: queue }, key, { model: 'deepseek-chat', messages: hello, standin: MILLION_PROMPT });
    const dead = await consume(sent, DEAD_CHARGES_QUEUE, { ACCOUNTS: accountsWhereCharge(unreachable) });
    expect(dead.explicitAcks).toHaveLength(1);
    const lost = await env.DB.prepare('SELECT COUNT(*) AS n FROM lost_charges WHERE account_id = ?').bind(accountId).first();
    expect(lost).toEqual({ n: 1 });
    // The same message, once the object answers: charged, and nothing more recorded as lost.
    await consume(sent, DEAD_CHARGES_QUEUE);
    expect(await ledgerCharges(accountId)).toHaveLength(1);
  });
});
