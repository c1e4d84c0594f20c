/** CORS on /v1/*: preflights from any origin without a key, and every answer (errors too) readable by the page that asked. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CORS_EXPOSED_HEADERS } from '../../../src/middleware/api-cors';
import { adminRequest, BASE, createAccountWithKey, hello } from '../helpers';

const ORIGIN = 'https://some-app.example';

/** The header names an SDK puts on one call, read through its `fetch` option (the call itself is answered here). */
async function headersSentBy(call: (fetch: typeof globalThis.fetch) => Promise<unknown>, answer: unknown): Promise<string[]> {
  let sent: Headers | undefined;
  await call(async (_url, init) => {
    sent = new Headers(init?.headers);
    return Response.json(answer);
  });
  return [...sent!.keys()];
}

/** What a browser would list in Access-Control-Request-Headers: the names that are not CORS-safelisted or set by the browser. */
const requestedByBrowser = (names: string[]) => names.filter((name) => !['accept', 'user-agent', 'content-length'].includes(name));

function preflight(path: string, method: string, headers: string[]): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, {
    method: 'OPTIONS',
    headers: { Origin: ORIGIN, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': headers.join(',') },
  });
}

const allowedHeaders = (response: Response) => new Set((response.headers.get('Access-Control-Allow-Headers') ?? '').toLowerCase().split(','));

describe('CORS on the API', () => {
  it("answers a preflight with the OpenAI SDK's headers from any origin, without a key", async () => {
    const names = await headersSentBy(
      (fetch) => new OpenAI({ apiKey: 'sk-ft_x', baseURL: `${BASE}/v1`, fetch, dangerouslyAllowBrowser: true }).chat.completions.create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }] }),
      { id: 'c', object: 'chat.completion', created: 0, model: 'deepseek-chat', choices: [] },
    );
    expect(names).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-stainless-lang', 'x-stainless-retry-count']));
    const response = await preflight('/v1/chat/completions', 'POST', requestedByBrowser(names));
    expect(response.status).toBe(204);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(response.headers.get('Access-Control-Allow-Methods')).toBe('GET,POST,DELETE,OPTIONS');
    expect(response.headers.get('Access-Control-Max-Age')).toBe('86400');
    const allowed = allowedHeaders(response);
    for (const name of requestedByBrowser(names)) expect(allowed.has(name), name).toBe(true);
  });

  it("answers a preflight with the Anthropic SDK's headers from any origin, without a key", async () => {
    const names = await headersSentBy(
      (fetch) =>
        new Anthropic({ apiKey: 'sk-ft_x', baseURL: BASE, fetch, dangerouslyAllowBrowser: true }).messages.create({
          model: 'deepseek-chat',
          max_tokens: 16,
          messages: [{ role: 'user', content: 'Hi' }],
        }),
      { id: 'msg', type: 'message', role: 'assistant', model: 'deepseek-chat', content: [], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } },
    );
    expect(names).toEqual(expect.arrayContaining(['authorization', 'anthropic-version', 'anthropic-dangerous-direct-browser-access', 'x-stainless-lang']));
    const response = await preflight('/v1/messages', 'POST', requestedByBrowser(names));
    expect(response.status).toBe(204);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    const allowed = allowedHeaders(response);
    for (const name of requestedByBrowser(names)) expect(allowed.has(name), name).toBe(true);
  });

  it("allows find-token's own request headers, x-api-key and the SDKs' optional ones", async () => {
    const response = await preflight('/v1/user/keys', 'DELETE', ['x-findtoken-mode', 'idempotency-key', 'x-api-key', 'anthropic-beta', 'openai-organization', 'openai-project', 'openai-beta']);
    expect(response.status).toBe(204);
    const allowed = allowedHeaders(response);
    for (const name of ['x-findtoken-mode', 'idempotency-key', 'x-api-key', 'anthropic-beta', 'openai-organization', 'openai-project', 'openai-beta']) expect(allowed.has(name), name).toBe(true);
  });

  it('never allows credentials', async () => {
    const response = await preflight('/v1/models', 'GET', ['authorization']);
    expect(response.headers.get('Access-Control-Allow-Credentials')).toBeNull();
    const { key } = await createAccountWithKey(0);
    const answer = await SELF.fetch(`${BASE}/v1/models`, { headers: { Origin: ORIGIN, Authorization: `Bearer ${key}` } });
    expect(answer.headers.get('Access-Control-Allow-Credentials')).toBeNull();
  });

  it("exposes find-token's response headers on an answer", async () => {
    const { key } = await createAccountWithKey(10);
    const response = await SELF.fetch(`${BASE}/v1/chat/completions`, {
      method: 'POST',
      headers: { Origin: ORIGIN, Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'deepseek-chat', messages: hello, max_tokens: 16 }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(response.headers.get('Access-Control-Expose-Headers')).toBe(CORS_EXPOSED_HEADERS.join(','));
    for (const name of ['X-Request-Id', 'Retry-After', 'X-FindToken-Cost', 'X-FindToken-Balance', 'X-FindToken-Charge', 'X-FindToken-Max-Tokens', 'X-FindToken-Attempts']) {
      expect(CORS_EXPOSED_HEADERS, name).toContain(name);
    }
    expect(response.headers.get('X-FindToken-Cost')).not.toBeNull();
  });

  /** A request from a page on another origin, with the key. */
  const fromPage = (key: string | undefined, path: string, init: { method?: string; body?: unknown } = {}) =>
    SELF.fetch(`${BASE}${path}`, {
      method: init.method ?? 'GET',
      headers: { Origin: ORIGIN, 'Content-Type': 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });

  it('carries Access-Control-Allow-Origin on a 401', async () => {
    const response = await fromPage(undefined, '/v1/models');
    expect(response.status).toBe(401);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(response.headers.get('Access-Control-Expose-Headers')).toBe(CORS_EXPOSED_HEADERS.join(','));
  });

  it('carries Access-Control-Allow-Origin on a 429, whose Retry-After it exposes', async () => {
    const { key, accountId } = await createAccountWithKey(0);
    expect((await adminRequest('PATCH', `/accounts/${accountId}`, { rate_limit_per_minute: 1 })).status).toBe(200);
    let response = await fromPage(key, '/v1/models');
    // Two requests may straddle a minute boundary: the third is then over the limit.
    if (response.status === 200) response = await fromPage(key, '/v1/models');
    if (response.status === 200) response = await fromPage(key, '/v1/models');
    expect(response.status).toBe(429);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(response.headers.get('Retry-After')).not.toBeNull();
  });

  it('carries Access-Control-Allow-Origin on a 503 from a provider that is down', async () => {
    const { key } = await createAccountWithKey(10);
    const standin = { tag: `cors-${crypto.randomUUID()}`, providers: { deepseek: { scenario: 'error', error: 'server' } } };
    const response = await fromPage(key, '/v1/chat/completions', { method: 'POST', body: { model: 'deepseek-chat', messages: hello, routing: 'none', standin } });
    expect(response.status).toBe(503);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
  });

  it('carries Access-Control-Allow-Origin on the public status', async () => {
    const response = await fromPage(undefined, '/v1/status');
    expect(response.status).toBe(200);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
  });

  it('stays off the admin API, the webhooks and the web pages', async () => {
    for (const path of ['/admin/v1/providers', '/webhooks/stripe', '/', '/docs']) {
      const response = await SELF.fetch(`${BASE}${path}`, { headers: { Origin: ORIGIN } });
      expect(response.headers.get('Access-Control-Allow-Origin'), path).toBeNull();
    }
  });
});
