/**
 * Money as the pages show it to a person. The API, headers and exports keep
 * base/money.ts's formatUsd (up to 6 decimals, trailing zeros trimmed: "1.6");
 * a page shows "$1.60". Amounts are integer units (1e-8 USD), rounded here in
 * bigint, half away from zero, never through a float.
 */
const UNIT_DECIMALS = 8;
/** The smallest request cost shown as digits: $0.000001. */
const SMALLEST_COST = 100n;
/** From a cent up, a total reads like a balance. */
const ONE_CENT = 1_000_000n;

type Units = number | bigint;

function magnitude(units: Units): { negative: boolean; abs: bigint } {
  if (typeof units === 'number' && !Number.isSafeInteger(units)) throw new RangeError(`units must be a safe integer: ${units}`);
  const value = BigInt(units);
  return { negative: value < 0n, abs: value < 0n ? -value : value };
}

const grouped = (whole: bigint) => whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** "$1,234.50": rounded half-up to `maxDecimals`, trailing zeros trimmed down to `minDecimals`; no "-$0.00". */
function dollars(units: Units, maxDecimals: number, minDecimals: number): string {
  const { negative, abs } = magnitude(units);
  const step = 10n ** BigInt(UNIT_DECIMALS - maxDecimals);
  const rounded = (abs + step / 2n) / step;
  const scale = 10n ** BigInt(maxDecimals);
  const fraction = (rounded % scale).toString().padStart(maxDecimals, '0');
  const shown = fraction.slice(0, minDecimals) + fraction.slice(minDecimals).replace(/0+$/, '');
  const text = `$${grouped(rounded / scale)}${shown ? `.${shown}` : ''}`;
  return negative && rounded !== 0n ? `-${text}` : text;
}

/** A balance, hold, recharge or limit: 2 decimals ("$1.60", "$8.86", "$1,234.50"). */
export const balance = (units: Units): string => dollars(units, 2, 2);

/** One request's cost: up to 6 decimals, at least 2 ("$0.000296", "$0.10"); a nonzero cost under $0.000001 is "<$0.000001", never "$0.00". */
export function requestCost(units: Units): string {
  const { negative, abs } = magnitude(units);
  if (abs > 0n && abs < SMALLEST_COST) return negative ? '>-$0.000001' : '<$0.000001';
  return dollars(units, 6, 2);
}

/** A sum of request costs (a chart, an estimate, what a key spent): a balance from a cent up, a request's cost below it (never "$0.00" when not zero). */
export function total(units: Units): string {
  return magnitude(units).abs >= ONE_CENT ? balance(units) : requestCost(units);
}

/** A price per 1M tokens as the catalog has it, to the unit, at least 2 decimals ("$0.14", "$1.60", "$0.0028"). */
export const pricePerMillion = (units: Units): string => dollars(units, UNIT_DECIMALS, 2);
