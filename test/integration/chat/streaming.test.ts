import { describe, expect, it } from 'vitest';
import { chat, chatWithEnv, createAccountWithKey, hello, readSse, upstreamRequests } from '../helpers';
import { MODEL_BY_PROVIDER, uniqueTag } from './provider-models';

type Chunk = {
  id: string;
  object: string;
  model: string;
  choices: Array<{ index: number; delta: Record<string, unknown>; finish_reason: string | null }>;
  usage?: Record<string, unknown>;
};

const parseChunks = (data: string[]): Chunk[] => data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as Chunk);
const contentOf = (chunks: Chunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

const USAGE = { prompt_tokens: 12, completion_tokens: 5, cached_tokens: 4 };
const NORMALIZED_USAGE = {
  prompt_tokens: 12,
  completion_tokens: 5,
  total_tokens: 17,
  prompt_tokens_details: { cached_tokens: 4 },
  completion_tokens_details: { reasoning_tokens: 0 },
};

describe('streaming chat completions', () => {
  it.each(MODEL_BY_PROVIDER)('relays a %s stream as OpenAI SSE with the usage chunk when asked', async (provider, model) => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model, messages: hello, stream: true, stream_options: { include_usage: true }, standin: { usage: USAGE } });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('X-FindToken-Provider')).toBe(provider);
    expect(response.headers.get('X-FindToken-Model')).toBe(model);
    const { data } = await readSse(response);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = parseChunks(data);
    expect(contentOf(chunks)).toBe(`Hello from the ${provider} stand-in.`);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === model)).toBe(true);
    const usageChunk = chunks.at(-1);
    expect(usageChunk).toEqual({
      id: chunks[0]?.id,
      object: 'chat.completion.chunk',
      created: expect.any(Number),
      model,
      choices: [],
      usage: { ...NORMALIZED_USAGE, cost: expect.any(Number), balance: expect.any(Number) },
    });
    expect(chunks.slice(0, -1).every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
  });

  it.each(MODEL_BY_PROVIDER)('sends no usage chunk on a %s stream when the client did not ask', async (_provider, model) => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model, messages: hello, stream: true, standin: { usage: USAGE } });
    const { data } = await readSse(response);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = parseChunks(data);
    expect(chunks.every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
  });

  it.each(MODEL_BY_PROVIDER)('always asks %s for usage where it accepts stream_options', async (provider, model) => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    await (await chat(key, { model, messages: hello, stream: true, standin: { tag } })).text();
    const [received] = await upstreamRequests(tag);
    if (provider === 'stepfun') expect(received?.body).not.toHaveProperty('stream_options');
    else expect(received?.body.stream_options).toEqual({ include_usage: true });
    expect(received?.body.stream).toBe(true);
  });

  it.each(['zhipu', 'minimax'] as const)('relays a %s answer that arrives in one chunk', async (provider) => {
    const model = MODEL_BY_PROVIDER.find(([p]) => p === provider)![1];
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model, messages: hello, stream: true, standin: { scenario: 'one_chunk', content: '你好，世界！一次到位。' } });
    const { data } = await readSse(response);
    expect(contentOf(parseChunks(data))).toBe('你好，世界！一次到位。');
    expect(data.at(-1)).toBe('[DONE]');
  });

  it('streams a tool call as OpenAI tool_call deltas', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, {
      model: 'qwen-max',
      messages: hello,
      stream: true,
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      standin: { scenario: 'tool_call', arguments: '{"q":"find-token"}' },
    });
    const chunks = parseChunks((await readSse(response)).data);
    const calls = chunks.flatMap((c) => (c.choices[0]?.delta.tool_calls as Array<{ function: { name?: string; arguments?: string } }> | undefined) ?? []);
    expect(calls[0]?.function.name).toBe('lookup');
    expect(calls.map((c) => c.function.arguments ?? '').join('')).toBe('{"q":"find-token"}');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it("drops the provider's keep-alive comments and relays the answer", async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, stream: true, standin: { scenario: 'keepalive', keepalives: 2, keepalive_ms: 20 } });
    const { data, comments } = await readSse(response);
    expect(contentOf(parseChunks(data))).toBe('Hello from the deepseek stand-in.');
    expect(comments).toEqual([]);
  });

  it('sends keep-alive comments while the provider is silent, then the answer', async () => {
    const { key } = await createAccountWithKey();
    // Commits after 50 ms of silence and sends a keep-alive every 50 ms; the provider's chunks come 120 ms apart.
    const body = { model: 'deepseek-chat', messages: hello, stream: true, standin: { chunks: 1, chunk_delay_ms: 120 } };
    const response = await chatWithEnv(key, body, { STREAM_KEEPALIVE_MS: '50' });
    expect(response.status).toBe(200);
    const { data, comments } = await readSse(response);
    expect(comments.length).toBeGreaterThanOrEqual(1);
    expect(comments.every((c) => c === ': keep-alive')).toBe(true);
    expect(contentOf(parseChunks(data))).toBe('Hello from the deepseek stand-in.');
    expect(data.at(-1)).toBe('[DONE]');
  });

  it('ends a stream cut mid-way with an error event and no [DONE]', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, stream: true, standin: { scenario: 'cut', cut_after: 2, chunks: 4 } });
    expect(response.status).toBe(200);
    const { data } = await readSse(response);
    expect(data).not.toContain('[DONE]');
    expect(JSON.parse(data.at(-1)!)).toEqual({
      error: {
        message: 'The stream from deepseek ended before the answer was complete.',
        type: 'server_error',
        param: null,
        code: 'upstream_stream_interrupted',
      },
    });
    expect(contentOf(parseChunks(data.slice(0, -1)))).toBe('Hello from the d');
  });

  it('answers 503 all_providers_unavailable when every stream is cut before any content', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'kimi-k2', messages: hello, stream: true, standin: { scenario: 'cut', cut_after: 0 } });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('all_providers_unavailable');
  });

  it('ends a stream that stalls after content with a timeout error event', async () => {
    const { key } = await createAccountWithKey();
    // Gives up after 300 ms of silence rather than the suite's 1 s; a keep-alive every 100 ms meanwhile.
    const body = { model: 'qwen-max', messages: hello, stream: true, standin: { scenario: 'stall', stall_after: 1 } };
    const response = await chatWithEnv(key, body, { STREAM_IDLE_TIMEOUT_MS: '300', STREAM_KEEPALIVE_MS: '100' });
    expect(response.status).toBe(200);
    const { data, comments } = await readSse(response);
    expect(data).not.toContain('[DONE]');
    expect(JSON.parse(data.at(-1)!)).toEqual({
      error: { message: 'qwen did not answer in time. Please retry.', type: 'server_error', param: null, code: 'upstream_timeout' },
    });
    expect(comments.length).toBeGreaterThanOrEqual(1);
  });

  it('gives up within the routing budget when no stream ever starts', async () => {
    const { key } = await createAccountWithKey();
    const started = Date.now();
    const body = { model: 'glm-4-plus', messages: hello, stream: true, standin: { scenario: 'hang' } };
    // Each attempt waits 400 ms for a first event, within a 600 ms budget; five hanging providers, each tried twice, would take 4 s without it.
    const response = await chatWithEnv(key, body, { ROUTING_BUDGET_MS: '600', STREAM_IDLE_TIMEOUT_MS: '400' });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('all_providers_unavailable');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('aborts the upstream call when the client disconnects', async () => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, stream: true, standin: { tag, scenario: 'stall', stall_after: 1 } });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    let outcome: unknown;
    for (let i = 0; i < 50 && outcome !== 'closed_early'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      outcome = ((await upstreamRequests(tag))[0] as { outcome?: string } | undefined)?.outcome;
    }
    expect(outcome).toBe('closed_early');
  });
});
