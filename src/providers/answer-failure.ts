/**
 * Whether an answer read whole is a failure, and which: by its HTTP status, or
 * by an error the provider put inside a 200 (MiniMax's base_resp, an OpenAI
 * `error` object). The chat call and the probe read errors this one way.
 */
import type { UpstreamFailure } from '../base/upstream';
import { errorInAnswer } from './openai-compatible';
import type { Classification, ProviderAdapter, UpstreamErrorFields } from './types';
import { isObject, readErrorFields } from './upstream-schemas';

/** Retry-After in seconds (the form providers send), as milliseconds. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

export function upstreamFailure(adapter: ProviderAdapter, response: Response, classification: Classification, fields: UpstreamErrorFields): UpstreamFailure {
  return {
    ...classification,
    provider: adapter.id,
    status: response.status,
    providerMessage: fields.message,
    retryAfterMs: parseRetryAfter(response.headers.get('Retry-After')),
  };
}

/** The failure `payload` (the parsed body) is, or undefined for a successful answer. */
export function answerFailure(adapter: ProviderAdapter, response: Response, payload: unknown): UpstreamFailure | undefined {
  if (!response.ok) {
    const fields = readErrorFields(payload);
    return upstreamFailure(adapter, response, adapter.classifyError(response.status, fields), fields);
  }
  const inBand = isObject(payload) ? errorInAnswer(adapter, payload) : undefined;
  return inBand && upstreamFailure(adapter, response, adapter.classifyError(response.status, inBand), inBand);
}
