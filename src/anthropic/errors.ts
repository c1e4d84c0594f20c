/**
 * Errors on /v1/messages* in Anthropic's shape, `{"type":"error","error":{"type","message"}}`,
 * with the status and headers (Retry-After, X-FindToken-*) the same ApiError carries in
 * OpenAI's shape everywhere else. Anthropic's SDKs pick their error class by status, and
 * Claude Code reads the type; the OpenAI `code` has no place in this shape.
 */
import type { ApiError } from '../errors';

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: AnthropicErrorType; message: string };
}

/** The paths that answer in Anthropic's shape. */
export const isMessagesPath = (path: string): boolean => /^\/v1\/messages(\/|$)/.test(path);

/** Anthropic's type for a status, as its API documents them (an unlisted 4xx is a bad request, a 5xx ours). */
export function anthropicErrorTypeOf(status: number): AnthropicErrorType {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
      // Every 503 here means "no capacity right now, retry": Anthropic's overloaded.
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return status < 500 ? 'invalid_request_error' : 'api_error';
  }
}

/**
 * Anthropic's type for an OpenAI-shaped error object (a stream's error event, which carries no
 * status): by its type, and for a server error by its code.
 */
export function anthropicErrorTypeOfOpenAi(type: unknown, code: unknown): AnthropicErrorType {
  switch (type) {
    case 'authentication_error':
    case 'permission_error':
    case 'not_found_error':
    case 'rate_limit_error':
    case 'invalid_request_error':
      return type;
  }
  if (typeof code === 'string' && code.endsWith('_unavailable')) return 'overloaded_error';
  if (code === 'upstream_timeout') return 'timeout_error';
  return 'api_error';
}

export const anthropicErrorBody = (type: AnthropicErrorType, message: string): AnthropicErrorBody => ({ type: 'error', error: { type, message } });

export function anthropicErrorResponse(error: ApiError): Response {
  return Response.json(anthropicErrorBody(anthropicErrorTypeOf(error.status), error.message), { status: error.status, headers: error.headers });
}
