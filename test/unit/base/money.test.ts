import { describe, expect, it } from 'vitest';
import { formatUsd, parseDollarsAndCents, parseUsd, UNITS_PER_USD } from '../../../src/base/money';

describe('parseUsd', () => {
  it.each([
    ['0.14', 14_000_000],
    ['0.0028', 280_000],
    ['1', 100_000_000],
    ['0', 0],
    ['10.5', 1_050_000_000],
    ['0.00000001', 1],
    ['1.12345678', 112_345_678],
    ['90071992.54740991', Number.MAX_SAFE_INTEGER],
  ])('"%s" is %i units', (text, units) => {
    expect(parseUsd(text)).toBe(units);
  });

  it.each(['-1', '1.123456789', 'abc', '1e3', '', ' 1', '1 ', '.5', '1.', '1,5', '$1', '+1', '0x10', 'Infinity'])(
    'rejects %j',
    (text) => {
      expect(() => parseUsd(text)).toThrow(RangeError);
    },
  );

  it('rejects an amount beyond the safe integer range', () => {
    expect(() => parseUsd('90071992.54740992')).toThrow(RangeError);
  });

  it('one dollar is UNITS_PER_USD units', () => {
    expect(BigInt(parseUsd('1'))).toBe(UNITS_PER_USD);
  });
});

describe('formatUsd', () => {
  it.each([
    [42_000, '0.00042'],
    [905_000_000, '9.05'],
    [0, '0'],
    [14_770_000, '0.1477'],
    [100_000_000, '1'],
    [123_456_789_000, '1234.56789'],
  ])('%i units is "%s"', (units, text) => {
    expect(formatUsd(units)).toBe(text);
  });

  it.each([
    [49, '0'],
    [50, '0.000001'],
    [149, '0.000001'],
    [150, '0.000002'],
    [99_999_950, '1'],
    [99_999_949, '0.999999'],
  ])('rounds half-up at the 7th decimal: %i units is "%s"', (units, text) => {
    expect(formatUsd(units)).toBe(text);
  });

  it.each([
    [-42_000, '-0.00042'],
    [-905_000_000, '-9.05'],
    [-50, '-0.000001'],
    [-150, '-0.000002'],
    [-49, '0'],
  ])('negative %i units is "%s"', (units, text) => {
    expect(formatUsd(units)).toBe(text);
  });

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])('rejects %d units', (units) => {
    expect(() => formatUsd(units)).toThrow(RangeError);
  });

  it.each(['0.14', '0.1477', '9.05', '0.000001', '1234.56789'])('formats parseUsd("%s") back to the same text', (text) => {
    expect(formatUsd(parseUsd(text))).toBe(text);
  });
});

describe('parseDollarsAndCents', () => {
  it('reads what a card can pay, exactly', () => {
    expect([25, 25.5, '10.99', 0.01].map(parseDollarsAndCents)).toEqual([25e8, 25.5e8, 10.99e8, 0.01e8]);
  });

  it('refuses fractions of a cent, zero, negatives and words', () => {
    expect([12.345, 0, -5, '1e3', 'ten', '', 0.1 + 0.2].map(parseDollarsAndCents)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});
