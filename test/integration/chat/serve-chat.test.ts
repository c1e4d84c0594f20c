/**
 * The chat flow without HTTP: serveChat takes what a request has (its key, its
 * parsed body, a fetch to reach providers) and returns a typed result. Providers
 * are reached through the injected fetch, so each test decides what upstream says.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { displayParts } from '../../../src/accounts/keys';
import { serveChat, type ChatCall } from '../../../src/chat/serve-chat';
import { parseConfig } from '../../../src/env';
import { invalidValue } from '../../../src/errors';
import { apiRequest, createAccountWithKey, hello } from '../helpers';

const answer = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'deepseek-v4-flash',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hi there' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1_000_000, completion_tokens: 0, total_tokens: 1_000_000 },
};

async function call(body: ChatCall['body'], fetch: typeof globalThis.fetch, key?: Awaited<ReturnType<typeof createAccountWithKey>>) {
  const account = key ?? (await createAccountWithKey(10));
  const pending: Promise<unknown>[] = [];
  const result = await serveChat({
    env,
    config: parseConfig(env),
    auth: { accountId: account.accountId, keyId: account.keyId, keyName: 'test', keyPrefix: displayParts(account.key).prefix },
    requestId: `req_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`,
    body,
    signal: new AbortController().signal,
    waitUntil: (promise) => pending.push(promise),
    now: Date.now,
    fetch,
  });
  await Promise.allSettled(pending);
  return { result, account };
}

describe('serveChat', () => {
  it('returns a JSON result with the served model, the charge and the balance after it', async () => {
    const seen: string[] = [];
    const { result } = await call({ ok: true, request: { model: 'deepseek-chat', messages: hello } as never }, async (input) => {
      seen.push(String(input));
      return Response.json(answer);
    });
    expect(seen).toEqual([`${env.STANDIN_URL}/deepseek/chat/completions`]);
    expect(result.kind).toBe('json');
    if (result.kind !== 'json') return;
    // 1M prompt tokens of deepseek-chat at $0.14/M plus 5.5%: $0.1477.
    expect(result.headers).toMatchObject({ 'X-FindToken-Model': 'deepseek-chat', 'X-FindToken-Provider': 'deepseek', 'X-FindToken-Cost': '0.1477', 'X-FindToken-Balance': '9.8523' });
    expect(result.body).toMatchObject({ object: 'chat.completion', model: 'deepseek-chat', usage: { prompt_tokens: 1_000_000, completion_tokens: 0, total_tokens: 1_000_000 } });
  });

  it('returns an error result, not a throw, when the request was refused before any provider was called', async () => {
    const { result } = await call({ ok: true, request: { model: 'no-such-model', messages: hello } as never }, () => Promise.reject(new Error('no provider may be called')));
    expect(result.kind).toBe('error');
    if (result.kind !== 'error') return;
    expect(result.error.toJSON()).toEqual({ error: { code: 'model_not_found', type: 'invalid_request_error', param: 'model', message: "The model 'no-such-model' does not exist. GET /v1/models lists the available models." } });
  });

  it('answers a body the route could not parse with its error once the key may act', async () => {
    const { result } = await call({ ok: false, error: invalidValue('bad body') }, () => Promise.reject(new Error('unreachable')));
    expect(result.kind === 'error' && result.error.toJSON().error).toEqual({ code: 'invalid_value', type: 'invalid_request_error', param: null, message: 'bad body' });
  });

  it("answers a revoked key's unparsable body with the revocation", async () => {
    const account = await createAccountWithKey(10);
    await apiRequest(account.key, 'DELETE', `/v1/user/keys/${account.keyId}`);
    const { result } = await call({ ok: false, error: invalidValue('bad body') }, () => Promise.reject(new Error('unreachable')), account);
    expect(result.kind === 'error' && result.error.toJSON().error).toEqual({ code: 'invalid_api_key', type: 'authentication_error', param: null, message: 'This API key has been revoked.' });
  });

  it('returns a stream result whose body ends with the usage chunk and [DONE]', async () => {
    const sse = [
      { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'deepseek-v4-flash', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }] },
      { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'deepseek-v4-flash', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'deepseek-v4-flash', choices: [], usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 } },
    ]
      .map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`)
      .join('');
    const request = { model: 'deepseek-chat', messages: hello, stream: true, stream_options: { include_usage: true } } as never;
    const { result } = await call({ ok: true, request }, async () => new Response(`${sse}data: [DONE]\n\n`, { headers: { 'Content-Type': 'text/event-stream' } }));
    expect(result.kind).toBe('stream');
    if (result.kind !== 'stream') return;
    expect(result.headers).toMatchObject({ 'X-FindToken-Mode': 'standard', 'X-FindToken-Model': 'deepseek-chat' });
    const text = await new Response(result.body).text();
    const data = text.split('\n\n').filter((block) => block.startsWith('data: ')).map((block) => block.slice(6));
    expect(data.at(-1)).toBe('[DONE]');
    expect(JSON.parse(data.at(-2)!)).toMatchObject({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 } });
  });
});
