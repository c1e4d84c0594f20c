/**
 * One error hierarchy, one wire shape: every failure the gateway reports is an
 * ApiError rendered as OpenAI's `{"error":{"message","type","param","code"}}`.
 * Internal detail is logged, never sent.
 */
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
  /** Whether the same request may succeed if sent again (routing uses it). */
  retryable?: boolean;
  headers?: Record<string, string>;
}

export class ApiError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string;
  readonly param: string | null;
  readonly retryable: boolean;
  readonly headers: Record<string, string>;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param ?? null;
    this.retryable = init.retryable ?? false;
    this.headers = init.headers ?? {};
  }

  toJSON(): { error: { message: string; type: ErrorType; param: string | null; code: string } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  toResponse(extraHeaders: Record<string, string> = {}): Response {
    return Response.json(this.toJSON(), {
      status: this.status,
      headers: { ...this.headers, ...extraHeaders },
    });
  }
}

export const invalidRequest = (message: string, param: string | null = null, code = 'invalid_value'): ApiError =>
  new ApiError({ status: 400, type: 'invalid_request_error', code, message, param });

export const invalidApiKey = (message: string): ApiError =>
  new ApiError({ status: 401, type: 'authentication_error', code: 'invalid_api_key', message });

export const revokedKey = (): ApiError => invalidApiKey('This API key has been revoked.');

export const accountDeactivated = (): ApiError =>
  new ApiError({
    status: 401,
    type: 'invalid_request_error',
    code: 'account_deactivated',
    message: 'This account was deactivated after 12 months without activity. Sign in to the dashboard to reactivate it.',
  });

export const notFound = (message: string, code = 'not_found'): ApiError =>
  new ApiError({ status: 404, type: 'not_found_error', code, message });

export const modelNotFound = (model: string): ApiError =>
  new ApiError({
    status: 404,
    type: 'invalid_request_error',
    code: 'model_not_found',
    param: 'model',
    message: `The model '${model}' does not exist. GET /v1/models lists the available models.`,
  });

export const payloadTooLarge = (limit: number): ApiError =>
  new ApiError({
    status: 413,
    type: 'invalid_request_error',
    code: 'request_too_large',
    message: `The request body is larger than ${limit} bytes.`,
  });

export const internalError = (): ApiError =>
  new ApiError({
    status: 500,
    type: 'server_error',
    code: 'internal_error',
    message: 'The server had an error while processing your request. Please retry.',
  });
