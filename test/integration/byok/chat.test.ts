/** Chat with the user's own provider keys: whose key is used, how it is billed, and where it never goes. */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { adminRequest, apiRequest, chat, chatWithEnv, createAccountWithKey, hello, upstreamRequests } from '../helpers';
import { uniqueTag } from '../chat/provider-models';
import { accountObject, balanceOf, billingLog, drainOutbox } from '../billing/helpers';
import { setObjectVars } from '../account/object-vars';

const register = async (key: string, provider: string, apiKey: string) => {
  const response = await apiRequest(key, 'POST', '/v1/user/byok/register', { provider, api_key: apiKey });
  expect(response.status).toBe(201);
  return response.json<{ id: string }>();
};
const authorizationsOf = async (tag: string) => (await upstreamRequests(tag)).map((r) => [r.provider, r.headers.authorization]);
// 1M prompt tokens of deepseek-chat: $0.14 at list price.
const MILLION_PROMPT = { usage: { prompt_tokens: 1_000_000, completion_tokens: 0 } };

describe('whose key calls the provider', () => {
  it("uses a registered key as the provider's Authorization, bills BYOK, and never sends the platform key", async () => {
    const { key, accountId } = await createAccountWithKey();
    await register(key, 'deepseek', 'sk-user-registered-0001');
    const tag = uniqueTag();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, standin: { tag, ...MILLION_PROMPT } });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Mode')).toBe('byok');
    expect(response.headers.get('X-FindToken-Cost')).toBe('0');
    expect(response.headers.get('X-FindToken-Balance')).toBeNull();
    expect(await authorizationsOf(tag)).toEqual([['deepseek', 'Bearer sk-user-registered-0001']]);
    await drainOutbox(accountId);
    expect(await billingLog(key, response.headers.get('X-Request-Id')!)).toMatchObject({ mode: 'byok', cost: 0, provider_cost: 0.14, provider: 'deepseek' });
    expect(await balanceOf(key)).toMatchObject({ balance: 10, byok: { requests: 1 } });
    const listed = await (await apiRequest(key, 'GET', '/v1/user/byok/keys')).json<{ data: Array<{ last_used_at: number | null }> }>();
    expect(listed.data[0]?.last_used_at).toEqual(expect.any(Number));
  });

  it('fails a BYOK request over only to providers the user has keys for', async () => {
    const { key } = await createAccountWithKey();
    await register(key, 'deepseek', 'sk-user-deepseek-0001');
    await register(key, 'kimi', 'sk-user-kimi-000001');
    const tag = uniqueTag();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, standin: { tag, providers: { deepseek: { scenario: 'error', error: 'server' } } } });
    expect(response.headers.get('X-FindToken-Provider')).toBe('kimi');
    const seen = await authorizationsOf(tag);
    expect(seen.at(-1)).toEqual(['kimi', 'Bearer sk-user-kimi-000001']);
    expect(seen.map(([provider]) => provider)).toEqual(['deepseek', 'deepseek', 'deepseek', 'deepseek', 'kimi']);
  });

  it('uses the newest key that works, and records the error on one its provider rejects', async () => {
    const { key } = await createAccountWithKey();
    await register(key, 'minimax', 'older-minimax-key-0001');
    const newer = await register(key, 'minimax', 'bad-key-newer-minimax-0002');
    const tag = uniqueTag();
    const refused = await chat(key, { model: 'minimax-m2.5', messages: hello, standin: { tag } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: { message: 'Your minimax key did not work: minimax rejected it.', type: 'invalid_request_error', param: 'provider_key', code: 'invalid_provider_key' },
    });
    // Not retried, not failed over, and never on the platform's key.
    expect(await authorizationsOf(tag)).toEqual([['minimax', 'Bearer bad-key-newer-minimax-0002']]);
    const listed = await (await apiRequest(key, 'GET', '/v1/user/byok/keys')).json<{ data: Array<{ id: string; last_error: string | null }> }>();
    expect(listed.data.find((k) => k.id === newer.id)?.last_error).toMatch(/^rejected \(HTTP \d+\)$/);
    const next = uniqueTag();
    expect((await chat(key, { model: 'minimax-m2.5', messages: hello, standin: { tag: next } })).status).toBe(200);
    expect(await authorizationsOf(next)).toEqual([['minimax', 'Bearer older-minimax-key-0001']]);
  });

  it('sees a key removed in the very next request', async () => {
    const { key } = await createAccountWithKey();
    const stored = await register(key, 'deepseek', 'sk-user-removed-00001');
    expect((await chat(key, { model: 'deepseek-chat', messages: hello })).headers.get('X-FindToken-Mode')).toBe('byok');
    await apiRequest(key, 'DELETE', `/v1/user/byok/keys/${stored.id}`);
    const tag = uniqueTag();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, standin: { tag } });
    expect(response.headers.get('X-FindToken-Mode')).toBe('standard');
    expect(await authorizationsOf(tag)).toEqual([['deepseek', 'Bearer platform-key-deepseek']]);
  });
});

describe('an inline provider key', () => {
  it('is used for that request only, on its provider only, and appears nowhere afterwards', async () => {
    const { key, accountId } = await createAccountWithKey();
    const inline = 'sk-inline-never-stored-7777';
    const seenInLogs: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        seenInLogs.push(args.map(String).join(' '));
      }),
    );
    const tag = uniqueTag();
    let served: Response;
    let refused: Response;
    try {
      served = await chat(key, { model: 'qwen-max', messages: hello, provider_key: { provider: 'deepseek', api_key: inline }, standin: { tag } });
      refused = await chat(key, { model: 'deepseek-chat', messages: hello, provider_key: { provider: 'stepfun', api_key: 'bad-key-inline-8888' } });
      await chat(key, { model: 'deepseek-chat', messages: hello, provider_key: { provider: 'deepseek', api_key: 'bad-key-inline-9999' } });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(served.status).toBe(200);
    expect(served.headers.get('X-FindToken-Mode')).toBe('byok');
    expect(served.headers.get('X-FindToken-Model')).toBe('deepseek-chat');
    expect(await authorizationsOf(tag)).toEqual([['deepseek', `Bearer ${inline}`]]);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: {
        message: 'provider_key is for stepfun, which serves neither deepseek-chat nor its equivalents (deepseek-chat, qwen-max, glm-4-plus, kimi-k2, minimax-m2.5).',
        type: 'invalid_request_error',
        param: 'provider_key.provider',
        code: 'invalid_value',
      },
    });

    await drainOutbox(accountId);
    const everywhere: string[] = [...seenInLogs];
    const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf%' AND name NOT LIKE 'sqlite%'").all<{ name: string }>();
    for (const { name } of tables.results) everywhere.push(JSON.stringify((await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results));
    everywhere.push(await (await apiRequest(key, 'GET', '/v1/user/billing-logs')).text());
    await runInDurableObject(accountObject(accountId), (_instance, state) => {
      for (const { name } of state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf%'").toArray()) {
        everywhere.push(JSON.stringify(state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray()));
      }
    });
    // The scan reads real data: the account's own id is in it.
    expect(everywhere.some((text) => text.includes(accountId))).toBe(true);
    for (const secret of [inline, 'bad-key-inline-8888', 'bad-key-inline-9999']) {
      expect(everywhere.filter((text) => text.includes(secret))).toEqual([]);
    }
  });

  it('names the allowed providers for an unknown one', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, provider_key: { provider: 'openai', api_key: 'sk-some-openai-key-1' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { message: 'provider_key.provider must be one of deepseek, zhipu, minimax, qwen, kimi, stepfun.', param: 'provider_key.provider' } });
  });
});

describe('BYOK billing', () => {
  it('serves the free requests on an empty balance, refuses the next with 402, then charges the 5% fee once funded', async () => {
    const { key, accountId } = await createAccountWithKey(0);
    await register(key, 'deepseek', 'sk-user-free-tier-0001');
    const three = { BYOK_FREE_REQUESTS_PER_MONTH: '3' };
    // The account object applies the free tier from its own vars; the worker's set the fee it computes.
    await setObjectVars(accountObject(accountId), three);
    const body = { model: 'deepseek-chat', messages: hello, max_tokens: 100, standin: MILLION_PROMPT };
    for (let i = 1; i <= 3; i++) {
      const free = await chatWithEnv(key, body, three);
      expect(free.status).toBe(200);
      expect(free.headers.get('X-FindToken-Cost')).toBe('0');
    }
    const fourth = await chatWithEnv(key, body, three);
    expect(fourth.status).toBe(402);
    expect((await fourth.json<{ error: { code: string } }>()).error.code).toBe('insufficient_credits');

    await adminRequest('POST', `/accounts/${accountId}/credits`, { amount: 1, reason: 'top-up' });
    const charged = await chatWithEnv(key, body, three);
    expect(charged.status).toBe(200);
    // 5% of $0.14.
    expect(charged.headers.get('X-FindToken-Cost')).toBe('0.007');
    await drainOutbox(accountId);
    expect(await billingLog(key, charged.headers.get('X-Request-Id')!)).toMatchObject({ mode: 'byok', cost: 0.007, provider_cost: 0.14 });
    expect(await balanceOf(key)).toMatchObject({ balance: 0.993, reserved: 0, byok: { requests: 4 } });
  });

  it('bills standard and BYOK requests of one account each in its own mode', async () => {
    const { key, accountId } = await createAccountWithKey(10);
    await register(key, 'deepseek', 'sk-user-mixed-mode-0001');
    const byokTag = uniqueTag();
    const standardTag = uniqueTag();
    const byok = await chat(key, { model: 'deepseek-chat', messages: hello, standin: { tag: byokTag, ...MILLION_PROMPT } });
    // qwen-max is not a provider the user brought: standard, and never routed to the user's deepseek key.
    const standard = await chat(key, { model: 'qwen-max', messages: hello, standin: { tag: standardTag, ...MILLION_PROMPT } });
    expect([byok.headers.get('X-FindToken-Mode'), standard.headers.get('X-FindToken-Mode')]).toEqual(['byok', 'standard']);
    expect(await authorizationsOf(standardTag)).toEqual([['qwen', 'Bearer platform-key-qwen']]);
    // qwen-max: $1.60 × 1.055.
    expect(standard.headers.get('X-FindToken-Cost')).toBe('1.688');
    await drainOutbox(accountId);
    expect(await billingLog(key, byok.headers.get('X-Request-Id')!)).toMatchObject({ mode: 'byok', cost: 0 });
    expect(await billingLog(key, standard.headers.get('X-Request-Id')!)).toMatchObject({ mode: 'standard', cost: 1.688 });
    expect(await balanceOf(key)).toMatchObject({ balance: 8.312, byok: { requests: 1 } });
  });
});
