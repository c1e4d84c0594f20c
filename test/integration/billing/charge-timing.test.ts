/**
 * When a request is charged, and from what: a whole answer before its response
 * (its headers are the ledger's, whatever else the account runs), an overrun
 * only from the free balance, nothing for nothing generated, and a failure
 * releases its hold before the error is answered.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { displayParts } from '../../../src/accounts/keys';
import { serveChat } from '../../../src/chat/serve-chat';
import { formatUsd, usdNumber } from '../../../src/base/money';
import { parseConfig } from '../../../src/env';
import { adminRequest, apiRequest, chat, chatWithEnv, createAccountWithKey, hello, readSse } from '../helpers';
import { accountObject, billingLog, drainOutbox } from './helpers';
import { expectMoneyInvariants, ledgerCharges } from './invariants';

// 1M prompt tokens of deepseek-chat: $0.14 at list price, $0.1477 with the 5.5% fee.
const MILLION_PROMPT = { usage: { prompt_tokens: 1_000_000, completion_tokens: 0 } };

async function fundedWith(dollars: string) {
  const account = await createAccountWithKey(0);
  await adminRequest('POST', `/accounts/${account.accountId}/credits`, { amount: dollars, reason: 'test' });
  return account;
}

describe('a whole answer is charged before its response', () => {
  it('has its charge in the ledger when the response is handed over, with no background work left to run', async () => {
    const account = await createAccountWithKey(1);
    const requestId = `req_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`;
    const answer = { id: 'c1', object: 'chat.completion', created: 1, model: 'deepseek-v4-flash', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1_000_000, completion_tokens: 0, total_tokens: 1_000_000 } };
    // The worker dies right after the response: whatever was left to waitUntil never runs.
    const result = await serveChat({
      env,
      config: parseConfig(env),
      auth: { accountId: account.accountId, keyId: account.keyId, keyName: 'test', keyPrefix: displayParts(account.key).prefix },
      requestId,
      body: { ok: true, request: { model: 'deepseek-chat', messages: hello } as never },
      signal: new AbortController().signal,
      waitUntil: () => {},
      now: Date.now,
      fetch: async () => Response.json(answer),
    });
    expect(result.kind === 'json' && result.headers).toMatchObject({ 'X-FindToken-Cost': '0.1477', 'X-FindToken-Balance': '0.8523' });
    expect(await ledgerCharges(account.accountId)).toEqual([{ request_id: requestId, amount: -14_770_000, balance_after: 85_230_000 }]);
    await expectMoneyInvariants(account.accountId, [requestId]);
  });

  it("shows each overlapping call the balance right after its own charge, as the ledger recorded it", async () => {
    const { key, accountId } = await createAccountWithKey(1);
    const body = { model: 'deepseek-chat', messages: hello, standin: { ...MILLION_PROMPT, delay_ms: 150 } };
    const responses = await Promise.all([chat(key, body), chat(key, body)]);
    const shown = responses.map((response) => ({ requestId: response.headers.get('X-Request-Id')!, balance: response.headers.get('X-FindToken-Balance') }));
    expect(shown.map((s) => s.balance).sort()).toEqual(['0.7046', '0.8523']);
    const ledger = await ledgerCharges(accountId);
    for (const { requestId, balance } of shown) {
      expect(ledger.find((row) => row.request_id === requestId)?.balance_after).toBe(Math.round(Number(balance) * 1e8));
    }
    await expectMoneyInvariants(accountId, shown.map((s) => s.requestId));
  });
});

describe('a charge above its hold', () => {
  it("takes only the free balance, never another request's hold; the rest is recorded as uncollected", async () => {
    const { key, accountId } = await fundedWith('0.05');
    // A: a slow kimi-k2 stream holding its worst case (8000 output tokens ≈ $0.034), costing little.
    const slow = await chat(key, { model: 'kimi-k2', messages: hello, max_tokens: 8000, stream: true, stream_options: { include_usage: true }, standin: { chunks: 3, chunk_delay_ms: 150, usage: { prompt_tokens: 10, completion_tokens: 10 } } });
    const reader = slow.body!.getReader();
    await reader.read();
    const heldByA = (await accountObject(accountId).summary(Date.now())).reserved;
    expect(heldByA).toBeGreaterThan(3_000_000);

    // B: a call whose real cost ($0.1477) is far above its hold and above the whole balance.
    const overrun = await chat(key, { model: 'deepseek-chat', messages: hello, max_tokens: 10, standin: MILLION_PROMPT });
    expect(overrun.status).toBe(200);
    const takenFromB = 5_000_000 - heldByA;
    expect(overrun.headers.get('X-FindToken-Cost')).toBe(formatUsd(takenFromB));

    let rest = '';
    for (let read = await reader.read(); !read.done; read = await reader.read()) rest += new TextDecoder().decode(read.value);
    // 10 prompt tokens at $0.95/M and 10 output tokens at $4/M, plus 5.5%: $0.0000522225 → shown $0.000052.
    expect(rest).toContain('"cost":0.000052');
    await drainOutbox(accountId);
    expect(await billingLog(key, overrun.headers.get('X-Request-Id')!)).toMatchObject({ cost: usdNumber(takenFromB), uncollected: usdNumber(14_770_000 - takenFromB) });
    expect(await billingLog(key, slow.headers.get('X-Request-Id')!)).toMatchObject({ cost: 0.000052, uncollected: 0 });
    await expectMoneyInvariants(accountId, [overrun.headers.get('X-Request-Id')!, slow.headers.get('X-Request-Id')!]);
  });
});

describe('nothing generated costs nothing', () => {
  it('charges nothing for a stream that keep-alives committed and that failed before any token', async () => {
    const { key, accountId } = await createAccountWithKey(1);
    // Committed after 50 ms of silence (keep-alives follow); the provider never sends content and times out at 300 ms.
    const body = { model: 'deepseek-chat', messages: hello, stream: true, standin: { scenario: 'stall', stall_after: 0 } };
    const response = await chatWithEnv(key, body, { STREAM_KEEPALIVE_MS: '50', STREAM_IDLE_TIMEOUT_MS: '300' });
    expect(response.status).toBe(200);
    const { comments, data } = await readSse(response);
    expect(comments.length).toBeGreaterThan(0);
    expect(JSON.parse(data.at(-1)!)).toMatchObject({ error: { code: 'upstream_timeout' } });
    await drainOutbox(accountId);
    expect(await billingLog(key, response.headers.get('X-Request-Id')!)).toMatchObject({ cost: 0, status: 'failed', prompt_tokens: 0, completion_tokens: 0 });
    expect((await accountObject(accountId).summary(Date.now())).balance).toBe(100_000_000);
    await expectMoneyInvariants(accountId);
  });
});

describe('a failure inside a request', () => {
  it('releases the hold before the error is answered (a stored provider key that cannot be opened)', async () => {
    const { key, accountId } = await createAccountWithKey(1);
    const registered = await apiRequest(key, 'POST', '/v1/user/byok/register', { provider: 'deepseek', api_key: 'sk-user-sealed-000001' });
    expect(registered.status).toBe(201);
    // Another master key: the stored ciphertext no longer opens.
    const response = await chatWithEnv(key, { model: 'deepseek-chat', messages: hello }, { BYOK_ENCRYPTION_KEY: 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=' });
    expect(response.status).toBe(503);
    expect((await response.json<{ error: { code: string } }>()).error.code).toBe('byok_unavailable');
    expect(await accountObject(accountId).summary(Date.now())).toMatchObject({ reserved: 0, openReservations: 0, balance: 100_000_000 });
    await expectMoneyInvariants(accountId);
  });
});
