import type { ProviderId } from './provider-id';
import type { CatalogModel } from '../routing/catalog';

/** Token usage in one shape whatever the provider sent; billing only ever sees this. */
export interface NormalizedUsage {
  /** All prompt tokens, cached ones included. */
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens served from the provider's cache (a subset of promptTokens). */
  cachedTokens: number;
  /** Reasoning tokens (a subset of completionTokens; billed as output). */
  reasoningTokens: number;
}

/**
 * Why an upstream call failed, as the router needs to know it:
 * request faults are the client's, the rest make the provider unavailable.
 */
export type UpstreamFailureKind =
  | 'bad_request'
  | 'context_length'
  | 'content_filter'
  | 'auth'
  | 'balance'
  | 'rate_limit'
  | 'overloaded'
  | 'server'
  | 'not_found'
  | 'timeout'
  | 'connection'
  | 'stream_cut'
  | 'invalid_response';

export interface UpstreamFailure {
  kind: UpstreamFailureKind;
  provider: ProviderId;
  status?: number;
  /** The provider's own error code, kept for support and for content filters. */
  providerCode?: string;
  /** The provider's message; only shown to the client for request faults, after redaction. */
  providerMessage?: string;
  retryAfterMs?: number;
}

/** The fields an error body carries, wherever the provider put them. */
export interface UpstreamErrorFields {
  code?: string;
  type?: string;
  message?: string;
}

export type Classification = Pick<UpstreamFailure, 'kind'> & { providerCode?: string };

/** A JSON object from upstream, read leniently. */
export type JsonObject = Record<string, unknown>;

/** A provider adapter: its differences from the OpenAI-compatible core, nothing else. */
export interface ProviderAdapter {
  id: ProviderId;
  /** Whether the provider accepts `stream_options.include_usage` (then it is always sent). */
  acceptsStreamUsageOption: boolean;
  /** Provider-specific request changes (parameter clamps, dropped fields), after the core mapping. */
  transformRequest(body: JsonObject, model: CatalogModel): JsonObject;
  /** Usage from a response or chunk in this provider's shape; undefined when it carries none. */
  convertUsage(payload: JsonObject): NormalizedUsage | undefined;
  /** Maps an error response (or in-band error) to a failure kind. */
  classifyError(status: number, fields: UpstreamErrorFields): Classification;
  /** Errors sent with HTTP 200 (MiniMax base_resp); undefined when the body is a normal answer. */
  inBandError(payload: JsonObject): UpstreamErrorFields | undefined;
  /** Makes a chunk or message delta look like OpenAI's (in place). */
  normalizeMessage(message: JsonObject): void;
  /** finish_reason values that mean the provider's content filter stopped the answer. */
  contentFilterFinishReasons: readonly string[];
}
