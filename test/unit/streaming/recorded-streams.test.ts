/**
 * Each provider's recorded stream, cut into 17-byte network chunks (so events and
 * Chinese characters are split), through decoder → usage tap: the client sees
 * OpenAI's chunk shape, billing sees one normalized usage.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/base/upstream';
import deepseekTrailingUsage from '../../fixtures/deepseek-trailing-usage.chunks.txt?raw';
import kimiUsageInChoices from '../../fixtures/kimi-usage-in-choices.chunks.txt?raw';
import minimaxPlaceholderUsage from '../../fixtures/minimax-placeholder-usage.chunks.txt?raw';
import qwenTrailingUsage from '../../fixtures/qwen-trailing-usage.chunks.txt?raw';
import stepfunCumulativeUsage from '../../fixtures/stepfun-cumulative-usage.chunks.txt?raw';
import zhipuUsageOnFinalChunk from '../../fixtures/zhipu-usage-on-final-chunk.chunks.txt?raw';
import { tapRecording } from '../support/streams';

const CHUNK_BYTES = 17;

/** The tap's event for a one-choice chunk. */
const chunkEvent = (head: JsonObject, choice: JsonObject, hasContent: boolean, finishReason: string | null = null) => ({
  type: 'chunk',
  chunk: { ...head, choices: [choice] },
  hasContent,
  finishReason,
});

describe('recorded provider streams through decoder and usage tap', () => {
  it('deepseek: trailing usage chunk is dropped and its cache hits are kept', async () => {
    const { events, state } = await tapRecording('deepseek', 'deepseek-chat', deepseekTrailingUsage, CHUNK_BYTES);
    const head = {
      id: 'c2b8f1e0-5d4a-4e7b-9f3c-1a2b3c4d5e6f',
      object: 'chat.completion.chunk',
      created: 1777012345,
      model: 'deepseek-chat',
      system_fingerprint: 'fp_3a5770e1b4_prod0820_fp8_kvcache',
    };
    const choice = (delta: JsonObject, finish_reason: string | null = null) => ({ index: 0, delta, logprobs: null, finish_reason });
    expect(events).toEqual([
      chunkEvent(head, choice({ role: 'assistant', content: '' }), false),
      chunkEvent(head, choice({ content: '你好' }), true),
      chunkEvent(head, choice({ content: '！有什么可以帮你的？' }), true),
      chunkEvent(head, choice({ content: '' }, 'stop'), false, 'stop'),
      { type: 'done' },
    ]);
    expect(state.usage).toEqual({ promptTokens: 1037, completionTokens: 8, cachedTokens: 1024, reasoningTokens: 0 });
    expect(state.deliveredTokens).toBe(12);
  });

  it('zhipu: usage on the final content chunk is taken and removed from it', async () => {
    const { events, state } = await tapRecording('zhipu', 'glm-4-plus', zhipuUsageOnFinalChunk, CHUNK_BYTES);
    const head = { id: '2026102115301234ab56cd78ef901234', object: 'chat.completion.chunk', created: 1761031812, model: 'glm-4-plus' };
    expect(events).toEqual([
      chunkEvent(head, { index: 0, delta: { role: 'assistant', content: '你好' } }, true),
      chunkEvent(head, { index: 0, delta: { role: 'assistant', content: '，我是智谱清言' } }, true),
      chunkEvent(head, { index: 0, finish_reason: 'stop', delta: { role: 'assistant', content: '。' } }, true, 'stop'),
      { type: 'done' },
    ]);
    expect(state.usage).toEqual({ promptTokens: 260, completionTokens: 9, cachedTokens: 256, reasoningTokens: 0 });
    expect(state.deliveredTokens).toBe(10);
  });

  it('kimi: usage inside choices[0].usage is taken and removed from the choice', async () => {
    const { events, state } = await tapRecording('kimi', 'kimi-k2', kimiUsageInChoices, CHUNK_BYTES);
    const head = {
      id: 'chatcmpl-69f2a1c4e0b1d3a5f7c9e2b4',
      object: 'chat.completion.chunk',
      created: 1776650000,
      model: 'kimi-k2',
      system_fingerprint: 'fpv0_5a4d2f1e',
    };
    expect(events).toEqual([
      chunkEvent(head, { index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }, false),
      chunkEvent(head, { index: 0, delta: { reasoning_content: '用户在打招呼。' }, finish_reason: null }, true),
      chunkEvent(head, { index: 0, delta: { content: '你好！' }, finish_reason: null }, true),
      chunkEvent(head, { index: 0, delta: {}, finish_reason: 'stop' }, false, 'stop'),
      { type: 'done' },
    ]);
    expect(state.usage).toEqual({ promptTokens: 19, completionTokens: 11, cachedTokens: 16, reasoningTokens: 0 });
    expect(state.deliveredTokens).toBe(10);
  });

  it('minimax: placeholder usage, empty roles and sensitivity flags are removed; the trailing usage is kept', async () => {
    const { events, state } = await tapRecording('minimax', 'minimax-m2.5', minimaxPlaceholderUsage, CHUNK_BYTES);
    const head = { id: '05b8c3d2e1f0a9b8c7d6e5f4a3b2c1d0', created: 1770854500, model: 'minimax-m2.5', object: 'chat.completion.chunk' };
    expect(events).toEqual([
      chunkEvent(head, { index: 0, delta: { content: '<think>\n用户问好。\n</think>\n\n', role: 'assistant' } }, true),
      chunkEvent(head, { index: 0, delta: { content: '你好！' } }, true),
      chunkEvent(head, { finish_reason: 'stop', index: 0, delta: { content: '' } }, false, 'stop'),
      { type: 'done' },
    ]);
    expect(state.usage).toEqual({ promptTokens: 48, completionTokens: 25, cachedTokens: 32, reasoningTokens: 0 });
    // Estimated per delta: 19 ASCII → 7 and 5 CJK → 5, then 3 CJK → 3.
    expect(state.deliveredTokens).toBe(15);
  });

  it('stepfun: keeps the last cumulative usage, maps reasoning to reasoning_content and "" to null', async () => {
    const { events, state } = await tapRecording('stepfun', 'step-3.5-flash', stepfunCumulativeUsage, CHUNK_BYTES);
    const head = { id: '8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d', object: 'chat.completion.chunk', created: 1769905000, model: 'step-3.5-flash' };
    expect(events).toEqual([
      chunkEvent(head, { index: 0, delta: { role: 'assistant', reasoning_content: 'The user says hello.' }, finish_reason: null }, true),
      chunkEvent(head, { index: 0, delta: { content: 'Hello' }, finish_reason: null }, true),
      chunkEvent(head, { index: 0, delta: { content: '! How can I help?' }, finish_reason: null }, true),
      chunkEvent(head, { index: 0, delta: { content: '' }, finish_reason: 'stop' }, false, 'stop'),
      { type: 'done' },
    ]);
    expect(state.usage).toEqual({ promptTokens: 21, completionTokens: 11, cachedTokens: 16, reasoningTokens: 0 });
    // Estimated per delta, 3 ASCII characters a token: 20 → 7, 5 → 2, 17 → 6.
    expect(state.deliveredTokens).toBe(15);
  });

  it('qwen: trailing usage chunk is dropped and its usage kept', async () => {
    const { events, state } = await tapRecording('qwen', 'qwen-max', qwenTrailingUsage, CHUNK_BYTES);
    const head = {
      object: 'chat.completion.chunk',
      created: 1727741000,
      system_fingerprint: null,
      model: 'qwen-max',
      id: 'chatcmpl-3f1e2d4c-5b6a-9788-a1b2-c3d4e5f60718',
    };
    const choice = (delta: JsonObject, finish_reason: string | null = null) => ({ finish_reason, delta, index: 0, logprobs: null });
    expect(events).toEqual([
      chunkEvent(head, choice({ content: '', role: 'assistant' }), false),
      chunkEvent(head, choice({ content: '你好' }), true),
      chunkEvent(head, choice({ content: '！我是通义千问。' }), true),
      chunkEvent(head, choice({ content: '' }, 'stop'), false, 'stop'),
      { type: 'done' },
    ]);
    expect(state.usage).toEqual({ promptTokens: 22, completionTokens: 10, cachedTokens: 0, reasoningTokens: 0 });
    expect(state.deliveredTokens).toBe(10);
  });

  it.each([
    ['deepseek', deepseekTrailingUsage],
    ['zhipu', zhipuUsageOnFinalChunk],
    ['kimi', kimiUsageInChoices],
    ['minimax', minimaxPlaceholderUsage],
    ['stepfun', stepfunCumulativeUsage],
    ['qwen', qwenTrailingUsage],
  ] as const)('%s: the outcome does not depend on how the bytes were chunked', async (provider, recording) => {
    const whole = await tapRecording(provider, 'served', recording, recording.length * 4);
    const byteByByte = await tapRecording(provider, 'served', recording, 1);
    expect(byteByByte).toEqual(whole);
  });
});
