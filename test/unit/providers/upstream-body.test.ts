import { describe, expect, it } from 'vitest';
import { buildUpstreamBody } from '../../../src/providers/openai-compatible';
import { PROVIDER_IDS, type ProviderId } from '../../../src/base/provider-id';
import { getAdapter } from '../../../src/providers/registry';
import type { JsonObject } from '../../../src/base/upstream';
import { CATALOG, findModel, type CatalogModel } from '../../../src/base/catalog';

function model(id: string): CatalogModel {
  const found = findModel(id);
  if (!found) throw new Error(`no catalog model ${id}`);
  return found;
}

/** The first catalog model of a provider. */
function modelOf(provider: ProviderId): CatalogModel {
  const found = CATALOG.find((entry) => entry.provider === provider);
  if (!found) throw new Error(`no catalog model for ${provider}`);
  return found;
}

const hi = [{ role: 'user', content: 'Hi' }];

const build = (modelId: string, request: JsonObject, stream = false): JsonObject => {
  const target = model(modelId);
  return buildUpstreamBody(getAdapter(target.provider), target, request, stream);
};

describe('buildUpstreamBody: the core mapping', () => {
  it('deepseek-chat becomes deepseek-v4-flash with thinking disabled', () => {
    expect(build('deepseek-chat', { model: 'deepseek-chat', messages: hi })).toEqual({
      model: 'deepseek-v4-flash',
      thinking: { type: 'disabled' },
      messages: hi,
      stream: false,
    });
  });

  it('deepseek-reasoner becomes deepseek-v4-flash with thinking enabled', () => {
    expect(build('deepseek-reasoner', { model: 'deepseek-reasoner', messages: hi })).toEqual({
      model: 'deepseek-v4-flash',
      thinking: { type: 'enabled' },
      messages: hi,
      stream: false,
    });
  });

  it('the catalog thinking setting overrides the client one', () => {
    expect(build('deepseek-chat', { model: 'deepseek-chat', messages: hi, thinking: { type: 'enabled' } }).thinking).toEqual({ type: 'disabled' });
  });

  it('removes routing and provider_key', () => {
    const request = { model: 'qwen-max', messages: hi, routing: 'cheapest', provider_key: { provider: 'qwen', api_key: 'sk-user' } };
    expect(build('qwen-max', request)).toEqual({ model: 'qwen-max', messages: hi, stream: false });
  });

  it('turns developer messages into system messages and leaves the others alone', () => {
    const messages = [
      { role: 'developer', content: 'Be brief.', name: 'rules' },
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
    ];
    expect(build('glm-4-plus', { model: 'glm-4-plus', messages }).messages).toEqual([
      { role: 'system', content: 'Be brief.', name: 'rules' },
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
    ]);
  });

  it('sends max_completion_tokens as max_tokens', () => {
    expect(build('qwen-max', { model: 'qwen-max', messages: hi, max_completion_tokens: 256 })).toEqual({
      model: 'qwen-max',
      messages: hi,
      max_tokens: 256,
      stream: false,
    });
  });

  it('max_completion_tokens wins over max_tokens when both are sent', () => {
    expect(build('qwen-max', { model: 'qwen-max', messages: hi, max_tokens: 100, max_completion_tokens: 256 }).max_tokens).toBe(256);
  });

  it('a null max_completion_tokens leaves max_tokens alone', () => {
    const body = build('qwen-max', { model: 'qwen-max', messages: hi, max_tokens: 100, max_completion_tokens: null });
    expect(body).toEqual({ model: 'qwen-max', messages: hi, max_tokens: 100, stream: false });
  });

  it.each(PROVIDER_IDS)('%s: the output limit granted to a request without max_tokens is sent as max_tokens', (provider) => {
    const target = modelOf(provider);
    expect(buildUpstreamBody(getAdapter(provider), target, { model: target.id, messages: hi }, false, 4_096).max_tokens).toBe(4_096);
  });

  it.each([
    ['max_tokens', { max_tokens: 100 }, 100],
    ['max_completion_tokens', { max_completion_tokens: 256 }, 256],
    ['a null max_tokens', { max_tokens: null }, 4_096],
  ])('the client’s own %s is never replaced by an output limit', (_, params, expected) => {
    const target = model('qwen-max');
    expect(buildUpstreamBody(getAdapter('qwen'), target, { model: 'qwen-max', messages: hi, ...params }, false, 4_096).max_tokens).toBe(expected);
  });

  it('keeps fields it does not know', () => {
    const request = { model: 'qwen-max', messages: hi, enable_search: true, top_k: 20, metadata: { a: 1 } };
    expect(build('qwen-max', request)).toEqual({ model: 'qwen-max', messages: hi, enable_search: true, top_k: 20, metadata: { a: 1 }, stream: false });
  });

  it.each(PROVIDER_IDS.filter((id) => id !== 'stepfun'))('%s: a stream always asks for usage', (provider) => {
    const target = modelOf(provider);
    const request = { model: target.id, messages: hi, stream: true, stream_options: { include_usage: false } };
    const body = buildUpstreamBody(getAdapter(provider), target, request, true);
    expect([body.stream, body.stream_options]).toEqual([true, { include_usage: true }]);
  });

  it('stepfun: a stream carries no stream_options, even when the client sent them', () => {
    const request = { model: 'step-3.5-flash', messages: hi, stream: true, stream_options: { include_usage: true } };
    expect(build('step-3.5-flash', request, true)).toEqual({ model: 'step-3.5-flash', messages: hi, stream: true });
  });

  it.each(PROVIDER_IDS)('%s: a non-stream request carries no stream_options', (provider) => {
    const target = modelOf(provider);
    const body = buildUpstreamBody(getAdapter(provider), target, { model: target.id, messages: hi, stream_options: { include_usage: true } }, false);
    expect([body.stream, 'stream_options' in body]).toEqual([false, false]);
  });

  it.each(CATALOG.map((entry) => entry.id))('%s: the client request object is not mutated', (id) => {
    const request: JsonObject = {
      model: id,
      messages: [{ role: 'developer', content: 'Be brief.' }, ...hi],
      routing: 'auto',
      provider_key: { provider: 'x', api_key: 'sk-user' },
      temperature: 0,
      top_p: 1,
      n: 1,
      logprobs: true,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
      max_completion_tokens: 64,
      stream: true,
      stream_options: { include_usage: false },
    };
    const before = structuredClone(request);
    build(id, request, true);
    expect(request).toEqual(before);
  });
});

describe('buildUpstreamBody: provider parameter limits', () => {
  it.each([
    ['zhipu temperature 0 → 0.01', 'glm-4-plus', { temperature: 0 }, { temperature: 0.01 }],
    ['zhipu temperature 1.5 → 1', 'glm-4-plus', { temperature: 1.5 }, { temperature: 1 }],
    ['zhipu temperature 0.7 unchanged', 'glm-4-plus', { temperature: 0.7 }, { temperature: 0.7 }],
    ['zhipu top_p 1 → 0.99', 'glm-4-flash', { top_p: 1 }, { top_p: 0.99 }],
    ['zhipu top_p 0 → 0.01', 'glm-4-flash', { top_p: 0 }, { top_p: 0.01 }],
    ['minimax temperature 0 → 0.01', 'minimax-m2.5', { temperature: 0 }, { temperature: 0.01 }],
    ['minimax temperature 2 → 1', 'minimax-m2.5', { temperature: 2 }, { temperature: 1 }],
    ['minimax temperature 0.5 unchanged', 'minimax-m2.5', { temperature: 0.5 }, { temperature: 0.5 }],
    ['qwen top_p 1 → 0.99', 'qwen-max', { top_p: 1 }, { top_p: 0.99 }],
    ['qwen top_p 0 → 0.01', 'qwen-turbo', { top_p: 0 }, { top_p: 0.01 }],
    ['qwen temperature 2 unchanged', 'qwen-max', { temperature: 2 }, { temperature: 2 }],
    ['deepseek temperature 2 and top_p 1 unchanged', 'deepseek-chat', { temperature: 2, top_p: 1 }, { temperature: 2, top_p: 1 }],
    ['stepfun temperature 0 unchanged', 'step-3.5-flash', { temperature: 0 }, { temperature: 0 }],
    ['kimi-k2 (a reasoning model) drops temperature', 'kimi-k2', { temperature: 0.3 }, {}],
  ])('%s', (_name, id, params, expected) => {
    const target = model(id);
    expect(build(id, { model: id, messages: hi, ...params })).toEqual({
      model: target.upstreamModel,
      ...target.upstreamParams,
      messages: hi,
      stream: false,
      ...expected,
    });
  });

  it('zhipu drops n, logprobs, top_logprobs and penalties', () => {
    const request = { model: 'glm-4-plus', messages: hi, n: 1, logprobs: true, top_logprobs: 3, presence_penalty: 0.5, frequency_penalty: 0.5, seed: 7 };
    expect(build('glm-4-plus', request)).toEqual({ model: 'glm-4-plus', messages: hi, seed: 7, stream: false });
  });

  it('minimax drops n and penalties but keeps the rest', () => {
    const request = { model: 'minimax-m2.5', messages: hi, n: 1, presence_penalty: 0.5, frequency_penalty: 0.5, stop: ['END'] };
    expect(build('minimax-m2.5', request)).toEqual({ model: 'MiniMax-M2.5', messages: hi, stop: ['END'], stream: false });
  });

  describe('kimi on a non-reasoning model', () => {
    const legacy: CatalogModel = {
      ...model('kimi-k2'),
      id: 'moonshot-v1-8k',
      upstreamModel: 'moonshot-v1-8k',
      capabilities: { tools: true, reasoning: false },
    };
    const buildLegacy = (temperature: number) =>
      buildUpstreamBody(getAdapter('kimi'), legacy, { model: legacy.id, messages: hi, temperature }, false).temperature;

    it.each([
      [1.6, 1],
      [1, 1],
      [0.3, 0.3],
      [0, 0],
    ])('temperature %d is sent as %d', (temperature, expected) => {
      expect(buildLegacy(temperature)).toBe(expected);
    });
  });
});
