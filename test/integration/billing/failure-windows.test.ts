/**
 * What each failure does to the money (docs/architecture.md, "Failure windows:
 * holds and charges"), each injected here, each followed by the invariants:
 * the ledger sums to the balance, which is not negative, each delivered
 * request is charged once, D1's logs are the ledger's charges, no hold is left.
 */
import { env, evictDurableObject } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { formatUsd } from '../../../src/base/money';
import { chat, chatWithEnv, createAccountWithKey, hello } from '../helpers';
import { requestContext } from '../account/fixtures';
import { moveObjectClock, setObjectVars } from '../account/object-vars';
import { accountObject, waitFor } from './helpers';
import { readRest, readUntil } from './faults';
import { expectMoneyInvariants, ledgerCharges } from './invariants';

const MILLION_PROMPT = { usage: { prompt_tokens: 1_000_000, completion_tokens: 0 } };
/** A stream of six chunks 80 ms apart that costs $0.1477, its usage chunk included. */
const SLOW_STREAM = { model: 'deepseek-chat', messages: hello, stream: true, stream_options: { include_usage: true }, standin: { ...MILLION_PROMPT, chunks: 6, chunk_delay_ms: 80 } };
const RENEW_MS = '40';

describe('failure windows: the worker', () => {
  it('dies after admission, before any answer: its hold is released once unrenewed for three periods, and nothing is charged', async () => {
    const { accountId } = await createAccountWithKey(1);
    const stub = accountObject(accountId);
    // A worker admitted the request and died: no renewal, no charge ever comes.
    await stub.authorize({ requestId: 'req_dead_worker', amount: 5_000_000, context: requestContext(Date.now()), now: Date.now() });
    expect((await stub.summary(Date.now())).reserved).toBe(5_000_000);
    await moveObjectClock(stub, 3 * 30_000 - 1_001);
    expect((await stub.summary(Date.now())).reserved).toBe(5_000_000);
    // Released without an alarm: the next thing that reads the holds finds it unrenewed for three periods.
    await moveObjectClock(stub, 3 * 30_000);
    expect((await stub.summary(Date.now())).reserved).toBe(0);
    await expectMoneyInvariants(accountId);
    expect((await stub.summary(Date.now())).balance).toBe(100_000_000);
  });
});

describe('failure windows: the account object', () => {
  it('is evicted mid-stream: the stream renews its hold back and is charged its real cost', async () => {
    const { key, accountId } = await createAccountWithKey(1);
    const response = await chatWithEnv(key, SLOW_STREAM, { HOLD_RENEW_MS: RENEW_MS });
    const reader = response.body!.getReader();
    await readUntil(reader, 'data: ');
    await evictDurableObject(accountObject(accountId));
    // The restarted object knew nothing of the hold; the next renewal holds it again.
    const renewed = await waitFor(() => accountObject(accountId).summary(Date.now()), (s) => s.openReservations === 1);
    expect(renewed.openReservations).toBe(1);
    const rest = await readRest(reader);
    expect(rest).toContain('"cost":0.1477,"balance":0.8523');
    await expectMoneyInvariants(accountId, [response.headers.get('X-Request-Id')!]);
  });

  it('releases the hold of a live stream whose renewal is late: the stream holds again and is charged its real cost', async () => {
    const { key, accountId } = await createAccountWithKey(1);
    const stub = accountObject(accountId);
    const response = await chatWithEnv(key, SLOW_STREAM, { HOLD_RENEW_MS: RENEW_MS });
    const reader = response.body!.getReader();
    await readUntil(reader, 'data: ');
    // The object believes three periods passed without a renewal (a renewal delayed, a clock jump).
    await moveObjectClock(stub, 3 * 30_000);
    expect((await stub.summary(Date.now())).reserved).toBe(0);
    await moveObjectClock(stub, 0);
    const rest = await readRest(reader);
    expect(rest).toContain('"cost":0.1477,"balance":0.8523');
    expect(rest).toMatch(/data: \[DONE\]\n\n$/);
    await expectMoneyInvariants(accountId, [response.headers.get('X-Request-Id')!]);
  });

  it('outlives many hold periods on a long stream renewed as it relays, and charges what it delivered', async () => {
    const { key, accountId } = await createAccountWithKey(1);
    const stub = accountObject(accountId);
    await setObjectVars(stub, { HOLD_RENEW_MS: RENEW_MS });
    // Six chunks 80 ms apart: about four hold lifetimes of 120 ms; the holds are swept while it streams.
    const response = await chatWithEnv(key, SLOW_STREAM, { HOLD_RENEW_MS: RENEW_MS });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      text += decoder.decode(read.value, { stream: true });
      await stub.summary(Date.now());
    }
    expect(text).toContain('"cost":0.1477');
    await expectMoneyInvariants(accountId, [response.headers.get('X-Request-Id')!]);
  });
});

describe('failure windows: D1', () => {
  it('is down: requests are charged by the object, and their billing logs reach D1 once it is back', async () => {
    const { key, accountId } = await createAccountWithKey(1);
    // The key is known to this isolate after one request; billing logs are the part of D1 that goes away.
    await (await chat(key, { model: 'deepseek-chat', messages: hello })).arrayBuffer();
    await env.DB.exec('ALTER TABLE billing_logs RENAME TO billing_logs_away');
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    let response: Response;
    try {
      response = await chat(key, { model: 'deepseek-chat', messages: hello, standin: MILLION_PROMPT });
    } finally {
      await env.DB.exec('ALTER TABLE billing_logs_away RENAME TO billing_logs');
      quiet.mockRestore();
    }
    expect(response.status).toBe(200);
    // The invariants hand the logs over once D1 is back (a consumer batch D1 fails is retried: log-consumer.test.ts).
    const charged = (await ledgerCharges(accountId)).at(-1)!;
    expect(response.headers.get('X-FindToken-Balance')).toBe(formatUsd(charged.balance_after));
    await expectMoneyInvariants(accountId, [response.headers.get('X-Request-Id')!]);
  });
});

describe('failure windows: the client', () => {
  it('goes away mid-stream: charged once for what it was sent, its hold released', async () => {
    const { key, accountId } = await createAccountWithKey(1);
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, stream: true, standin: { scenario: 'stall', stall_after: 2 } });
    const reader = response.body!.getReader();
    await readUntil(reader, 'data: ');
    await reader.cancel();
    await waitFor(() => ledgerCharges(accountId), (rows) => rows.length === 1);
    await expectMoneyInvariants(accountId, [response.headers.get('X-Request-Id')!]);
  });
});
