import { describe, expect, it } from 'vitest';
import { affordableOutput, decideHold, holdCost, holdSize, outputCap, OUTPUT_FLOOR_TOKENS, type HoldTerms } from '../../../src/account/hold-size';
import { findModel } from '../../../src/base/catalog';
import { onePlus, parseRate, ZERO, type Rate } from '../../../src/base/cost';

const deepseek = findModel('deepseek-chat')!;
const STANDARD = onePlus(parseRate('0.055'));

/** deepseek-chat at the standard fee: 14.77 units per prompt token, 29.54 per output token. "Hello!" is 6 tokens. */
const terms = (overrides: Partial<HoldTerms> = {}): HoldTerms => ({ promptTokens: 6, price: deepseek.price, multiplier: STANDARD, cap: deepseek.maxOutputTokens, ...overrides });
const FLOOR = OUTPUT_FLOOR_TOKENS;

describe('holdSize: without max_tokens', () => {
  it.each([
    // The user guide's example on $10: the whole cap, $0.11343449.
    ['a balance that covers the cap holds the cap', 1_000_000_000, { ok: true, outputTokens: 384_000, amount: 11_343_449 }],
    ['exactly the cap’s cost still holds the cap', 11_343_449, { ok: true, outputTokens: 384_000, amount: 11_343_449 }],
    ['one unit less holds one token less', 11_343_448, { ok: true, outputTokens: 383_999, amount: 11_343_419 }],
    // $0.05: 88.62 + 29.54 × 169,259 = 4,999,999.48 → 4,999,999; one more token is 5,000,029.
    ['$0.05 holds the most output it affords', 5_000_000, { ok: true, outputTokens: 169_259, amount: 4_999_999 }],
    ['the floor’s cost holds the floor', 561, { ok: true, outputTokens: FLOOR, amount: 561 }],
    ['one unit under the floor’s cost is refused, naming what it affords', 560, { ok: false, required: 561, affordable: 15 }],
    ['not even the prompt: refused, affording nothing', 88, { ok: false, required: 561, affordable: 0 }],
    ['nothing available', 0, { ok: false, required: 561, affordable: 0 }],
    ['a negative availability counts as none', -5, { ok: false, required: 561, affordable: 0 }],
  ])('%s', (_, available, expected) => {
    expect(holdSize({ ...terms(), floor: FLOOR, available })).toEqual(expected);
  });

  it('grants a cap below the floor whole (a prompt that leaves little context)', () => {
    expect(holdSize({ ...terms({ cap: 5 }), floor: FLOOR, available: 1_000 })).toEqual({ ok: true, outputTokens: 5, amount: holdCost(terms(), 5) });
  });

  it('grants the cap when output is free, and refuses only an unaffordable prompt', () => {
    const free = terms({ price: { input: 14_000_000, output: 0 } });
    expect(holdSize({ ...free, floor: FLOOR, available: 89 })).toEqual({ ok: true, outputTokens: 384_000, amount: 89 });
    expect(holdSize({ ...free, floor: FLOOR, available: 88 })).toEqual({ ok: false, required: 89, affordable: 0 });
  });
});

describe('holdSize: with the client’s max_tokens', () => {
  it.each([
    ['held whole when it fits', 100, 3_043, { ok: true, outputTokens: 100, amount: 3_043 }],
    ['refused one unit short, naming the largest max_tokens that fits', 100, 3_042, { ok: false, required: 3_043, affordable: 99 }],
    ['refused, naming 335 for 10,000 units', 1_000, 10_000, { ok: false, required: 29_629, affordable: 335 }],
    ['below the floor is the client’s choice', 3, 178, { ok: true, outputTokens: 3, amount: 177 }],
    ['refused on nothing', 100, 0, { ok: false, required: 3_043, affordable: 0 }],
  ])('%s', (_, requested, available, expected) => {
    expect(holdSize({ ...terms({ requested }), floor: FLOOR, available })).toEqual(expected);
  });
});

describe('outputCap', () => {
  it.each([
    ['the model’s cap when the context has room', 6, 384_000],
    ['what the context window leaves after the prompt', 700_000, 300_000],
    ['at least one token', 1_000_000, 1],
  ])('%s', (_, prompt, expected) => {
    expect(outputCap(deepseek, prompt)).toBe(expected);
  });
});

describe('decideHold: what authorize holds', () => {
  it('checks a fixed amount against what is available', () => {
    expect(decideHold({ amount: 400 }, 1_000)).toEqual({ ok: true, amount: 400 });
    expect(decideHold({ amount: 301 }, 300)).toEqual({ ok: false, refusal: { available: 300, required: 301 } });
  });

  it('grants an output limit only to a request without max_tokens', () => {
    expect(decideHold({ terms: terms() }, 5_000_000)).toEqual({ ok: true, amount: 4_999_999, maxTokens: 169_259 });
    expect(decideHold({ terms: terms({ requested: 100 }) }, 5_000_000)).toEqual({ ok: true, amount: 3_043 });
  });

  it('names the largest affordable max_tokens, and the floor when the client sent none', () => {
    expect(decideHold({ terms: terms() }, 560)).toEqual({ ok: false, refusal: { available: 560, required: 561, affordableMaxTokens: 15, floor: FLOOR } });
    expect(decideHold({ terms: terms({ requested: 1_000 }) }, 10_000)).toEqual({ ok: false, refusal: { available: 10_000, required: 29_629, affordableMaxTokens: 335 } });
  });
});

/** A seeded generator (mulberry32): the same cases every run. */
function random(seed: number): (max: number) => number {
  let state = seed >>> 0;
  return (max) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * (max + 1));
  };
}

describe('holdSize: properties over 2,000 generated cases', () => {
  const next = random(13);
  const rates: Rate[] = [STANDARD, parseRate('0.05'), parseRate('1'), parseRate('1.123456789'), ZERO];
  const cases = Array.from({ length: 2_000 }, () => {
    const generated = terms({
      promptTokens: next(200_000),
      price: { input: next(500_000_000), output: next(3) === 0 ? next(100) : next(2_000_000_000) },
      multiplier: rates[next(rates.length - 1)]!,
      cap: 1 + next(400_000),
    });
    return { terms: generated, available: next(3) === 0 ? next(10_000) : next(5_000_000_000) };
  });

  it('a granted output’s worst case never exceeds what is available, and one more token would (unless it is the cap)', () => {
    for (const { terms: t, available } of cases) {
      const sized = holdSize({ ...t, floor: FLOOR, available });
      if (!sized.ok) continue;
      expect(sized.amount).toBe(holdCost(t, sized.outputTokens));
      expect(sized.amount).toBeLessThanOrEqual(available);
      expect(sized.outputTokens).toBeLessThanOrEqual(t.cap);
      if (sized.outputTokens < t.cap) expect(holdCost(t, sized.outputTokens + 1)).toBeGreaterThan(available);
    }
  });

  it('a refusal names the largest affordable output, which is under the floor', () => {
    for (const { terms: t, available } of cases) {
      const sized = holdSize({ ...t, floor: FLOOR, available });
      if (sized.ok) continue;
      expect(sized.affordable).toBeLessThan(Math.min(FLOOR, t.cap));
      expect(holdCost(t, sized.affordable + 1)).toBeGreaterThan(available);
      if (sized.affordable > 0) expect(holdCost(t, sized.affordable)).toBeLessThanOrEqual(available);
    }
  });

  it('a client’s max_tokens is held exactly when its worst case fits, else the largest that fits is named', () => {
    for (const { terms: t, available } of cases) {
      const requested = 1 + (t.promptTokens % t.cap);
      const sized = holdSize({ ...t, requested, floor: FLOOR, available });
      const cost = holdCost(t, requested);
      expect(sized.ok).toBe(cost <= available);
      if (!sized.ok) {
        expect(sized.affordable).toBe(affordableOutput(t, requested - 1, available));
        expect(holdCost(t, sized.affordable + 1)).toBeGreaterThan(available);
      }
    }
  });
});
