import { describe, expect, it } from 'vitest';
import type { ApiError } from '../../../src/errors';
import type { UpstreamFailure, UpstreamFailureKind } from '../../../src/base/upstream';
import { failureToError, redactProviderMessage } from '../../../src/routing/failure-to-error';

const wire = (error: ApiError) => ({
  status: error.status,
  type: error.type,
  code: error.code,
  param: error.param,
  headers: error.headers,
});

const unavailable: ReturnType<typeof wire> = {
  status: 503,
  type: 'server_error',
  code: 'provider_unavailable',
  param: null,
  headers: { 'Retry-After': '1' },
};

const KINDS: [UpstreamFailureKind, ReturnType<typeof wire>][] = [
  ['bad_request', { status: 400, type: 'invalid_request_error', code: 'provider_rejected_request', param: null, headers: {} }],
  ['context_length', { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages', headers: {} }],
  ['content_filter', { status: 400, type: 'invalid_request_error', code: 'content_filtered', param: null, headers: {} }],
  ['timeout', { status: 504, type: 'server_error', code: 'upstream_timeout', param: null, headers: {} }],
  ['stream_cut', { status: 502, type: 'server_error', code: 'upstream_stream_interrupted', param: null, headers: {} }],
  ['auth', unavailable],
  ['balance', unavailable],
  ['rate_limit', unavailable],
  ['overloaded', unavailable],
  ['server', unavailable],
  ['not_found', unavailable],
  ['connection', unavailable],
  ['invalid_response', unavailable],
];

describe('failureToError', () => {
  it.each(KINDS.map(([kind, expected]) => [kind, expected.status, expected.code, expected] as const))('%s becomes %i %s', (kind, _status, _code, expected) => {
    expect(wire(failureToError({ kind, provider: 'deepseek' }))).toEqual(expected);
  });

  it.each([
    [undefined, '1'],
    [0, '1'],
    [999, '1'],
    [1001, '2'],
    [2500, '3'],
    [60_000, '60'],
  ])('a 503 after retryAfterMs %s says Retry-After %s', (retryAfterMs, header) => {
    const failure: UpstreamFailure = { kind: 'rate_limit', provider: 'kimi', ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    expect(failureToError(failure).headers).toEqual({ 'Retry-After': header });
  });

  it.each([
    ['rate_limit', 'kimi is unavailable right now (rate limited). Please retry.'],
    ['overloaded', 'kimi is unavailable right now (overloaded). Please retry.'],
    ['connection', 'kimi is unavailable right now (connection failed). Please retry.'],
    ['invalid_response', 'kimi is unavailable right now (invalid response). Please retry.'],
    ['server', 'kimi is unavailable right now (server error). Please retry.'],
  ] as const)('%s is explained as %j', (kind, message) => {
    expect(failureToError({ kind, provider: 'kimi', providerMessage: 'internal detail' }).message).toBe(message);
  });

  it.each(['auth', 'balance', 'not_found'] as const)('%s never shows the provider message, only "provider account error"', (kind) => {
    const failure: UpstreamFailure = {
      kind,
      provider: 'deepseek',
      providerCode: 'invalid_request_error',
      providerMessage: 'Authentication Fails, Your api key: ****-key is invalid; Insufficient Balance for org-123',
    };
    expect(failureToError(failure).message).toBe('deepseek is unavailable right now (provider account error). Please retry.');
  });

  it('bad_request shows the provider message and code', () => {
    const failure: UpstreamFailure = { kind: 'bad_request', provider: 'qwen', providerCode: 'InvalidParameter', providerMessage: 'top_k must be positive' };
    expect(failureToError(failure).message).toBe('qwen rejected the request: top_k must be positive (provider code: InvalidParameter)');
  });

  it('bad_request without a provider message says so plainly', () => {
    expect(failureToError({ kind: 'bad_request', provider: 'qwen' }).message).toBe('qwen rejected the request.');
  });

  it('bad_request redacts a key in the provider message', () => {
    const failure: UpstreamFailure = { kind: 'bad_request', provider: 'deepseek', providerMessage: 'Key sk-abcdef123456 may not call this model' };
    expect(failureToError(failure).message).toBe('deepseek rejected the request: Key [redacted] may not call this model');
  });

  it.each(['****-key', '****a1b2'])('bad_request redacts a masked key such as "Your api key: %s"', (masked) => {
    const failure: UpstreamFailure = { kind: 'bad_request', provider: 'deepseek', providerMessage: `Authentication Fails, Your api key: ${masked} is invalid` };
    expect(failureToError(failure).message).not.toContain(masked);
  });

  it('context_length shows the redacted provider message', () => {
    const failure: UpstreamFailure = { kind: 'context_length', provider: 'kimi', providerMessage: 'Your request exceeded model token limit: 262144 (key sk-abcdef123456)' };
    expect(failureToError(failure).message).toBe(
      "The request is longer than the model's context window (kimi: Your request exceeded model token limit: 262144 (key [redacted])).",
    );
  });

  it('content_filter names the provider code but not the provider message', () => {
    const failure: UpstreamFailure = { kind: 'content_filter', provider: 'zhipu', providerCode: '1301', providerMessage: '系统检测到输入或生成内容可能包含不安全或敏感内容' };
    expect(failureToError(failure).message).toBe("zhipu's content filter blocked this request (provider code: 1301).");
  });

  it('renders OpenAI\'s error wire shape', () => {
    expect(failureToError({ kind: 'timeout', provider: 'stepfun' }).toJSON()).toEqual({
      error: { message: 'stepfun did not answer in time. Please retry.', type: 'server_error', param: null, code: 'upstream_timeout' },
    });
  });
});

describe('redactProviderMessage', () => {
  it.each([
    ['an sk- key', 'bad key sk-abcdef123456 here', 'bad key [redacted] here'],
    ['a find-token key', `key sk-ft_${'a'.repeat(64)} revoked`, 'key [redacted] revoked'],
    ['an ak_ key', 'ak_1234abcd is disabled', '[redacted] is disabled'],
    ['a zhipu id.secret key', 'key 0123456789abcdef0123456789abcdef.AbCdEfGhIjKlMnOp is invalid', 'key [redacted] is invalid'],
    ['every key in the message', 'sk-aaaa1111 and sk-bbbb2222', '[redacted] and [redacted]'],
    ['nothing when there is no key', 'temperature must be in (0, 1]', 'temperature must be in (0, 1]'],
  ])('redacts %s', (_name, message, expected) => {
    expect(redactProviderMessage(message)).toBe(expected);
  });

  it('keeps at most 500 characters', () => {
    expect(redactProviderMessage('x'.repeat(800))).toBe('x'.repeat(500));
  });

  it.each([undefined, ''])('gives undefined for %j', (message) => {
    expect(redactProviderMessage(message)).toBeUndefined();
  });
});
