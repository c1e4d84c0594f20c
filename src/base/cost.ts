/**
 * The one cost function. Everything is exact integer arithmetic (BigInt inside):
 *   cost = round_half_up((uncached × in + cached × cached_in + completion × out) / 1e6 × multiplier)
 * with prices in units (1e-8 USD) per 1M tokens and the multiplier an exact decimal.
 */
import type { CatalogModel } from './catalog';

/** An exact decimal as a fraction: "1.055" → 1055/1000. */
export interface Rate {
  numerator: bigint;
  denominator: bigint;
}

export function parseRate(text: string): Rate {
  const match = /^(\d+)(?:\.(\d{1,12}))?$/.exec(text.trim());
  if (!match) throw new RangeError(`not a non-negative decimal: ${text}`);
  const fraction = match[2] ?? '';
  return { numerator: BigInt(`${match[1]}${fraction}`), denominator: 10n ** BigInt(fraction.length) };
}

/** 1 + rate: the standard multiplier from STANDARD_FEE_RATE (0.055 → 1.055). */
export const onePlus = (rate: Rate): Rate => ({ numerator: rate.denominator + rate.numerator, denominator: rate.denominator });

export const ONE: Rate = { numerator: 1n, denominator: 1n };
export const ZERO: Rate = { numerator: 0n, denominator: 1n };

export interface BillableUsage {
  promptTokens: number;
  /** Part of promptTokens read from the provider's cache. */
  cachedTokens: number;
  /** Output tokens, reasoning included. */
  completionTokens: number;
}

const TOKENS_PER_PRICE_UNIT = 1_000_000n;

/** round_half_up(numerator / denominator) for non-negative integers. */
const divideRoundHalfUp = (numerator: bigint, denominator: bigint): bigint => (2n * numerator + denominator) / (2n * denominator);

/** Cost in units of `usage` at `price`, times `multiplier`, rounded half-up once at the end. */
export function computeCost(usage: BillableUsage, price: CatalogModel['price'], multiplier: Rate): number {
  const cached = BigInt(Math.min(usage.cachedTokens, usage.promptTokens));
  const uncached = BigInt(usage.promptTokens) - cached;
  const cachedPrice = BigInt(price.cachedInput ?? price.input);
  const tokenCost = uncached * BigInt(price.input) + cached * cachedPrice + BigInt(usage.completionTokens) * BigInt(price.output);
  const units = divideRoundHalfUp(tokenCost * multiplier.numerator, TOKENS_PER_PRICE_UNIT * multiplier.denominator);
  if (units > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('cost exceeds the safe integer range');
  return Number(units);
}
