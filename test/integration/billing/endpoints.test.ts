import { describe, expect, it } from 'vitest';
import { adminRequest, apiRequest, chat, createAccountWithKey, hello } from '../helpers';
import { drainOutbox, type PublicLog } from './helpers';

type LogPage = { object: string; data: PublicLog[]; next_cursor: string | null; has_more: boolean };

async function callThree(key: string): Promise<string[]> {
  const ids: string[] = [];
  for (const model of ['deepseek-chat', 'qwen-max', 'deepseek-chat']) {
    const response = await chat(key, { model, messages: hello });
    await response.arrayBuffer();
    ids.push(response.headers.get('X-Request-Id')!);
  }
  return ids;
}

describe('GET /v1/user/billing-logs', () => {
  it('lists the account calls newest first with cursor pagination', async () => {
    const { key, accountId } = await createAccountWithKey();
    const ids = await callThree(key);
    await drainOutbox(accountId);
    const first = await (await apiRequest(key, 'GET', '/v1/user/billing-logs?limit=2')).json<LogPage>();
    expect(first.object).toBe('list');
    expect(first.has_more).toBe(true);
    const second = await (await apiRequest(key, 'GET', `/v1/user/billing-logs?limit=2&cursor=${first.next_cursor}`)).json<LogPage>();
    expect(second).toMatchObject({ has_more: false, next_cursor: null });
    expect([...first.data, ...second.data].map((log) => log.request_id)).toEqual([...ids].reverse());
  });

  it('filters by model and by time', async () => {
    const { key, accountId } = await createAccountWithKey();
    const before = Date.now() - 1;
    await callThree(key);
    await drainOutbox(accountId);
    const qwen = await (await apiRequest(key, 'GET', '/v1/user/billing-logs?model=qwen-max')).json<LogPage>();
    expect(qwen.data.map((log) => log.model)).toEqual(['qwen-max']);
    const future = await (await apiRequest(key, 'GET', `/v1/user/billing-logs?from=${new Date(Date.now() + 60_000).toISOString()}`)).json<LogPage>();
    expect(future.data).toEqual([]);
    const window = await (await apiRequest(key, 'GET', `/v1/user/billing-logs?from=${before}&to=${Date.now() + 1}`)).json<LogPage>();
    expect(window.data).toHaveLength(3);
  });

  it("never shows another account's calls", async () => {
    const alice = await createAccountWithKey();
    const bob = await createAccountWithKey();
    const [aliceRequest] = await callThree(alice.key);
    await drainOutbox(alice.accountId);
    expect((await (await apiRequest(bob.key, 'GET', '/v1/user/billing-logs')).json<LogPage>()).data).toEqual([]);
    const response = await apiRequest(bob.key, 'GET', `/v1/user/billing-logs/${aliceRequest}`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('billing_log_not_found');
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['from=yesterday', 'from'],
    ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ['colour=red', 'colour'],
  ])('rejects %s with a 400 naming the parameter', async (query, param) => {
    const { key } = await createAccountWithKey();
    const response = await apiRequest(key, 'GET', `/v1/user/billing-logs?${query}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe(param);
  });
});

describe('rate limit through the API', () => {
  it("answers 429 rate_limit_exceeded with Retry-After past the account's limit", async () => {
    const { key, accountId } = await createAccountWithKey();
    const patched = await adminRequest('PATCH', `/accounts/${accountId}`, { rate_limit_per_minute: 2 });
    expect(await patched.json()).toMatchObject({ rate_limit_per_minute: 2, rate_limit_override: 2 });
    for (let i = 0; i < 2; i++) expect((await chat(key, { model: 'deepseek-chat', messages: hello })).status).toBe(200);
    const limited = await chat(key, { model: 'deepseek-chat', messages: hello });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await limited.json()).toEqual({
      error: {
        message: `Rate limit reached: 2 requests per minute. Retry after ${retryAfter} s.`,
        type: 'rate_limit_error',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
  });
});

describe('operator credits', () => {
  it('credits and debits through the ledger, never below zero', async () => {
    const { accountId } = await createAccountWithKey(0);
    const credit = await adminRequest('POST', `/accounts/${accountId}/credits`, { amount: 12.5, reason: 'goodwill' });
    expect(credit.status).toBe(201);
    expect(await credit.json()).toEqual({ account_id: accountId, amount: 12.5, reason: 'goodwill', balance: 12.5, ledger_id: expect.any(Number) });
    const refused = await adminRequest('POST', `/accounts/${accountId}/credits`, { amount: -13, reason: 'too much' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: { message: 'This debit would take the balance below zero (balance: 12.5).', type: 'invalid_request_error', param: 'amount', code: 'balance_would_go_negative' },
    });
    await adminRequest('POST', `/accounts/${accountId}/credits`, { amount: '-2.5', reason: 'correction' });
    expect(await (await adminRequest('GET', `/accounts/${accountId}`)).json()).toMatchObject({ balance: 10, reserved: 0, ledger_totals: { adjustment: 10 } });
  });

  it.each([[0], [1e-9], ['1.123456789'], ['ten']])('rejects the amount %j', async (amount) => {
    const { accountId } = await createAccountWithKey(0);
    const response = await adminRequest('POST', `/accounts/${accountId}/credits`, { amount, reason: 'x' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('amount');
  });

  it('refuses credits for an unknown account', async () => {
    expect((await adminRequest('POST', '/accounts/acct_nope/credits', { amount: 1, reason: 'x' })).status).toBe(404);
  });
});
