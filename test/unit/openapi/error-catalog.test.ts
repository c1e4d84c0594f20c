import { describe, expect, it } from 'vitest';
import * as errors from '../../../src/errors';
import { CATALOGUED_FACTORIES, ERROR_CODES } from '../../../src/openapi/error-catalog';

describe('the error catalogue', () => {
  it('calls every error factory errors.ts exports', () => {
    const factories = Object.entries(errors)
      .filter(([name, value]) => typeof value === 'function' && !['ApiError', 'messageOf', 'logCause'].includes(name))
      .map(([name]) => name)
      .sort();
    expect([...CATALOGUED_FACTORIES].sort()).toEqual(factories);
  });

  it('lists each code once, with the status and type its factory gives it', () => {
    const codes = ERROR_CODES.map((entry) => entry.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(ERROR_CODES.find((entry) => entry.code === 'insufficient_credits')).toMatchObject({ status: 402, type: 'invalid_request_error' });
    expect(ERROR_CODES.find((entry) => entry.code === 'billing_log_not_found')).toMatchObject({ status: 404, type: 'not_found_error' });
    expect(ERROR_CODES.find((entry) => entry.code === 'invalid_api_key')?.when).toBe('A missing, malformed, unknown or revoked key (a key revoked with its parent included).');
  });
});
