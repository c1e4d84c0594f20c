/**
 * The one OpenAI-compatible core every provider adapter is a configuration of:
 * request mapping, usage reading, error classification and response/chunk
 * normalization are written here once; provider files override only what differs.
 */
import type { CatalogModel } from '../base/catalog';
import type { ProviderId } from '../base/provider-id';
import type { Classification, ProviderAdapter, UpstreamErrorFields } from './types';
import type { JsonObject, NormalizedUsage } from '../base/upstream';
import { isObject, parseUsage, readErrorFields, type OpenAiUsage } from './upstream-schemas';


/** Builds normalized usage; completion falls back to total − prompt when only the total came. */
export function toNormalizedUsage(usage: OpenAiUsage, cachedTokens?: number): NormalizedUsage {
  const promptTokens = usage.prompt_tokens ?? 0;
  const completionTokens = usage.completion_tokens ?? Math.max(0, (usage.total_tokens ?? 0) - promptTokens);
  const cached = cachedTokens ?? usage.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    promptTokens,
    completionTokens,
    cachedTokens: Math.min(cached, promptTokens),
    reasoningTokens: Math.min(usage.completion_tokens_details?.reasoning_tokens ?? 0, completionTokens),
  };
}

/**
 * Normalizes a usage object whose cached-token count sits in a provider-specific
 * field; `readCached` returns it (non-numbers fall back to OpenAI's field).
 */
export function usageWithCachedField(readCached: (raw: JsonObject) => unknown) {
  return function normalize(value: unknown): NormalizedUsage | undefined {
    const usage = parseUsage(value);
    if (!usage || !isObject(value)) return undefined;
    const cached = readCached(value);
    return toNormalizedUsage(usage, typeof cached === 'number' && cached >= 0 ? cached : undefined);
  };
}

export function convertOpenAiUsage(payload: JsonObject): NormalizedUsage | undefined {
  const usage = parseUsage(payload.usage);
  return usage && toNormalizedUsage(usage);
}

/** The HTTP status alone, for providers whose statuses mean what they say. */
export function classifyByStatus(status: number): Classification {
  if (status === 400 || status === 422) return { kind: 'bad_request' };
  if (status === 401 || status === 403) return { kind: 'auth' };
  if (status === 402) return { kind: 'balance' };
  if (status === 404) return { kind: 'not_found' };
  if (status === 408 || status === 504) return { kind: 'timeout' };
  if (status === 413) return { kind: 'context_length' };
  if (status === 429) return { kind: 'rate_limit' };
  if (status === 451) return { kind: 'content_filter' };
  if (status === 503 || status === 529) return { kind: 'overloaded' };
  if (status >= 500) return { kind: 'server' };
  return { kind: 'invalid_response' };
}

const CONTEXT_LENGTH_HINT = /context.length|maximum context|token limit|too long|input length/i;

/** Status first, refined by wording every OpenAI-like provider uses. */
export function classifyOpenAiError(status: number, fields: UpstreamErrorFields): Classification {
  const base = classifyByStatus(status);
  const providerCode = fields.code ?? fields.type;
  if (base.kind === 'bad_request' && CONTEXT_LENGTH_HINT.test(fields.message ?? '')) {
    return { kind: 'context_length', providerCode };
  }
  return { ...base, providerCode };
}

/** Drops the empty `role: ""` some providers put on every delta. */
export function normalizeOpenAiMessage(message: JsonObject): void {
  if (message.role === '') delete message.role;
}

/** How most providers take a key: `Authorization: Bearer <key>`. */
export const bearerAuth = (apiKey: string): Record<string, string> => ({ Authorization: `Bearer ${apiKey}` });

export interface ProviderOverrides extends Partial<Omit<ProviderAdapter, 'id' | 'baseUrl'>> {
  id: ProviderId;
  baseUrl: string;
}

export function defineProvider(overrides: ProviderOverrides): ProviderAdapter {
  return {
    requestHeaders: bearerAuth,
    acceptsStreamUsageOption: true,
    transformRequest: (body) => body,
    convertUsage: convertOpenAiUsage,
    classifyError: classifyOpenAiError,
    inBandError: () => undefined,
    normalizeMessage: normalizeOpenAiMessage,
    contentFilterFinishReasons: ['content_filter'],
    ...overrides,
  };
}

/** Sets a numeric field into [min, max] when present (providers reject what OpenAI accepts). */
export function clampField(body: JsonObject, field: string, min: number, max: number): void {
  const value = body[field];
  if (typeof value === 'number') body[field] = Math.min(max, Math.max(min, value));
}

export function dropFields(body: JsonObject, fields: readonly string[]): void {
  for (const field of fields) delete body[field];
}

/** Top-level keys some providers add to answers and chunks (MiniMax's base_resp and sensitivity flags). */
export function dropProviderExtras(payload: JsonObject): void {
  delete payload.base_resp;
  delete payload.input_sensitive;
  delete payload.output_sensitive;
}

/**
 * Normalizes one choice of an answer or chunk in place — its usage moved out,
 * `finish_reason: ""` as null, its `message` or `delta` made OpenAI's — and
 * returns that message.
 */
export function normalizeChoice(adapter: ProviderAdapter, choice: JsonObject, field: 'message' | 'delta'): JsonObject {
  delete choice.usage;
  if (choice.finish_reason === '') choice.finish_reason = null;
  const current = choice[field];
  const message = isObject(current) ? current : {};
  adapter.normalizeMessage(message);
  choice[field] = message;
  return message;
}

/** An error sent inside a successful answer or chunk: the provider's own (MiniMax's base_resp) or an OpenAI `error` object. */
export function errorInAnswer(adapter: ProviderAdapter, payload: JsonObject): UpstreamErrorFields | undefined {
  return adapter.inBandError(payload) ?? (isObject(payload.error) ? readErrorFields(payload) : undefined);
}

/** find-token's own request fields: they never reach a provider. */
const GATEWAY_FIELDS = ['routing', 'models', 'max_price', 'billing_mode', 'provider_key'] as const;

/**
 * The request a provider receives: the client's, with find-token fields removed,
 * the upstream model id, `developer` as `system`, `max_completion_tokens` as
 * `max_tokens`, usage asked for on streams, then the provider's own changes.
 * `outputLimit`: the output limit find-token granted a request that set none,
 * sent as `max_tokens` (a provider that names it otherwise renames it in its
 * transformRequest), so the provider cannot return more than was held for.
 */
export function buildUpstreamBody(
  adapter: ProviderAdapter,
  model: CatalogModel,
  request: JsonObject,
  stream: boolean,
  outputLimit?: number,
): JsonObject {
  const body: JsonObject = { ...request };
  dropFields(body, GATEWAY_FIELDS);
  body.model = model.upstreamModel;
  Object.assign(body, model.upstreamParams);
  if (body.max_completion_tokens != null) body.max_tokens = body.max_completion_tokens;
  delete body.max_completion_tokens;
  if (outputLimit !== undefined && body.max_tokens == null) body.max_tokens = outputLimit;
  if (Array.isArray(body.messages)) {
    body.messages = body.messages.map((message: unknown) =>
      isObject(message) && message.role === 'developer' ? { ...message, role: 'system' } : message,
    );
  }
  body.stream = stream;
  if (stream && adapter.acceptsStreamUsageOption) body.stream_options = { include_usage: true };
  else delete body.stream_options;
  return adapter.transformRequest(body, model);
}
