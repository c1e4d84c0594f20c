import { describe, expect, it } from 'vitest';
import { getAdapter } from '../../../src/providers/registry';
import type { JsonObject } from '../../../src/base/upstream';
import { normalizeChunk } from '../../../src/providers/usage-tap';
import { dataEvent, newTapState, tapEvents } from '../support/streams';

const delta = (content: string, extra: JsonObject = {}): JsonObject => ({
  object: 'chat.completion.chunk',
  model: 'upstream-model',
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
  ...extra,
});

const usage = (prompt: number, completion: number) => ({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });

describe('createUsageTap', () => {
  it('a usage-only chunk (choices: []) is dropped and its usage kept', async () => {
    const { events, state } = await tapEvents('deepseek', 'deepseek-chat', [dataEvent({ choices: [], usage: usage(10, 5) })]);
    expect(events).toEqual([]);
    expect(state.usage).toEqual({ promptTokens: 10, completionTokens: 5, cachedTokens: 0, reasoningTokens: 0 });
  });

  it('keeps the last cumulative usage, never sums', async () => {
    const { state } = await tapEvents('stepfun', 'step-3.5-flash', [
      dataEvent(delta('a', { usage: usage(10, 1) })),
      dataEvent(delta('b', { usage: usage(10, 2) })),
      dataEvent(delta('c', { usage: usage(10, 3) })),
    ]);
    expect(state.usage).toEqual({ promptTokens: 10, completionTokens: 3, cachedTokens: 0, reasoningTokens: 0 });
  });

  it('a placeholder usage after real usage does not erase it', async () => {
    const { state } = await tapEvents('minimax', 'minimax-m2.5', [
      dataEvent({ choices: [], usage: usage(48, 25) }),
      dataEvent(delta('late', { usage: { total_tokens: 0, total_characters: 0 } })),
    ]);
    expect(state.usage).toEqual({ promptTokens: 48, completionTokens: 25, cachedTokens: 0, reasoningTokens: 0 });
  });

  it('usage stays undefined when the provider never sent any', async () => {
    const { state } = await tapEvents('qwen', 'qwen-max', [dataEvent(delta('hi', { usage: null })), { data: '[DONE]' }]);
    expect(state.usage).toBeUndefined();
  });

  it('adds role "assistant" to the first delta only', async () => {
    const { events } = await tapEvents('deepseek', 'deepseek-chat', [dataEvent(delta('a')), dataEvent(delta('b'))]);
    expect(events.map((event) => (event.type === 'chunk' ? event.chunk.choices : event))).toEqual([
      [{ index: 0, delta: { role: 'assistant', content: 'a' }, finish_reason: null }],
      [{ index: 0, delta: { content: 'b' }, finish_reason: null }],
    ]);
  });

  it('rewrites model to the served catalog id and sets object', async () => {
    const { events } = await tapEvents('kimi', 'kimi-k2', [dataEvent({ id: 'x', model: 'kimi-k2.6', choices: [{ index: 0, delta: {} }] })]);
    expect(events).toEqual([
      {
        type: 'chunk',
        chunk: { id: 'x', object: 'chat.completion.chunk', model: 'kimi-k2', choices: [{ index: 0, delta: { role: 'assistant' } }] },
        hasContent: false,
        finishReason: null,
      },
    ]);
  });

  it.each(['[DONE]', ' [DONE] ', '[DONE]\n'])('%j becomes a done event', async (data) => {
    const { events } = await tapEvents('deepseek', 'deepseek-chat', [{ data }]);
    expect(events).toEqual([{ type: 'done' }]);
  });

  it('data that is not JSON becomes an invalid_response error', async () => {
    const { events } = await tapEvents('zhipu', 'glm-4-plus', [{ data: '{"choices": [' }]);
    expect(events).toEqual([{ type: 'error', failure: { kind: 'invalid_response', provider: 'zhipu' } }]);
  });

  it('a JSON value that is not an object is skipped', async () => {
    const { events } = await tapEvents('deepseek', 'deepseek-chat', [{ data: '42' }, { data: '["a"]' }, { data: 'null' }]);
    expect(events).toEqual([]);
  });

  it('a MiniMax base_resp error in the stream becomes a classified error', async () => {
    const { events } = await tapEvents('minimax', 'minimax-m2.5', [
      dataEvent({ base_resp: { status_code: 1008, status_msg: 'insufficient balance' } }),
    ]);
    expect(events).toEqual([
      { type: 'error', failure: { kind: 'balance', providerCode: '1008', provider: 'minimax', providerMessage: 'insufficient balance' } },
    ]);
  });

  it('an OpenAI-style error object in the stream is classified by the adapter', async () => {
    const { events } = await tapEvents('kimi', 'kimi-k2', [
      dataEvent({ error: { type: 'engine_overloaded_error', message: 'The engine is currently overloaded, please try again later' } }),
    ]);
    expect(events).toEqual([
      {
        type: 'error',
        failure: {
          kind: 'overloaded',
          providerCode: 'engine_overloaded_error',
          provider: 'kimi',
          providerMessage: 'The engine is currently overloaded, please try again later',
        },
      },
    ]);
  });

  it('a chunk with base_resp status 0 is a normal chunk without base_resp', async () => {
    const { events } = await tapEvents('minimax', 'minimax-m2.5', [
      dataEvent(delta('ok', { base_resp: { status_code: 0, status_msg: '' } })),
    ]);
    expect(events).toEqual([
      {
        type: 'chunk',
        chunk: { object: 'chat.completion.chunk', model: 'minimax-m2.5', choices: [{ index: 0, delta: { role: 'assistant', content: 'ok' }, finish_reason: null }] },
        hasContent: true,
        finishReason: null,
      },
    ]);
  });
});

describe('normalizeChunk', () => {
  it('finish_reason "" becomes null', () => {
    const chunk = { choices: [{ index: 0, delta: { content: 'x' }, finish_reason: '' }] };
    const event = normalizeChunk(getAdapter('stepfun'), chunk, 'step-3.5-flash', newTapState());
    expect(event?.chunk.choices).toEqual([{ index: 0, delta: { role: 'assistant', content: 'x' }, finish_reason: null }]);
    expect(event?.finishReason).toBeNull();
  });

  it('a tool-call delta counts as content and its name and arguments as delivered tokens', () => {
    const state = newTapState();
    const toolCalls = [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"北京"}' } }];
    const event = normalizeChunk(getAdapter('deepseek'), { choices: [{ index: 0, delta: { tool_calls: toolCalls } }] }, 'deepseek-chat', state);
    expect(event?.hasContent).toBe(true);
    // 22 ASCII characters → 8 tokens, 2 CJK characters → 2.
    expect(state.deliveredTokens).toBe(10);
  });

  it('reasoning_content counts as delivered tokens', () => {
    const state = newTapState();
    normalizeChunk(getAdapter('deepseek'), { choices: [{ index: 0, delta: { reasoning_content: 'think', content: 'say' } }] }, 'deepseek-reasoner', state);
    // "thinksay": 8 ASCII characters → 3 tokens.
    expect(state.deliveredTokens).toBe(3);
  });

  it('a choice without a delta gets an empty one', () => {
    const event = normalizeChunk(getAdapter('qwen'), { choices: [{ index: 0, finish_reason: 'stop' }] }, 'qwen-max', { ...newTapState(), roleSent: true });
    expect(event).toEqual({
      type: 'chunk',
      chunk: { object: 'chat.completion.chunk', model: 'qwen-max', choices: [{ index: 0, finish_reason: 'stop', delta: {} }] },
      hasContent: false,
      finishReason: 'stop',
    });
  });
});
