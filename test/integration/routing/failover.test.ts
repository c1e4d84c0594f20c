/** Routing through the whole worker, against the stand-in with failures switched on per provider. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminRequest, chat, createAccountWithKey, hello, readSse, upstreamRequests } from '../helpers';
import { uniqueTag } from '../chat/provider-models';
import { balanceOf, billingLog, drainOutbox } from '../billing/helpers';

const RETRY_BASE_MS = Number(env.RETRY_BASE_MS);
const providersOf = async (tag: string) => (await upstreamRequests(tag)).map((request) => request.provider);
const chunksOf = (data: string[]) => data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as { choices: Array<{ delta: { role?: string; content?: string } }> });

describe('strategies through the worker', () => {
  it('cheapest serves from the lowest-priced model of the group, whatever was asked', async () => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const response = await chat(key, { model: 'qwen-max', messages: hello, routing: 'cheapest', standin: { tag } });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Model')).toBe('deepseek-chat');
    expect(response.headers.get('X-FindToken-Provider')).toBe('deepseek');
    expect(response.headers.get('X-FindToken-Attempts')).toBe('1');
    expect((await response.json<{ model: string }>()).model).toBe('deepseek-chat');
    expect(await providersOf(tag)).toEqual(['deepseek']);
  });

  it('refuses an unknown strategy, naming the allowed ones', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'qwen-max', messages: hello, routing: 'fastest' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { message: expect.stringMatching(/"auto".*"cheapest".*"fallback"/), type: 'invalid_request_error', param: 'routing', code: 'invalid_value' },
    });
  });
});

describe('retries and failover', () => {
  it('retries a provider that fails twice after 1 and 2 × RETRY_BASE_MS, and serves from it', async () => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, standin: { tag, fail_first: 2, scenario: 'error', error: 'overloaded' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Provider')).toBe('deepseek');
    expect(response.headers.get('X-FindToken-Attempts')).toBe('3');
    const seen = await upstreamRequests(tag);
    expect(seen.map((request) => request.provider)).toEqual(['deepseek', 'deepseek', 'deepseek']);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(RETRY_BASE_MS);
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(2 * RETRY_BASE_MS);
  });

  it('serves from the next model after four failures and bills the served model at its price', async () => {
    const { key, accountId } = await createAccountWithKey();
    const tag = uniqueTag();
    const usage = { prompt_tokens: 1_000_000, completion_tokens: 0 };
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, routing: 'fallback', standin: { tag, usage, providers: { deepseek: { scenario: 'error', error: 'server' } } } });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Model')).toBe('qwen-max');
    expect(response.headers.get('X-FindToken-Attempts')).toBe('5');
    // qwen-max: $1.60 per 1M input tokens, × 1.055.
    expect(response.headers.get('X-FindToken-Cost')).toBe('1.688');
    expect(await providersOf(tag)).toEqual(['deepseek', 'deepseek', 'deepseek', 'deepseek', 'qwen']);
    await drainOutbox(accountId);
    expect(await billingLog(key, response.headers.get('X-Request-Id')!)).toMatchObject({
      model: 'qwen-max',
      provider: 'qwen',
      routing: 'fallback',
      cost: 1.688,
      provider_cost: 1.6,
      status: 'succeeded',
    });
    expect(await balanceOf(key)).toMatchObject({ balance: 8.312, reserved: 0 });
  });

  it('skips an alternative whose worst case the balance cannot hold, and never calls it', async () => {
    // $0.001 holds deepseek-chat's and glm-4-plus's worst case for 1,000 tokens, not qwen-max's ($0.0068).
    const { key } = await createAccountWithKey(0.001);
    const tag = uniqueTag();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, max_tokens: 1_000, routing: 'fallback', standin: { tag, providers: { deepseek: { scenario: 'error', error: 'auth' } } } });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Model')).toBe('glm-4-plus');
    expect(await providersOf(tag)).toEqual(['deepseek', 'zhipu']);
  });

  it('fails a stream over before its first content with exactly one role preamble', async () => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, stream: true, routing: 'fallback', standin: { tag, providers: { deepseek: { scenario: 'cut', cut_after: 0 } } } });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Provider')).toBe('qwen');
    const { data } = await readSse(response);
    const chunks = chunksOf(data);
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.role === 'assistant')).toHaveLength(1);
    expect(data.at(-1)).toBe('[DONE]');
    expect(await providersOf(tag)).toEqual(['deepseek', 'deepseek', 'deepseek', 'deepseek', 'qwen']);
  });

  it('never retries a stream that failed after content: an error event, no replayed text, no [DONE]', async () => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, stream: true, standin: { tag, scenario: 'cut', cut_after: 2, chunks: 4 } });
    expect(response.status).toBe(200);
    const { data } = await readSse(response);
    expect(data).not.toContain('[DONE]');
    expect(JSON.parse(data.at(-1)!)).toMatchObject({ error: { code: 'upstream_stream_interrupted' } });
    const text = chunksOf(data.slice(0, -1)).map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Hello from the d');
    expect(await providersOf(tag)).toEqual(['deepseek']);
  });
});

describe('circuits', () => {
  it('opens after repeated failures, routes around the provider, and closes again on recovery', async () => {
    const { key } = await createAccountWithKey();
    const failing = { providers: { deepseek: { scenario: 'error', error: 'overloaded' } } };
    // Two requests: 4 + 1 failures reach the threshold of 5 (the second stops retrying once the circuit opens).
    for (let i = 0; i < 2; i++) await chat(key, { model: 'deepseek-chat', messages: hello, standin: failing });
    const providers = (await (await adminRequest('GET', '/providers')).json<{ data: Array<{ provider: string; circuit: string }> }>()).data;
    expect(providers.find((p) => p.provider === 'deepseek')?.circuit).toBe('open');

    const aside = uniqueTag();
    const routedAround = await chat(key, { model: 'deepseek-chat', messages: hello, standin: { tag: aside } });
    expect(routedAround.headers.get('X-FindToken-Provider')).not.toBe('deepseek');
    expect(await providersOf(aside)).not.toContain('deepseek');

    // After the cool-down (300 ms in tests) a request tries deepseek again; it is healthy now.
    await new Promise((resolve) => setTimeout(resolve, Number(env.CIRCUIT_COOLDOWN_MS) + 50));
    const back = uniqueTag();
    const recovered = await chat(key, { model: 'deepseek-chat', messages: hello, standin: { tag: back } });
    expect(recovered.headers.get('X-FindToken-Provider')).toBe('deepseek');
    expect(await providersOf(back)).toEqual(['deepseek']);
    const after = (await (await adminRequest('GET', '/providers')).json<{ data: Array<{ provider: string; circuit: string }> }>()).data;
    expect(after.find((p) => p.provider === 'deepseek')?.circuit).toBe('closed');
  });

  it('answers 503 all_providers_unavailable with Retry-After when every candidate is down', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'deepseek-reasoner', messages: hello, standin: { scenario: 'error', error: 'server' } });
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('1');
    expect(response.headers.get('X-FindToken-Attempts')).toBe('4');
    expect(await response.json()).toEqual({
      error: {
        message: 'No provider could serve this request right now (deepseek-reasoner (deepseek): server). Please retry.',
        type: 'server_error',
        param: null,
        code: 'all_providers_unavailable',
      },
    });
  });
});
