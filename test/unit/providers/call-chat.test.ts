/** The providers' core for a chat call, with an injected fetch: request, classification, normalization. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findModel, type CatalogModel } from '../../../src/base/catalog';
import { callChat, type ChatCall, type ChatCallResult } from '../../../src/providers/call-chat';
import { defineProvider } from '../../../src/providers/openai-compatible';
import { getAdapter } from '../../../src/providers/registry';
import type { StreamEvent } from '../../../src/streaming/stream-event';
import { fakeFetch, hangingFetch, json, refusedFetch, sse } from './fake-fetch';

function model(id: string): CatalogModel {
  const found = findModel(id);
  if (!found) throw new Error(`no catalog model ${id}`);
  return found;
}

const hi = [{ role: 'user', content: 'Hi' }];

function call(modelId: string, fetch: typeof globalThis.fetch, overrides: Partial<ChatCall> = {}): Promise<ChatCallResult> {
  const served = model(modelId);
  return callChat({
    adapter: getAdapter(served.provider),
    baseUrl: 'https://upstream.test/v1',
    apiKey: 'sk-test-key',
    model: served,
    request: { model: modelId, messages: hi },
    stream: false,
    timeoutMs: 1_000,
    signal: undefined,
    fetch,
    ...overrides,
  });
}

const answer = (extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1770854400,
  model: 'deepseek-v4-flash',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_cache_hit_tokens: 8 },
  ...extra,
});

async function readAll(stream: ReadableStream<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('callChat: the request', () => {
  it('posts the mapped body to <base>/chat/completions with the Bearer key', async () => {
    const upstream = fakeFetch(() => json(answer()));
    await call('deepseek-chat', upstream.fetch, { request: { model: 'deepseek-chat', messages: hi, routing: 'cheapest' } });
    expect(upstream.calls).toEqual([
      {
        url: 'https://upstream.test/v1/chat/completions',
        method: 'POST',
        headers: { Authorization: 'Bearer sk-test-key', 'Content-Type': 'application/json', Accept: 'application/json' },
        body: { model: 'deepseek-v4-flash', thinking: { type: 'disabled' }, messages: hi, stream: false },
        signal: expect.any(AbortSignal),
      },
    ]);
  });

  it('asks for an event stream, with usage, when streaming', async () => {
    const upstream = fakeFetch(() => sse(['data: [DONE]\n\n']));
    await call('deepseek-chat', upstream.fetch, { stream: true });
    expect(upstream.calls[0]!.headers.Accept).toBe('text/event-stream');
    expect(upstream.calls[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("authenticates with the adapter's own headers when it declares them", async () => {
    const apiKeyHeader = defineProvider({ id: 'deepseek', baseUrl: 'https://unused.test', requestHeaders: (apiKey) => ({ 'X-Api-Key': apiKey }) });
    const upstream = fakeFetch(() => json(answer()));
    await call('deepseek-chat', upstream.fetch, { adapter: apiKeyHeader });
    expect(upstream.calls[0]!.headers).toEqual({ 'X-Api-Key': 'sk-test-key', 'Content-Type': 'application/json', Accept: 'application/json' });
  });
});

describe('callChat: a JSON answer', () => {
  it('comes back OpenAI-shaped, with usage normalized beside the body and taken out of it', async () => {
    const result = await call('deepseek-chat', fakeFetch(() => json(answer())).fetch);
    expect(result).toEqual({
      ok: true,
      kind: 'json',
      body: {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1770854400,
        model: 'deepseek-chat',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
      },
      usage: { promptTokens: 12, completionTokens: 3, cachedTokens: 8, reasoningTokens: 0 },
      deliveredTokens: 2,
    });
  });

  it('is a classified failure when the status says so, with the message and Retry-After kept', async () => {
    const upstream = fakeFetch(() => json({ error: { message: 'Insufficient Balance', type: 'unknown_error' } }, 402, { 'Retry-After': '2' }));
    expect(await call('deepseek-chat', upstream.fetch)).toEqual({
      ok: false,
      failure: { kind: 'balance', provider: 'deepseek', status: 402, providerCode: 'unknown_error', providerMessage: 'Insufficient Balance', retryAfterMs: 2_000 },
    });
  });

  it("is a failure when a 200 carries MiniMax's base_resp error, even for a stream request", async () => {
    const refusal = { id: '', choices: null, base_resp: { status_code: 1008, status_msg: 'insufficient balance' } };
    const result = await call('minimax-m2.5', fakeFetch(() => json(refusal)).fetch, { stream: true });
    expect(result).toEqual({
      ok: false,
      failure: { kind: 'balance', provider: 'minimax', status: 200, providerCode: '1008', providerMessage: 'insufficient balance', retryAfterMs: undefined },
    });
  });

  it('is an invalid response when a 200 is not a JSON object', async () => {
    const result = await call('deepseek-chat', fakeFetch(() => new Response('<html>gateway</html>', { status: 200 })).fetch);
    expect(result).toEqual({
      ok: false,
      failure: { kind: 'invalid_response', provider: 'deepseek', status: 200, providerMessage: '<html>gateway</html>', retryAfterMs: undefined },
    });
  });

  it('is a content filter when the answer stopped for it before any content', async () => {
    const filtered = answer({ choices: [{ index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'sensitive' }] });
    const result = await call('glm-4-plus', fakeFetch(() => json(filtered)).fetch);
    expect(result).toEqual({ ok: false, failure: { kind: 'content_filter', provider: 'zhipu', providerCode: 'sensitive' } });
  });
});

describe('callChat: a call that does not answer', () => {
  it('is a connection failure when fetch throws', async () => {
    expect(await call('deepseek-chat', refusedFetch)).toEqual({ ok: false, failure: { kind: 'connection', provider: 'deepseek' } });
  });

  it('is a timeout when nothing comes within timeoutMs', async () => {
    vi.useFakeTimers();
    const pending = call('deepseek-chat', hangingFetch, { timeoutMs: 500 });
    await vi.advanceTimersByTimeAsync(500);
    expect(await pending).toEqual({ ok: false, failure: { kind: 'timeout', provider: 'deepseek' } });
  });

  it('is not a timeout when the client left', async () => {
    const client = new AbortController();
    const pending = call('deepseek-chat', hangingFetch, { signal: client.signal });
    client.abort();
    expect(await pending).toEqual({ ok: false, failure: { kind: 'connection', provider: 'deepseek' } });
  });
});

describe('callChat: an SSE stream', () => {
  it('comes back as OpenAI-shaped events, its usage tapped as they are read', async () => {
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'step-3.5-flash', choices: [{ index: 0, delta, finish_reason: finish }], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } })}\n\n`;
    const result = await call('step-3.5-flash', fakeFetch(() => sse([chunk({ role: '', content: 'Hi' }, ''), chunk({ content: '!' }, 'stop'), 'data: [DONE]\n\n'])).fetch, { stream: true });
    if (!result.ok || result.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(result)}`);
    expect(result.tap.usage).toBeUndefined();
    expect(await readAll(result.events)).toEqual([
      {
        type: 'chunk',
        chunk: { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'step-3.5-flash', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }] },
        hasContent: true,
        finishReason: null,
      },
      {
        type: 'chunk',
        chunk: { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'step-3.5-flash', choices: [{ index: 0, delta: { content: '!' }, finish_reason: 'stop' }] },
        hasContent: true,
        finishReason: 'stop',
      },
      { type: 'done' },
    ]);
    expect(result.tap).toEqual({ usage: { promptTokens: 9, completionTokens: 2, cachedTokens: 0, reasoningTokens: 0 }, deliveredTokens: 2, roleSent: true });
  });

  it('abort() aborts the upstream call', async () => {
    const upstream = fakeFetch(() => sse([], true));
    const result = await call('deepseek-chat', upstream.fetch, { stream: true });
    expect(result).toMatchObject({ ok: true, kind: 'events' });
    if (!result.ok || result.kind !== 'events') return;
    expect(upstream.calls[0]!.signal!.aborted).toBe(false);
    result.abort();
    expect(upstream.calls[0]!.signal!.aborted).toBe(true);
  });

  it('stops its own timer once the stream started: the relay watches silences from there', async () => {
    vi.useFakeTimers();
    const upstream = fakeFetch(() => sse([], true));
    const result = await call('deepseek-chat', upstream.fetch, { stream: true, timeoutMs: 500 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(result).toMatchObject({ ok: true, kind: 'events' });
    expect(upstream.calls[0]!.signal!.aborted).toBe(false);
  });
});
