import { describe, expect, it } from 'vitest';
import { formatUsd } from '../../../src/base/money';
import { balance, pricePerMillion, requestCost, total } from '../../../src/web/money-view';

describe('balance', () => {
  it.each<[number | bigint, string]>([
    [0, '$0.00'],
    [1, '$0.00'],
    [160_000_000, '$1.60'],
    [886_200_000, '$8.86'],
    [1_000_000_000, '$10.00'],
    // Half-up at the cent: $0.005 is a cent, a unit less is not.
    [500_000, '$0.01'],
    [499_999, '$0.00'],
    [886_500_000, '$8.87'],
    [886_499_999, '$8.86'],
    [123_450_000_000, '$1,234.50'],
    [99_999_999_999, '$1,000.00'],
    [Number.MAX_SAFE_INTEGER, '$90,071,992.55'],
    [10n ** 20n, '$1,000,000,000,000.00'],
    [-160_000_000, '-$1.60'],
    [-500_000, '-$0.01'],
    // No "-$0.00": a negative that rounds to nothing is nothing.
    [-499_999, '$0.00'],
  ])('%s units is %s', (units, text) => {
    expect(balance(units)).toBe(text);
  });

  it('refuses units that are not a safe integer', () => {
    expect(() => balance(1.5)).toThrow(RangeError);
    expect(() => balance(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
  });
});

describe('requestCost', () => {
  it.each<[number | bigint, string]>([
    [0, '$0.00'],
    [1, '<$0.000001'],
    [99, '<$0.000001'],
    [100, '$0.000001'],
    [29_600, '$0.000296'],
    [10_000_000, '$0.10'],
    [160_000_000, '$1.60'],
    [12_345_678, '$0.123457'],
    // Half-up at the sixth decimal.
    [12_345_650, '$0.123457'],
    [12_345_649, '$0.123456'],
    [199_999_999, '$2.00'],
    [123_456_789_012, '$1,234.56789'],
    [-29_600, '-$0.000296'],
    [-1, '>-$0.000001'],
  ])('%s units is %s', (units, text) => {
    expect(requestCost(units)).toBe(text);
  });
});

describe('total', () => {
  it.each<[number | bigint, string]>([
    [0, '$0.00'],
    [1, '<$0.000001'],
    [29_600, '$0.000296'],
    [999_999, '$0.01'],
    [1_000_000, '$0.01'],
    [1_004_999, '$0.01'],
    [5_275_000_000, '$52.75'],
    [158_250_000_000n, '$1,582.50'],
    [-29_600, '-$0.000296'],
  ])('%s units is %s', (units, text) => {
    expect(total(units)).toBe(text);
  });
});

describe('pricePerMillion', () => {
  it.each<[number, string]>([
    [0, '$0.00'],
    [1, '$0.00000001'],
    [14_000_000, '$0.14'],
    [160_000_000, '$1.60'],
    [280_000, '$0.0028'],
    [14_770_000, '$0.1477'],
    [168_800_000, '$1.688'],
    [1_200_000_000_000, '$12,000.00'],
  ])('%s units is %s', (units, text) => {
    expect(pricePerMillion(units)).toBe(text);
  });
});

describe('the API keeps its own format', () => {
  it('formatUsd still trims trailing zeros: "1.6", not "1.60"', () => {
    expect(formatUsd(160_000_000)).toBe('1.6');
    expect(formatUsd(886_200_000)).toBe('8.862');
  });
});
