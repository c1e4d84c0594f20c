import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { apiRequest, BASE, createAccountWithKey, fetchWithEnv } from '../helpers';

const invalidKeyBody = (message: string) => ({
  error: { message, type: 'authentication_error', param: null, code: 'invalid_api_key' },
});

async function getModels(headers: Record<string, string>): Promise<Response> {
  return SELF.fetch(`${BASE}/v1/models`, { headers });
}

describe('API key authentication on /v1', () => {
  it('rejects a request without an Authorization header', async () => {
    const response = await getModels({});
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(invalidKeyBody('Missing API key. Send it as "Authorization: Bearer sk-ft_…" (or "x-api-key: sk-ft_…").'));
  });

  it('takes the key from x-api-key when there is no Authorization header (the Anthropic SDKs send it so)', async () => {
    const { key } = await createAccountWithKey();
    expect((await getModels({ 'x-api-key': key })).status).toBe(200);
  });

  it('reads Authorization, not x-api-key, when both are sent', async () => {
    const { key } = await createAccountWithKey();
    const response = await getModels({ Authorization: `Bearer sk-ft_${'0'.repeat(64)}`, 'x-api-key': key });
    expect([response.status, await response.json()]).toEqual([401, invalidKeyBody('Incorrect API key provided.')]);
  });

  it('rejects a scheme other than Bearer', async () => {
    const { key } = await createAccountWithKey();
    const response = await getModels({ Authorization: `Basic ${key}` });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(
      invalidKeyBody('The Authorization header must use the Bearer scheme: "Authorization: Bearer sk-ft_…".'),
    );
  });

  it.each([
    ['too short', 'sk-ft_abc'],
    ['uppercase hex', `sk-ft_${'A'.repeat(64)}`],
    ['wrong prefix', `sk-xx_${'a'.repeat(64)}`],
    ['a provider key', 'sk-0123456789abcdef0123456789abcdef'],
  ])('rejects a malformed key (%s)', async (_, key) => {
    const response = await getModels({ Authorization: `Bearer ${key}` });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(
      invalidKeyBody('Malformed API key: a find-token key is "sk-ft_" followed by 64 lowercase hex characters.'),
    );
  });

  it('rejects a well-formed key that was never issued', async () => {
    const response = await getModels({ Authorization: `Bearer sk-ft_${'0'.repeat(64)}` });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(invalidKeyBody('Incorrect API key provided.'));
  });

  it('accepts an issued key and answers with a request id', async () => {
    const { key } = await createAccountWithKey();
    const response = await getModels({ Authorization: `Bearer ${key}` });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-Request-Id')).toMatch(/^req_[0-9a-f]{24}$/);
  });

  it('rejects a revoked key on the very next request', async () => {
    const { key, keyId } = await createAccountWithKey();
    expect((await apiRequest(key, 'GET', '/v1/models')).status).toBe(200);
    expect((await apiRequest(key, 'DELETE', `/v1/user/keys/${keyId}`)).status).toBe(200);
    const response = await apiRequest(key, 'GET', '/v1/models');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(invalidKeyBody('This API key has been revoked.'));
  });

  it('rejects a revoked key on the very next chat completion, before any provider is called', async () => {
    const { key, keyId } = await createAccountWithKey();
    const chatBody = { model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }] };
    expect((await apiRequest(key, 'POST', '/v1/chat/completions', chatBody)).status).toBe(200);
    expect((await apiRequest(key, 'DELETE', `/v1/user/keys/${keyId}`)).status).toBe(200);
    const response = await apiRequest(key, 'POST', '/v1/chat/completions', chatBody);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(invalidKeyBody('This API key has been revoked.'));
  });

  it('answers a revoked key 401 even when its chat request is invalid', async () => {
    const { key, keyId } = await createAccountWithKey();
    await apiRequest(key, 'DELETE', `/v1/user/keys/${keyId}`);
    const response = await apiRequest(key, 'POST', '/v1/chat/completions', { model: 'no-such-model', messages: [] });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(invalidKeyBody('This API key has been revoked.'));
  });

  it('answers a revoked key 401 even when its chat request is refused while it is planned', async () => {
    const { key, keyId } = await createAccountWithKey();
    await apiRequest(key, 'DELETE', `/v1/user/keys/${keyId}`);
    const body = { model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }], provider_key: { provider: 'openai', api_key: 'sk-0123456789' } };
    const response = await apiRequest(key, 'POST', '/v1/chat/completions', body);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(invalidKeyBody('This API key has been revoked.'));
  });

  it('answers 503 with Retry-After, not 500, when D1 cannot say which key a new token is', async () => {
    const { key } = await createAccountWithKey();
    const unreachableD1 = { prepare: () => ({ bind: () => ({ first: () => Promise.reject(new Error('D1_ERROR: network connection lost')) }) }) };
    const response = await fetchWithEnv('/v1/models', { headers: { Authorization: `Bearer ${key}` } }, { DB: unreachableD1 } as unknown as Record<string, string>);
    expect({ status: response.status, retryAfter: response.headers.get('Retry-After'), body: await response.json() }).toEqual({
      status: 503,
      retryAfter: '1',
      body: { error: { code: 'auth_unavailable', type: 'server_error', param: null, message: 'API keys cannot be checked right now. Please retry.' } },
    });
  });

  it.each([
    ['GET', '/v1/models'],
    ['GET', '/v1/models/deepseek-chat'],
    ['POST', '/v1/chat/completions'],
    ['GET', '/v1/user/keys'],
    ['POST', '/v1/user/keys'],
    ['DELETE', '/v1/user/keys/key_123'],
    ['GET', '/v1/does-not-exist'],
  ])('guards %s %s', async (method, path) => {
    const response = await SELF.fetch(`${BASE}${path}`, { method });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
  });

  it('records when a key was last used', async () => {
    const { key } = await createAccountWithKey();
    await apiRequest(key, 'GET', '/v1/models');
    const { data } = await (await apiRequest(key, 'GET', '/v1/user/keys')).json<{ data: Array<{ last_used_at: number | null }> }>();
    expect(data[0]?.last_used_at).toEqual(expect.any(Number));
  });
});
