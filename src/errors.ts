/**
 * One error hierarchy, one wire shape: every failure the gateway reports is an
 * ApiError rendered as OpenAI's `{"error":{"message","type","param","code"}}`.
 * Each code is made by exactly one factory below, which fixes its status and
 * type; callers supply only what varies (the message, the parameter). A
 * `cause` is logged once, by the app's error handler, and never sent.
 */
import { logError } from './base/log';
import { retryAfterHeader } from './base/retry-after';

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'server_error';

export interface ApiErrorInit {
  status: number;
  type: ErrorType;
  code: string;
  message: string;
  param?: string | null;
  headers?: Record<string, string>;
  /** What went wrong inside (logged, never sent). */
  cause?: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(init: ApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ApiError';
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param ?? null;
    this.headers = init.headers ?? {};
  }

  toJSON(): { error: { message: string; type: ErrorType; param: string | null; code: string } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  toResponse(): Response {
    return Response.json(this.toJSON(), { status: this.status, headers: this.headers });
  }
}

/** The message of anything thrown, for a log line (never for a response). */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Logs what went wrong inside an error, once, where it is answered (never the response): the causes, outermost first. */
export function logCause(error: ApiError, requestId: string): void {
  if (error.cause === undefined) return;
  const chain: string[] = [];
  for (let cause: unknown = error.cause; cause !== undefined && chain.length < 5; cause = cause instanceof Error ? cause.cause : undefined) {
    chain.push(messageOf(cause));
  }
  logError('error', { requestId, code: error.code, status: error.status, message: error.message, cause: chain.join(' ← ') });
}

type Extra = Pick<ApiErrorInit, 'param' | 'headers' | 'cause'>;

const error = (status: number, type: ErrorType, code: string, message: string, extra: Extra = {}): ApiError =>
  new ApiError({ status, type, code, message, ...extra });

// 400: the request is wrong; the message says how.
export const invalidValue = (message: string, param: string | null = null): ApiError => error(400, 'invalid_request_error', 'invalid_value', message, { param });
export const missingParameter = (param: string): ApiError =>
  error(400, 'invalid_request_error', 'missing_required_parameter', `Missing required parameter: '${param}'.`, { param });
export const invalidJson = (message: string): ApiError => error(400, 'invalid_request_error', 'invalid_json', message);
export const unsupportedParameter = (message: string, param: string): ApiError => error(400, 'invalid_request_error', 'unsupported_parameter', message, { param });
export const contextLengthExceeded = (message: string): ApiError => error(400, 'invalid_request_error', 'context_length_exceeded', message, { param: 'messages' });
export const providerRejectedRequest = (message: string): ApiError => error(400, 'invalid_request_error', 'provider_rejected_request', message);
export const contentFiltered = (message: string): ApiError => error(400, 'invalid_request_error', 'content_filtered', message);
export const invalidProviderKey = (message: string, param: string): ApiError => error(400, 'invalid_request_error', 'invalid_provider_key', message, { param });
export const providerKeyRequired = (model: { id: string; provider: string }): ApiError =>
  error(
    400,
    'invalid_request_error',
    'provider_key_required',
    `billing_mode "byok" needs your own ${model.provider} key for ${model.id}: send provider_key, or register one (POST /v1/user/byok/register).`,
    { param: 'provider_key' },
  );
export const tooManyKeys = (message: string): ApiError => error(400, 'invalid_request_error', 'too_many_keys', message);
export const amountTooSmall = (message: string): ApiError => error(400, 'invalid_request_error', 'amount_too_small', message, { param: 'amount' });
export const amountTooLarge = (message: string): ApiError => error(400, 'invalid_request_error', 'amount_too_large', message, { param: 'amount' });
export const balanceWouldGoNegative = (message: string): ApiError => error(400, 'invalid_request_error', 'balance_would_go_negative', message, { param: 'amount' });
export const notRefundable = (message: string): ApiError => error(400, 'invalid_request_error', 'not_refundable', message);
export const refundWindowPassed = (message: string): ApiError => error(400, 'invalid_request_error', 'refund_window_passed', message);
export const refundTooLarge = (message: string): ApiError => error(400, 'invalid_request_error', 'refund_too_large', message, { param: 'amount' });
export const refundExceedsUnspent = (message: string): ApiError => error(400, 'invalid_request_error', 'refund_exceeds_unspent', message, { param: 'amount' });
export const invalidWebhook = (message: string): ApiError => error(400, 'invalid_request_error', 'invalid_webhook', message);

// 401: who is calling.
export const invalidApiKey = (message: string): ApiError => error(401, 'authentication_error', 'invalid_api_key', message);
export const revokedKey = (): ApiError => invalidApiKey('This API key has been revoked.');
export const keyExpired = (expiredAt: string): ApiError =>
  error(401, 'authentication_error', 'key_expired', `This API key expired at ${expiredAt}. Make a new key in the dashboard.`);
export const invalidAdminToken = (): ApiError => error(401, 'authentication_error', 'invalid_admin_token', 'Invalid admin token.');
export const accountDeactivated = (): ApiError =>
  error(401, 'invalid_request_error', 'account_deactivated', 'This account was deactivated after 12 months without activity. Sign in to the dashboard to reactivate it.');

// 403: the key is known, but may not act.
export const accountSuspended = (): ApiError =>
  error(403, 'permission_error', 'account_suspended', 'This account is suspended: its API keys are refused until the suspension is lifted. Contact support.');

export const insufficientScope = (scope: string): ApiError =>
  error(403, 'permission_error', 'insufficient_scope', `This API key lacks the '${scope}' scope this endpoint needs. Use a key with it, or make one in the dashboard.`);
export const keyLimitExceeded = (message: string): ApiError => error(403, 'permission_error', 'key_limit_exceeded', message);
export const modelNotAllowed = (model: string, models: readonly string[], param = 'model'): ApiError =>
  error(403, 'permission_error', 'model_not_allowed', `This API key may not use the model '${model}'; it may use only: ${models.join(', ')}.`, { param });

// 402, 404, 409, 413, 422, 429: the account's money, what does not exist, limits.
export const insufficientCredits = (message: string): ApiError => error(402, 'invalid_request_error', 'insufficient_credits', message);
export const unknownUrl = (message: string): ApiError => error(404, 'not_found_error', 'unknown_url', message);
/** `what` names the code: `account` → account_not_found. */
export const notFound = (what: 'account' | 'recharge' | 'billing_log' | 'key' | 'provider_key' | 'export', message: string): ApiError =>
  error(404, 'not_found_error', `${what}_not_found`, message);
/** `hint`: what the client should do instead (the Messages API names Claude Code's model variables). */
export const modelNotFound = (model: string, hint = 'GET /v1/models lists the available models.'): ApiError =>
  error(404, 'invalid_request_error', 'model_not_found', `The model '${model}' does not exist. ${hint}`, { param: 'model' });
export const accountExists = (): ApiError => error(409, 'invalid_request_error', 'account_exists', 'An account with this email already exists.', { param: 'email' });
/** An Idempotency-Key sent again with another body: the first request's effect stands, this one is refused. */
export const idempotencyKeyReused = (): ApiError =>
  error(422, 'invalid_request_error', 'idempotency_key_reused', 'This Idempotency-Key was already used with a different amount or reason; use a new key for a new adjustment.', {
    param: 'Idempotency-Key',
  });
export const payloadTooLarge = (limit: number): ApiError => error(413, 'invalid_request_error', 'request_too_large', `The request body is larger than ${limit} bytes.`);
/** `per`: what the limit counts (an account's requests per minute, or its Checkout Sessions per hour). */
export const rateLimited = (limit: number, retryAfterSeconds: number, per = 'requests per minute'): ApiError =>
  error(429, 'rate_limit_error', 'rate_limit_exceeded', `Rate limit reached: ${limit} ${per}. Retry after ${retryAfterSeconds} s.`, {
    headers: retryAfterHeader(retryAfterSeconds * 1000),
  });
/** An account with MAX_PENDING_EXPORTS exports still being built asks for another. */
export const tooManyExports = (limit: number): ApiError =>
  error(429, 'rate_limit_error', 'too_many_exports', `At most ${limit} exports may be built at once for an account; wait for one to finish.`);

// 5xx: ours or a provider's; the client may retry.
export const internalError = (cause?: unknown): ApiError =>
  error(500, 'server_error', 'internal_error', 'The server had an error while processing your request. Please retry.', { cause });
export const refundFailed = (cause?: unknown): ApiError =>
  error(502, 'server_error', 'refund_failed', 'The payment provider refused the refund; the credits stay on the account.', { cause });
export const upstreamStreamInterrupted = (message: string): ApiError => error(502, 'server_error', 'upstream_stream_interrupted', message);
export const providerNotConfigured = (message: string): ApiError => error(503, 'server_error', 'provider_not_configured', message);
export const providerUnavailable = (message: string, retryAfterMs?: number): ApiError =>
  error(503, 'server_error', 'provider_unavailable', message, retryAfterMs === undefined ? {} : { headers: retryAfterHeader(retryAfterMs) });
export const allProvidersUnavailable = (message: string, retryAfterMs: number): ApiError =>
  error(503, 'server_error', 'all_providers_unavailable', message, { headers: retryAfterHeader(retryAfterMs) });
/** Stored provider keys cannot be sealed or opened: no master key (register), an old one missing (rotate), or a record that does not open (use). */
export const byokUnavailable = (message: string, cause?: unknown): ApiError => error(503, 'server_error', 'byok_unavailable', message, { cause });
/** D1 could not tell which key a token is (the isolate had not seen it). */
export const authUnavailable = (cause?: unknown): ApiError =>
  error(503, 'server_error', 'auth_unavailable', 'API keys cannot be checked right now. Please retry.', { cause, headers: retryAfterHeader(1_000) });
/** D1 could not be read and the account object does not hold the row either. */
export const billingLogsUnavailable = (cause?: unknown): ApiError =>
  error(503, 'server_error', 'billing_logs_unavailable', 'Billing logs cannot be read right now. Please retry.', { cause, headers: retryAfterHeader(1_000) });
export const paymentsUnavailable = (message: string, cause?: unknown): ApiError => error(503, 'server_error', 'payments_unavailable', message, { cause });
export const webhooksUnavailable = (message: string): ApiError => error(503, 'server_error', 'webhooks_unavailable', message);
export const mailUnavailable = (): ApiError => error(503, 'server_error', 'mail_unavailable', 'Email cannot be sent from this gateway (no email sender is configured). Please contact the operator.');
export const linksUnavailable = (): ApiError => error(503, 'server_error', 'links_unavailable', 'Links cannot be made on this gateway (PUBLIC_URL is not set). Please contact the operator.');
export const upstreamTimeout = (message: string): ApiError => error(504, 'server_error', 'upstream_timeout', message);
