import { describe, expect, it } from 'vitest';
import { computeCost, ONE, onePlus, parseRate } from '../../../src/base/cost';
import { parseUsd } from '../../../src/base/money';

const STANDARD = onePlus(parseRate('0.055'));
const deepseekChat = { input: parseUsd('0.14'), output: parseUsd('0.28'), cachedInput: parseUsd('0.0028') };

describe('computeCost', () => {
  it('prices 1M deepseek-chat input tokens at $0.1477 in standard mode (the worked example)', () => {
    expect(computeCost({ promptTokens: 1_000_000, cachedTokens: 0, completionTokens: 0 }, deepseekChat, STANDARD)).toBe(14_770_000);
  });

  it('prices the provider cost at list price with a multiplier of one', () => {
    expect(computeCost({ promptTokens: 1_000_000, cachedTokens: 0, completionTokens: 0 }, deepseekChat, ONE)).toBe(14_000_000);
  });

  it('charges cached prompt tokens at the cached price and the rest at the input price', () => {
    // (600k × 14e6 + 400k × 280k + 0) / 1e6 = 8,400,000 + 112,000
    expect(computeCost({ promptTokens: 1_000_000, cachedTokens: 400_000, completionTokens: 0 }, deepseekChat, ONE)).toBe(8_512_000);
  });

  it('charges cached tokens at the input price when the model has no cached price', () => {
    const price = { input: parseUsd('0.50'), output: parseUsd('0.50') };
    expect(computeCost({ promptTokens: 1000, cachedTokens: 1000, completionTokens: 0 }, price, ONE)).toBe(50_000);
  });

  it('charges completion tokens (reasoning included) at the output price', () => {
    expect(computeCost({ promptTokens: 0, cachedTokens: 0, completionTokens: 1_000_000 }, deepseekChat, STANDARD)).toBe(29_540_000);
  });

  it.each([
    // 1 token at 14e6/1M = 14 units × 1.055 = 14.77 → 15
    [{ promptTokens: 1, cachedTokens: 0, completionTokens: 0 }, 15],
    // 10 tokens: 147.7 → 148
    [{ promptTokens: 10, cachedTokens: 0, completionTokens: 0 }, 148],
    // 100 tokens: 1477 exactly
    [{ promptTokens: 100, cachedTokens: 0, completionTokens: 0 }, 1477],
  ])('rounds half-up once, at the end: %j → %i units', (usage, units) => {
    expect(computeCost(usage, deepseekChat, STANDARD)).toBe(units);
  });

  it('rounds an exact half up', () => {
    // 1 token at 500,000 units per 1M tokens is exactly 0.5 units.
    const price = { input: 500_000, output: 0 };
    expect(computeCost({ promptTokens: 1, cachedTokens: 0, completionTokens: 0 }, price, parseRate('1'))).toBe(1); // 0.5 → 1
    expect(computeCost({ promptTokens: 1, cachedTokens: 0, completionTokens: 0 }, { input: 499_999, output: 0 }, ONE)).toBe(0);
  });

  it('costs nothing for no tokens', () => {
    expect(computeCost({ promptTokens: 0, cachedTokens: 0, completionTokens: 0 }, deepseekChat, STANDARD)).toBe(0);
  });

  it('computes the BYOK routing fee as 5% of the provider cost', () => {
    expect(computeCost({ promptTokens: 1_000_000, cachedTokens: 0, completionTokens: 0 }, deepseekChat, parseRate('0.05'))).toBe(700_000);
  });

  it('stays exact where floating point would not (large counts)', () => {
    const usage = { promptTokens: 987_654_321, cachedTokens: 123_456_789, completionTokens: 555_555_555 };
    // exact: (864,197,532 × 14e6 + 123,456,789 × 280,000 + 555,555,555 × 28e6) × 1055 / (1e6 × 1000)
    const exact = (864_197_532n * 14_000_000n + 123_456_789n * 280_000n + 555_555_555n * 28_000_000n) * 1055n;
    const expected = Number((2n * exact + 2_000_000_000n) / (2n * 1_000_000_000n));
    expect(computeCost(usage, deepseekChat, STANDARD)).toBe(expected);
  });
});

describe('parseRate', () => {
  it.each([
    ['0.055', { numerator: 55n, denominator: 1000n }],
    ['0.05', { numerator: 5n, denominator: 100n }],
    ['1', { numerator: 1n, denominator: 1n }],
  ])('parses %s exactly', (text, rate) => {
    expect(parseRate(text)).toEqual(rate);
  });

  it.each(['-0.1', 'abc', '1e-3', ''])('rejects %j', (text) => {
    expect(() => parseRate(text)).toThrow(RangeError);
  });

  it('makes the standard multiplier 1.055', () => {
    expect(onePlus(parseRate('0.055'))).toEqual({ numerator: 1055n, denominator: 1000n });
  });
});
