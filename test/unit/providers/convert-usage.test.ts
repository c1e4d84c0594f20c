import { describe, expect, it } from 'vitest';
import type { ProviderId } from '../../../src/base/provider-id';
import { PROVIDER_IDS } from '../../../src/base/provider-id';
import { getAdapter } from '../../../src/providers/registry';
import type { JsonObject, NormalizedUsage } from '../../../src/base/upstream';

const convert = (provider: ProviderId, payload: JsonObject) => getAdapter(provider).convertUsage(payload);

const usage = (promptTokens: number, completionTokens: number, cachedTokens = 0, reasoningTokens = 0): NormalizedUsage => ({
  promptTokens,
  completionTokens,
  cachedTokens,
  reasoningTokens,
});

describe('convertUsage per provider', () => {
  it.each<[string, ProviderId, JsonObject, NormalizedUsage]>([
    [
      'deepseek reads cache hits from prompt_cache_hit_tokens and reasoning from completion_tokens_details',
      'deepseek',
      {
        usage: {
          prompt_tokens: 100,
          completion_tokens: 40,
          total_tokens: 140,
          prompt_cache_hit_tokens: 64,
          prompt_cache_miss_tokens: 36,
          completion_tokens_details: { reasoning_tokens: 25 },
        },
      },
      usage(100, 40, 64, 25),
    ],
    [
      'deepseek prefers prompt_cache_hit_tokens over prompt_tokens_details',
      'deepseek',
      { usage: { prompt_tokens: 100, completion_tokens: 40, prompt_cache_hit_tokens: 64, prompt_tokens_details: { cached_tokens: 0 } } },
      usage(100, 40, 64),
    ],
    [
      'deepseek falls back to prompt_tokens_details without its own field',
      'deepseek',
      { usage: { prompt_tokens: 100, completion_tokens: 40, prompt_tokens_details: { cached_tokens: 30 } } },
      usage(100, 40, 30),
    ],
    [
      'zhipu reads prompt_tokens_details.cached_tokens',
      'zhipu',
      { usage: { prompt_tokens: 260, completion_tokens: 9, total_tokens: 269, prompt_tokens_details: { cached_tokens: 256 } } },
      usage(260, 9, 256),
    ],
    [
      'zhipu reads input_tokens_details.cached_tokens when prompt_tokens_details is absent',
      'zhipu',
      { usage: { prompt_tokens: 260, completion_tokens: 9, total_tokens: 269, input_tokens_details: { cached_tokens: 128 } } },
      usage(260, 9, 128),
    ],
    [
      'kimi reads top-level usage with cached_tokens',
      'kimi',
      { usage: { prompt_tokens: 19, completion_tokens: 11, total_tokens: 30, cached_tokens: 16 } },
      usage(19, 11, 16),
    ],
    [
      'kimi reads choices[0].usage with cached_tokens',
      'kimi',
      { choices: [{ index: 0, delta: {}, finish_reason: 'stop', usage: { prompt_tokens: 19, completion_tokens: 11, total_tokens: 30, cached_tokens: 16 } }] },
      usage(19, 11, 16),
    ],
    [
      'kimi reads choices[0].usage when the top-level usage is null',
      'kimi',
      { usage: null, choices: [{ index: 0, usage: { prompt_tokens: 7, completion_tokens: 3, cached_tokens: 0 } }] },
      usage(7, 3),
    ],
    [
      'stepfun reads top-level cached_tokens',
      'stepfun',
      { usage: { prompt_tokens: 21, completion_tokens: 11, total_tokens: 32, cached_tokens: 16 } },
      usage(21, 11, 16),
    ],
    [
      'minimax reads its trailing usage chunk',
      'minimax',
      { choices: [], usage: { total_tokens: 73, total_characters: 0, prompt_tokens: 48, completion_tokens: 25, prompt_tokens_details: { cached_tokens: 32 } } },
      usage(48, 25, 32),
    ],
    [
      'qwen reads the standard OpenAI fields',
      'qwen',
      { usage: { prompt_tokens: 22, completion_tokens: 10, total_tokens: 32, prompt_tokens_details: { cached_tokens: 20 }, completion_tokens_details: { reasoning_tokens: 4 } } },
      usage(22, 10, 20, 4),
    ],
  ])('%s', (_name, provider, payload, expected) => {
    expect(convert(provider, payload)).toEqual(expected);
  });

  it.each<[string, ProviderId, JsonObject]>([
    ['minimax placeholder {total_tokens:0,total_characters:0}', 'minimax', { usage: { total_tokens: 0, total_characters: 0 } }],
    ['usage: null', 'qwen', { usage: null }],
    ['no usage field', 'deepseek', { choices: [] }],
    ['a usage that is not an object', 'zhipu', { usage: 'n/a' }],
    ['only total_tokens', 'deepseek', { usage: { total_tokens: 50 } }],
    ['kimi choices[0] without usage', 'kimi', { choices: [{ index: 0, delta: {} }] }],
  ])('%s is no usage', (_name, provider, payload) => {
    expect(convert(provider, payload)).toBeUndefined();
  });
});

describe('usage rules shared by every provider', () => {
  it.each(PROVIDER_IDS)('%s: only total_tokens beside prompt_tokens gives completion = total − prompt', (provider) => {
    expect(convert(provider, { usage: { prompt_tokens: 30, total_tokens: 50 } })).toEqual(usage(30, 20));
  });

  it.each(PROVIDER_IDS)('%s: a total smaller than the prompt gives 0 completion tokens, never negative', (provider) => {
    expect(convert(provider, { usage: { prompt_tokens: 30, total_tokens: 10 } })).toEqual(usage(30, 0));
  });

  it.each<[string, JsonObject, NormalizedUsage | undefined]>([
    ['a string prompt_tokens counts as absent', { prompt_tokens: '100', completion_tokens: 20 }, usage(0, 20)],
    ['a negative completion_tokens counts as absent', { prompt_tokens: 10, completion_tokens: -5, total_tokens: 15 }, usage(10, 5)],
    ['a fractional token count counts as absent', { prompt_tokens: 10.5, completion_tokens: 3 }, usage(0, 3)],
    ['prompt_tokens_details of the wrong type is ignored', { prompt_tokens: 10, completion_tokens: 3, prompt_tokens_details: 'x' }, usage(10, 3)],
    ['a string cached_tokens is ignored', { prompt_tokens: 10, completion_tokens: 3, prompt_tokens_details: { cached_tokens: '8' } }, usage(10, 3)],
    ['both counts of the wrong type are no usage', { prompt_tokens: 'a', completion_tokens: null }, undefined],
  ])('%s', (_name, raw, expected) => {
    expect(convert('qwen', { usage: raw })).toEqual(expected);
  });

  it.each<[ProviderId, JsonObject]>([
    ['deepseek', { prompt_tokens: 10, completion_tokens: 3, prompt_cache_hit_tokens: '8' }],
    ['stepfun', { prompt_tokens: 10, completion_tokens: 3, cached_tokens: '8' }],
    ['kimi', { prompt_tokens: 10, completion_tokens: 3, cached_tokens: -1 }],
  ])('%s: a provider cache field of the wrong type is ignored', (provider, raw) => {
    expect(convert(provider, { usage: raw })).toEqual(usage(10, 3));
  });

  it('cached tokens never exceed prompt tokens', () => {
    expect(convert('stepfun', { usage: { prompt_tokens: 10, completion_tokens: 3, cached_tokens: 50 } })).toEqual(usage(10, 3, 10));
  });

  it('reasoning tokens never exceed completion tokens', () => {
    const raw = { prompt_tokens: 10, completion_tokens: 3, completion_tokens_details: { reasoning_tokens: 9 } };
    expect(convert('deepseek', { usage: raw })).toEqual(usage(10, 3, 0, 3));
  });
});
