/** Scoped keys through the worker: scopes, model allowlists, spend limits, expiry, parents and cascading revocation. */
import { describe, expect, it, vi } from 'vitest';
import { apiRequest, chat, createAccountWithKey, hello, upstreamRequests } from '../helpers';
import { uniqueTag } from '../chat/provider-models';

interface CreatedKey {
  id: string;
  key: string;
  scopes: string[];
  limit: { amount: number; period: string } | null;
  models: string[] | null;
  expires_at: number | null;
  parent: string | null;
}

async function makeKey(key: string, body: Record<string, unknown>): Promise<CreatedKey> {
  const response = await apiRequest(key, 'POST', '/v1/user/keys', { name: 'scoped', ...body });
  expect(response.status).toBe(201);
  return response.json<CreatedKey>();
}

const errorOf = (status: number, type: string, code: string, param: string | null = null) => ({ status, body: { error: { message: expect.any(String), type, param, code } } });
const answer = async (response: Response) => ({ status: response.status, body: await response.json() });

describe('scopes', () => {
  it('an inference key chats and reads, but cannot make keys, add provider keys or recharge', async () => {
    const { key } = await createAccountWithKey();
    const inference = await makeKey(key, { scopes: ['inference'] });
    expect((await chat(inference.key, { model: 'deepseek-chat', messages: hello })).status).toBe(200);
    expect((await apiRequest(inference.key, 'GET', '/v1/models')).status).toBe(200);
    expect((await apiRequest(inference.key, 'GET', '/v1/user/balance')).status).toBe(200);
    expect((await apiRequest(inference.key, 'GET', '/v1/user/recharges')).status).toBe(200);
    expect(await answer(await apiRequest(inference.key, 'POST', '/v1/user/keys', { name: 'minted' }))).toEqual(errorOf(403, 'permission_error', 'insufficient_scope'));
    expect(await answer(await apiRequest(inference.key, 'GET', '/v1/user/keys'))).toEqual(errorOf(403, 'permission_error', 'insufficient_scope'));
    expect(await answer(await apiRequest(inference.key, 'POST', '/v1/user/byok/register', { provider: 'deepseek', api_key: 'sk-x' }))).toEqual(errorOf(403, 'permission_error', 'insufficient_scope'));
    expect(await answer(await apiRequest(inference.key, 'POST', '/v1/user/credits', { amount: 10 }))).toEqual(errorOf(403, 'permission_error', 'insufficient_scope'));
  });

  it('a manage key manages keys but cannot chat', async () => {
    const { key } = await createAccountWithKey();
    const manage = await makeKey(key, { scopes: ['manage'] });
    expect((await apiRequest(manage.key, 'GET', '/v1/user/keys')).status).toBe(200);
    const refused = await chat(manage.key, { model: 'deepseek-chat', messages: hello });
    expect(await refused.json()).toEqual({
      error: { message: "This API key lacks the 'inference' scope this endpoint needs. Use a key with it, or make one in the dashboard.", type: 'permission_error', param: null, code: 'insufficient_scope' },
    });
    expect(refused.status).toBe(403);
  });

  it('refuses an unknown scope, naming the field', async () => {
    const { key } = await createAccountWithKey();
    expect(await answer(await apiRequest(key, 'POST', '/v1/user/keys', { name: 'x', scopes: ['admin'] }))).toEqual(errorOf(400, 'invalid_request_error', 'invalid_value', 'scopes[0]'));
  });
});

describe('model allowlists', () => {
  it('refuses a model outside the list with 403 model_not_allowed', async () => {
    const { key } = await createAccountWithKey();
    const glm = await makeKey(key, { models: ['glm-4-plus'] });
    const response = await chat(glm.key, { model: 'deepseek-chat', messages: hello });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: { message: "This API key may not use the model 'deepseek-chat'; it may use only: glm-4-plus.", type: 'permission_error', param: 'model', code: 'model_not_allowed' },
    });
  });

  it('fails over only within the list', async () => {
    const { key } = await createAccountWithKey();
    const listed = await makeKey(key, { models: ['deepseek-chat', 'glm-4-plus'] });
    const tag = uniqueTag();
    // fallback's order for deepseek-chat is qwen-max next; the list leaves glm-4-plus.
    const response = await chat(listed.key, { model: 'deepseek-chat', messages: hello, routing: 'fallback', standin: { tag, providers: { deepseek: { scenario: 'error', error: 'server' } } } });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Model')).toBe('glm-4-plus');
    expect((await upstreamRequests(tag)).map((request) => request.provider)).toEqual(['deepseek', 'deepseek', 'deepseek', 'deepseek', 'zhipu']);
  });

  it('refuses a model the catalog does not have', async () => {
    const { key } = await createAccountWithKey();
    expect(await answer(await apiRequest(key, 'POST', '/v1/user/keys', { name: 'x', models: ['gpt-5'] }))).toEqual(errorOf(400, 'invalid_request_error', 'invalid_value', 'models[0]'));
  });
});

describe('spend limits', () => {
  // deepseek-chat: $0.14 per 1M input tokens; 1M prompt tokens cost $0.1477 with the 5.5% fee.
  const usage = { prompt_tokens: 1_000_000, completion_tokens: 0 };

  it('shows what a key spent, and refuses it past its limit with 403 key_limit_exceeded', async () => {
    const { key } = await createAccountWithKey();
    const capped = await makeKey(key, { limit: { amount: 0.1, period: 'day' } });
    expect(capped.limit).toEqual({ amount: 0.1, period: 'day' });
    expect((await chat(capped.key, { model: 'deepseek-chat', messages: hello, max_tokens: 10, standin: { usage } })).status).toBe(200);
    const listed = await (await apiRequest(key, 'GET', '/v1/user/keys')).json<{ data: Array<{ id: string; spent: number | null }> }>();
    expect(listed.data.find((k) => k.id === capped.id)?.spent).toBe(0.1477);
    // Its usage came back larger than its hold: the key is past its limit, and the next request is refused.
    const refused = await chat(capped.key, { model: 'deepseek-chat', messages: hello, max_tokens: 10 });
    expect(await refused.json()).toEqual({
      error: {
        message: expect.stringMatching(/^This API key's daily spend limit of \$0\.1 does not cover this request: \$0\.1477 spent\. It resets at \d{4}-\d{2}-\d{2}T00:00:00\.000Z\.$/),
        type: 'permission_error',
        param: null,
        code: 'key_limit_exceeded',
      },
    });
    expect(refused.status).toBe(403);
  });

  it('lets concurrent requests spend no more than the limit: each holds its worst case against it', async () => {
    const { key } = await createAccountWithKey();
    // Each request costs its whole hold (all of max_tokens comes back), so a limit of 2.5 requests admits at most 2, however they interleave.
    const body = { model: 'deepseek-chat', messages: hello, max_tokens: 2000, standin: { usage: { prompt_tokens: 1, completion_tokens: 2000 } } };
    const cost = Number((await chat(key, body)).headers.get('X-FindToken-Cost'));
    const capped = await makeKey(key, { limit: { amount: (cost * 2.5).toFixed(8), period: 'total' } });
    const statuses = (await Promise.all(Array.from({ length: 6 }, () => chat(capped.key, body)))).map((response) => response.status);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(2);
    expect(statuses.filter((status) => status !== 200)).toEqual(Array.from({ length: statuses.filter((status) => status !== 200).length }, () => 403));
    const listed = await (await apiRequest(key, 'GET', '/v1/user/keys')).json<{ data: Array<{ id: string; spent: number }> }>();
    expect(listed.data.find((k) => k.id === capped.id)!.spent).toBeLessThanOrEqual(cost * 2.5);
  });

  it('refuses a limit that is not a positive dollar amount', async () => {
    const { key } = await createAccountWithKey();
    expect(await answer(await apiRequest(key, 'POST', '/v1/user/keys', { name: 'x', limit: { amount: -1, period: 'day' } }))).toEqual(errorOf(400, 'invalid_request_error', 'invalid_value', 'limit.amount'));
    expect(await answer(await apiRequest(key, 'POST', '/v1/user/keys', { name: 'x', limit: { amount: 5, period: 'week' } }))).toEqual(errorOf(400, 'invalid_request_error', 'invalid_value', 'limit.period'));
  });
});

describe('expiry', () => {
  it('takes Unix seconds or ISO 8601, shows it in ms, and refuses a time already past', async () => {
    const { key } = await createAccountWithKey();
    const seconds = Math.floor(Date.now() / 1000) + 3600;
    expect((await makeKey(key, { expires_at: seconds })).expires_at).toBe(seconds * 1000);
    expect((await makeKey(key, { expires_at: '2099-01-31T00:00:00Z' })).expires_at).toBe(Date.UTC(2099, 0, 31));
    expect(await answer(await apiRequest(key, 'POST', '/v1/user/keys', { name: 'x', expires_at: 1_000_000 }))).toEqual(errorOf(400, 'invalid_request_error', 'invalid_value', 'expires_at'));
    expect(await answer(await apiRequest(key, 'POST', '/v1/user/keys', { name: 'x', expires_at: 'tomorrow' }))).toEqual(errorOf(400, 'invalid_request_error', 'invalid_value', 'expires_at'));
  });

  it('answers 401 key_expired once the key has expired, on chat and on every other route', async () => {
    const { key } = await createAccountWithKey();
    const expiresAt = Date.now() + 3_600_000;
    const brief = await makeKey(key, { expires_at: new Date(expiresAt).toISOString() });
    expect((await apiRequest(brief.key, 'GET', '/v1/models')).status).toBe(200);
    // The worker and the object share this isolate's clock: move it past the expiry instead of waiting.
    vi.useFakeTimers({ toFake: ['Date'], now: expiresAt });
    try {
      expect(await answer(await apiRequest(brief.key, 'GET', '/v1/models'))).toEqual(errorOf(401, 'authentication_error', 'key_expired'));
      expect(await answer(await chat(brief.key, { model: 'deepseek-chat', messages: hello }))).toEqual(errorOf(401, 'authentication_error', 'key_expired'));
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('parents and children', () => {
  it('revoking a key revokes the keys minted with it (a leaked key cannot outlive its revocation)', async () => {
    const { key, keyId } = await createAccountWithKey();
    const leaked = await makeKey(key, {});
    const minted = await makeKey(leaked.key, {});
    const grandchild = await makeKey(minted.key, {});
    expect(minted.parent).toBe(leaked.id);
    expect((await apiRequest(key, 'DELETE', `/v1/user/keys/${leaked.id}`)).status).toBe(200);
    for (const revoked of [leaked, minted, grandchild]) {
      expect(await answer(await apiRequest(revoked.key, 'GET', '/v1/models'))).toEqual(errorOf(401, 'authentication_error', 'invalid_api_key'));
    }
    const listed = await (await apiRequest(key, 'GET', '/v1/user/keys')).json<{ data: Array<{ id: string; status: string }> }>();
    expect(Object.fromEntries(listed.data.map((k) => [k.id, k.status]))).toEqual({ [keyId]: 'active', [leaked.id]: 'revoked', [minted.id]: 'revoked', [grandchild.id]: 'revoked' });
  });

  it('gives a child its parent rules, and refuses one wider than its parent', async () => {
    const { key } = await createAccountWithKey();
    const parent = await makeKey(key, { models: ['deepseek-chat'], limit: { amount: 2, period: 'month' } });
    const child = await makeKey(parent.key, { name: 'child' });
    expect(child).toMatchObject({ scopes: ['inference', 'manage'], models: ['deepseek-chat'], limit: { amount: 2, period: 'month' }, parent: parent.id });
    expect(await answer(await apiRequest(parent.key, 'POST', '/v1/user/keys', { name: 'wide', models: ['qwen-max'] }))).toEqual(errorOf(400, 'invalid_request_error', 'invalid_value', 'models'));
    expect(await answer(await apiRequest(parent.key, 'POST', '/v1/user/keys', { name: 'wide', limit: { amount: 3, period: 'month' } }))).toEqual(errorOf(400, 'invalid_request_error', 'invalid_value', 'limit'));
  });
});
