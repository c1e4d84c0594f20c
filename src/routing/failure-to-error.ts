/**
 * The one place an upstream failure becomes what the client sees. The
 * provider's own words reach the client only for faults in the client's request,
 * and only after anything that looks like a key is masked.
 */
import { ApiError } from '../errors';
import type { UpstreamFailure } from '../base/upstream';

// Prefixed keys (sk-…), masked keys as providers echo them (****a1b2), and Zhipu's id.secret keys.
const KEY_LIKE = /\b(?:sk|ak|key)[-_][A-Za-z0-9*._-]{4,}|\*{2,}[A-Za-z0-9._-]*|\b[A-Za-z0-9]{24,}\.[A-Za-z0-9]{8,}\b/g;

export function redactProviderMessage(message: string | undefined): string | undefined {
  if (!message) return undefined;
  return message.replace(KEY_LIKE, '[redacted]').slice(0, 500);
}

export function failureToError(failure: UpstreamFailure): ApiError {
  const { provider } = failure;
  const detail = redactProviderMessage(failure.providerMessage);
  const codeNote = failure.providerCode ? ` (provider code: ${failure.providerCode})` : '';
  switch (failure.kind) {
    case 'bad_request':
      return new ApiError({
        status: 400,
        type: 'invalid_request_error',
        code: 'provider_rejected_request',
        message: `${provider} rejected the request${detail ? `: ${detail}` : '.'}${codeNote}`,
      });
    case 'context_length':
      return new ApiError({
        status: 400,
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
        param: 'messages',
        message: `The request is longer than the model's context window (${provider}${detail ? `: ${detail}` : ''}).`,
      });
    case 'content_filter':
      return new ApiError({
        status: 400,
        type: 'invalid_request_error',
        code: 'content_filtered',
        message: `${provider}'s content filter blocked this request${codeNote}.`,
      });
    case 'timeout':
      return new ApiError({
        status: 504,
        type: 'server_error',
        code: 'upstream_timeout',
        retryable: true,
        message: `${provider} did not answer in time. Please retry.`,
      });
    case 'stream_cut':
      return new ApiError({
        status: 502,
        type: 'server_error',
        code: 'upstream_stream_interrupted',
        retryable: true,
        message: `The stream from ${provider} ended before the answer was complete.`,
      });
    default: {
      const retryAfter = failure.retryAfterMs === undefined ? 1 : Math.max(1, Math.ceil(failure.retryAfterMs / 1000));
      return new ApiError({
        status: 503,
        type: 'server_error',
        code: 'provider_unavailable',
        retryable: true,
        headers: { 'Retry-After': String(retryAfter) },
        message: `${provider} is unavailable right now (${describeKind(failure.kind)}). Please retry.`,
      });
    }
  }
}

function describeKind(kind: UpstreamFailure['kind']): string {
  switch (kind) {
    case 'rate_limit':
      return 'rate limited';
    case 'overloaded':
      return 'overloaded';
    case 'connection':
      return 'connection failed';
    case 'invalid_response':
      return 'invalid response';
    case 'auth':
    case 'balance':
    case 'not_found':
      // The platform's own account or key with the provider: our problem, not the caller's.
      return 'provider account error';
    default:
      return 'server error';
  }
}
