import { describe, expect, it } from 'vitest';
import type { ProviderId } from '../../../src/base/provider-id';
import { findModel } from '../../../src/base/catalog';
import { planRoute, requestPrice, type CircuitState, type PlanInput, type ProviderStatus, type RequestNeeds } from '../../../src/routing/strategies';

const SHORT: RequestNeeds = { tools: false, promptEstimate: 10, maxTokens: 100 };

function plan(model: string, overrides: Partial<PlanInput> & { states?: Partial<Record<ProviderId, CircuitState>>; latency?: Partial<Record<ProviderId, number>> } = {}) {
  const { states = {}, latency = {}, ...rest } = overrides;
  const health = (provider: ProviderId): ProviderStatus => ({ state: states[provider] ?? 'closed', latencyMs: latency[provider] });
  return planRoute({ requested: findModel(model)!, strategy: 'auto', needs: SHORT, usable: () => true, health, ...rest }).map((m) => m.id);
}

describe('auto', () => {
  it('tries the requested model first, then its equivalents in the catalog order when all are equally healthy', () => {
    expect(plan('glm-4-plus')).toEqual(['glm-4-plus', 'deepseek-chat', 'qwen-max', 'kimi-k2', 'minimax-m2.5']);
  });

  it('orders the equivalents healthiest first, then fastest', () => {
    expect(plan('deepseek-chat', { states: { qwen: 'half_open' }, latency: { minimax: 200, zhipu: 900, kimi: 400 } })).toEqual([
      'deepseek-chat',
      'minimax-m2.5',
      'kimi-k2',
      'glm-4-plus',
      'qwen-max',
    ]);
  });

  it('skips a requested model whose circuit is open', () => {
    expect(plan('deepseek-chat', { states: { deepseek: 'open' } })).toEqual(['qwen-max', 'glm-4-plus', 'kimi-k2', 'minimax-m2.5']);
  });

  it('still tries the best candidate when every circuit is open', () => {
    const allOpen = { deepseek: 'open', qwen: 'open', zhipu: 'open', kimi: 'open', minimax: 'open' } as const;
    expect(plan('kimi-k2', { states: allOpen })).toEqual(['kimi-k2']);
  });
});

describe('fallback', () => {
  it("keeps the catalog's predefined order whatever the latency", () => {
    expect(plan('minimax-m2.5', { strategy: 'fallback', latency: { kimi: 1, deepseek: 999 } })).toEqual([
      'minimax-m2.5',
      'deepseek-chat',
      'qwen-max',
      'glm-4-plus',
      'kimi-k2',
    ]);
  });

  it('leaves out providers whose circuit is open', () => {
    expect(plan('deepseek-coder', { strategy: 'fallback', states: { qwen: 'open' } })).toEqual(['deepseek-coder', 'glm-4-flash', 'step-3.5-flash']);
  });
});

describe('cheapest', () => {
  it('prices a prompt-heavy request mostly by input price', () => {
    const needs = { tools: false, promptEstimate: 10_000, maxTokens: 10 };
    expect(plan('qwen-max', { strategy: 'cheapest', needs })).toEqual(['deepseek-chat', 'minimax-m2.5', 'glm-4-plus', 'kimi-k2', 'qwen-max']);
  });

  it('prices an output-heavy request mostly by output price', () => {
    const needs = { tools: false, promptEstimate: 10, maxTokens: 4_000 };
    expect(plan('qwen-max', { strategy: 'cheapest', needs })).toEqual(['deepseek-chat', 'glm-4-plus', 'minimax-m2.5', 'kimi-k2', 'qwen-max']);
  });

  it('prices the prompt estimate at the input price and max_tokens at the output price, exactly', () => {
    const { price } = findModel('qwen-max')!;
    expect(requestPrice(findModel('qwen-max')!, { tools: false, promptEstimate: 1_000, maxTokens: 500 })).toBe(1_000 * price.input + 500 * price.output);
  });

  it('prices a nominal 1,000 output tokens when the request has no max_tokens', () => {
    const { price } = findModel('qwen-max')!;
    expect(requestPrice(findModel('qwen-max')!, { tools: false, promptEstimate: 1_000, maxTokens: undefined })).toBe(1_000 * price.input + 1_000 * price.output);
  });

  it('skips unhealthy providers', () => {
    expect(plan('qwen-max', { strategy: 'cheapest', states: { deepseek: 'open' } })).toEqual(['glm-4-plus', 'minimax-m2.5', 'kimi-k2', 'qwen-max']);
  });

  it('breaks a price tie by health, then latency', () => {
    // glm-4-flash and step-3.5-flash both charge $0.10 per 1M input tokens; no output asked.
    const needs = { tools: false, promptEstimate: 1_000, maxTokens: 0 };
    expect(plan('deepseek-coder', { strategy: 'cheapest', needs, states: { zhipu: 'half_open' } }).slice(1, 3)).toEqual(['step-3.5-flash', 'glm-4-flash']);
    expect(plan('deepseek-coder', { strategy: 'cheapest', needs, latency: { zhipu: 300, stepfun: 100 } }).slice(1, 3)).toEqual(['step-3.5-flash', 'glm-4-flash']);
    expect(plan('deepseek-coder', { strategy: 'cheapest', needs, latency: { zhipu: 100, stepfun: 300 } }).slice(1, 3)).toEqual(['glm-4-flash', 'step-3.5-flash']);
  });
});

describe('what a request needs', () => {
  it('never sends a request with tools to a model without tool support', () => {
    expect(plan('deepseek-coder', { needs: { ...SHORT, tools: true } })).toEqual(['deepseek-coder', 'glm-4-flash', 'step-3.5-flash']);
  });

  it("never sends a prompt larger than a model's context window to it", () => {
    // qwen-max has a 32,768-token window.
    expect(plan('deepseek-chat', { needs: { tools: false, promptEstimate: 40_000, maxTokens: 1_000 } })).not.toContain('qwen-max');
    expect(plan('qwen-max', { needs: { tools: false, promptEstimate: 40_000, maxTokens: 1_000 } })[0]).toBe('deepseek-chat');
  });

  it('never plans a model whose output cap is below max_tokens', () => {
    // glm-4-plus and qwen-max cap output at 4,096 and 8,192 tokens.
    expect(plan('deepseek-chat', { needs: { tools: false, promptEstimate: 10, maxTokens: 10_000 } })).toEqual(['deepseek-chat', 'kimi-k2', 'minimax-m2.5']);
  });

  it('only plans providers this request may call', () => {
    expect(plan('deepseek-chat', { usable: (provider) => provider !== 'deepseek' && provider !== 'kimi' })).toEqual(['qwen-max', 'glm-4-plus', 'minimax-m2.5']);
  });
});
