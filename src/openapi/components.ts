/** The document's shared parts: security schemes, response headers, and error responses grouped by status. */
import { errorCode } from './error-catalog';
import { responseSchema, type SchemaObject } from './json-schema';
import { AnthropicErrorBody } from './messages-contract';
import { ErrorBody } from './response-schemas';

export const SECURITY_SCHEMES = {
  bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'sk-ft_…', description: 'A find-token API key: `Authorization: Bearer sk-ft_…`' },
  apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The same key in Anthropic’s header (the Messages API only)' },
} as const;

const header = (description: string, schema: SchemaObject = { type: 'string' }) => ({ description, schema });

export const HEADERS = {
  'X-Request-Id': header('This request’s id: its billing log’s `request_id` (GET /v1/user/billing-logs/{request_id}).'),
  'Retry-After': header('Seconds to wait before retrying.', { type: 'integer' }),
  'X-FindToken-Mode': header('How the request was billed: `standard` (credits) or `byok` (your provider key).', { type: 'string', enum: ['standard', 'byok'] }),
  'X-FindToken-Provider': header('The provider that served the answer.'),
  'X-FindToken-Model': header('The model that served the answer (you pay its price).'),
  'X-FindToken-Attempts': header('Upstream calls made (retries and failover).', { type: 'integer' }),
  'X-FindToken-Max-Tokens': header('Sent without max_tokens: the output limit find-token sent upstream (what the hold covers).', { type: 'integer' }),
  'X-FindToken-Cost': header('A whole answer: what it was charged, in dollars.'),
  'X-FindToken-Balance': header('A whole answer in standard mode: the balance right after its charge, in dollars.'),
  'X-FindToken-Charge': header('`pending` when the charge could not be recorded in time: it is queued and recorded once, shortly.', { type: 'string', enum: ['pending'] }),
} as const;

export type HeaderName = keyof typeof HEADERS;

const headerRefs = (names: readonly HeaderName[]) => Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

/** A success response: JSON (or SSE) with the headers named. */
export function success(description: string, schema: SchemaObject, headers: readonly HeaderName[] = [], contentType = 'application/json') {
  return { description, headers: headerRefs(['X-Request-Id', ...headers]), content: { [contentType]: { schema } } };
}

/** The codes every keyed request may get, whatever its endpoint. */
export const KEYED_CODES = ['invalid_api_key', 'key_expired', 'account_deactivated', 'account_suspended', 'rate_limit_exceeded', 'auth_unavailable', 'internal_error'] as const;
/** ...and a keyed request with a JSON body. */
export const BODY_CODES = ['invalid_json', 'invalid_value', 'missing_required_parameter', 'request_too_large'] as const;

/**
 * One response per status, listing its codes: the body is OpenAI's error object (Anthropic's on the
 * Messages API) with `code` one of them.
 */
export function errorResponses(codes: readonly string[], shape: 'openai' | 'anthropic' = 'openai') {
  const byStatus = new Map<number, string[]>();
  for (const code of new Set(codes)) {
    const { status } = errorCode(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const schema =
      shape === 'openai'
        ? { allOf: [{ $ref: '#/components/schemas/Error' }, { properties: { error: { properties: { code: { enum: list } } } } }] }
        : { $ref: '#/components/schemas/AnthropicError' };
    const retry: HeaderName[] = status === 429 || status === 503 ? ['Retry-After'] : [];
    responses[String(status)] = { description: list.map((code) => `\`${code}\``).join(', '), headers: headerRefs(['X-Request-Id', ...retry]), content: { 'application/json': { schema } } };
  }
  return responses;
}

export const SCHEMAS = { Error: responseSchema(ErrorBody), AnthropicError: responseSchema(AnthropicErrorBody) };
