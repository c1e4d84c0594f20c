/** ApiErrors in Anthropic's shape: the type by status (or, in a stream, by OpenAI type and code), status and headers kept. */
import { describe, expect, it } from 'vitest';
import { anthropicErrorResponse, anthropicErrorTypeOf, anthropicErrorTypeOfOpenAi, isMessagesPath } from '../../../src/anthropic/errors';
import { invalidApiKey, rateLimited } from '../../../src/errors';

describe('anthropicErrorTypeOf', () => {
  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [402, 'billing_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [422, 'invalid_request_error'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [502, 'api_error'],
    [503, 'overloaded_error'],
    [504, 'timeout_error'],
  ])('maps %i to %s', (status, type) => {
    expect(anthropicErrorTypeOf(status)).toBe(type);
  });
});

describe('anthropicErrorTypeOfOpenAi', () => {
  it.each([
    ['rate_limit_error', 'rate_limit_exceeded', 'rate_limit_error'],
    ['server_error', 'provider_unavailable', 'overloaded_error'],
    ['server_error', 'upstream_timeout', 'timeout_error'],
    ['server_error', 'upstream_stream_interrupted', 'api_error'],
    ['invalid_request_error', 'content_filtered', 'invalid_request_error'],
  ])('maps %s/%s to %s', (type, code, expected) => {
    expect(anthropicErrorTypeOfOpenAi(type, code)).toBe(expected);
  });
});

describe('anthropicErrorResponse', () => {
  it('renders exactly {type: "error", error: {type, message}} with the status', async () => {
    const response = anthropicErrorResponse(invalidApiKey('Incorrect API key provided.'));
    expect([response.status, await response.json()]).toEqual([401, { type: 'error', error: { type: 'authentication_error', message: 'Incorrect API key provided.' } }]);
  });

  it('keeps the error’s headers (Retry-After on a 429)', () => {
    expect(anthropicErrorResponse(rateLimited(60, 7)).headers.get('Retry-After')).toBe('7');
  });
});

describe('isMessagesPath', () => {
  it.each([
    ['/v1/messages', true],
    ['/v1/messages/count_tokens', true],
    ['/v1/messagesx', false],
    ['/v1/chat/completions', false],
  ])('%s → %s', (path, expected) => {
    expect(isMessagesPath(path)).toBe(expected);
  });
});
