/**
 * The one place an upstream failure becomes what the client sees. The
 * provider's own words reach the client only for faults in the client's request,
 * and only after anything that looks like a key is masked.
 */
import {
  contentFiltered,
  contextLengthExceeded,
  providerRejectedRequest,
  providerUnavailable,
  upstreamStreamInterrupted,
  upstreamTimeout,
  type ApiError,
} from '../errors';
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
      return providerRejectedRequest(`${provider} rejected the request${detail ? `: ${detail}` : '.'}${codeNote}`);
    case 'context_length':
      return contextLengthExceeded(`The request is longer than the model's context window (${provider}${detail ? `: ${detail}` : ''}).`);
    case 'content_filter':
      return contentFiltered(`${provider}'s content filter blocked this request${codeNote}.`);
    case 'timeout':
      return upstreamTimeout(`${provider} did not answer in time. Please retry.`);
    case 'stream_cut':
      return upstreamStreamInterrupted(`The stream from ${provider} ended before the answer was complete.`);
    default:
      return providerUnavailable(`${provider} is unavailable right now (${describeKind(failure.kind)}). Please retry.`, failure.retryAfterMs ?? 1_000);
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
