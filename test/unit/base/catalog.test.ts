import { describe, expect, it } from 'vitest';
import { CATALOG, findModel } from '../../../src/base/catalog';

const groupOf = (id: string) => findModel(id)?.group;

describe('catalog', () => {
  it.each([
    ['deepseek-chat', 'deepseek'],
    ['deepseek-coder', 'deepseek'],
    ['deepseek-reasoner', 'deepseek'],
    ['qwen-max', 'qwen'],
    ['qwen-turbo', 'qwen'],
    ['glm-4-plus', 'zhipu'],
    ['glm-4-flash', 'zhipu'],
    ['kimi-k2', 'kimi'],
    ['minimax-m2.5', 'minimax'],
  ])('serves %s from %s', (id, provider) => {
    expect(findModel(id)?.provider).toBe(provider);
  });

  it('serves at least one stepfun model', () => {
    expect(CATALOG.some((model) => model.provider === 'stepfun')).toBe(true);
  });

  it.each([
    ['deepseek-chat', 14_000_000],
    ['glm-4-flash', 10_000_000],
    ['glm-4-plus', 50_000_000],
  ])('%s input costs its PRODUCT.md list price: %i units per 1M tokens', (id, units) => {
    expect(findModel(id)?.price.input).toBe(units);
  });

  it('deepseek-chat, qwen-max, glm-4-plus, kimi-k2 and minimax-m2.5 share one equivalence group', () => {
    const groups = ['deepseek-chat', 'qwen-max', 'glm-4-plus', 'kimi-k2', 'minimax-m2.5'].map(groupOf);
    expect(groups).toEqual(Array(5).fill('general-chat'));
  });

  it('deepseek-coder, qwen-turbo and glm-4-flash share another', () => {
    expect(['deepseek-coder', 'qwen-turbo', 'glm-4-flash'].map(groupOf)).toEqual(Array(3).fill('fast-code'));
  });

  it('model ids are unique', () => {
    const ids = CATALOG.map((model) => model.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(CATALOG.map((model) => [model.id, model] as const))('%s: every price is a non-negative integer', (_id, model) => {
    const prices = [model.price.input, model.price.output, ...(model.price.cachedInput === undefined ? [] : [model.price.cachedInput])];
    for (const price of prices) {
      expect(Number.isSafeInteger(price) && price >= 0, `${price}`).toBe(true);
    }
  });

  it.each(CATALOG.map((model) => [model.id, model] as const))('%s: cached input never costs more than input', (_id, model) => {
    expect(model.price.cachedInput ?? 0).toBeLessThanOrEqual(model.price.input);
  });

  it('qwen-turbo has no tools', () => {
    expect(findModel('qwen-turbo')?.capabilities.tools).toBe(false);
  });

  it('kimi-k2 is a reasoning model sent upstream as kimi-k2.6', () => {
    expect([findModel('kimi-k2')?.upstreamModel, findModel('kimi-k2')?.capabilities.reasoning]).toEqual(['kimi-k2.6', true]);
  });

  it('an unknown id is not found', () => {
    expect(findModel('gpt-4o')).toBeUndefined();
  });
});
