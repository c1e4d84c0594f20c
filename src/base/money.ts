/**
 * Money is integers: 1 unit = $0.00000001 (1e-8 USD). Dollars are parsed and
 * formatted only here, at the edge; nothing in a money path is a float.
 */
export const UNITS_PER_USD = 100_000_000n;
const USD_DECIMALS = 8;

/** Parses a decimal dollar string such as "0.14" into integer units; throws on anything else. */
export function parseUsd(text: string): number {
  const match = /^(\d+)(?:\.(\d{1,8}))?$/.exec(text);
  if (!match) throw new RangeError(`not a dollar amount with at most ${USD_DECIMALS} decimals: ${text}`);
  const whole = BigInt(match[1] ?? '0');
  const fraction = BigInt((match[2] ?? '').padEnd(USD_DECIMALS, '0'));
  const units = whole * UNITS_PER_USD + fraction;
  if (units > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`amount too large: ${text}`);
  return Number(units);
}

/** Parses a signed dollar amount given as a JSON number or string ("-2.5", 10) into units; undefined if not exact to 8 decimals. */
export function parseSignedUsd(value: number | string): number | undefined {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = /^(-?)(\d+(?:\.\d{1,8})?)$/.exec(text);
  if (!match) return undefined;
  try {
    const units = parseUsd(match[2] ?? '');
    return match[1] === '-' ? -units : units;
  } catch {
    return undefined;
  }
}

/** Units of a positive dollar amount with at most 2 decimals (what a card can pay: 25, "25.5", 10.99); undefined otherwise. */
export function parseDollarsAndCents(value: number | string): number | undefined {
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!/^\d+(?:\.\d{1,2})?$/.test(text)) return undefined;
  const units = parseSignedUsd(text);
  return units !== undefined && units > 0 ? units : undefined;
}

/** Formats units as dollars rounded half-up to 6 decimals, trailing zeros trimmed: 42000 → "0.00042". A bigint may be any size (estimates). */
export function formatUsd(units: number | bigint): string {
  if (typeof units === 'number' && !Number.isSafeInteger(units)) throw new RangeError(`units must be a safe integer: ${units}`);
  const negative = units < 0;
  const abs = typeof units === 'bigint' ? (negative ? -units : units) : BigInt(Math.abs(units));
  const micros = (abs + 50n) / 100n; // 1e-6 USD, half-up
  const whole = micros / 1_000_000n;
  const fraction = (micros % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  const text = fraction ? `${whole}.${fraction}` : `${whole}`;
  return negative && micros !== 0n ? `-${text}` : text;
}

/** Money as the API shows it in JSON: a number of dollars rounded to 6 decimals. */
export const usdNumber = (units: number): number => Number(formatUsd(units));
