/**
 * The vocabulary every layer shares about an upstream call: its usage in one
 * shape and why it failed. Providers produce these, the relay carries them,
 * routing decides on them, billing charges them.
 */
import type { ProviderId } from './provider-id';

/** A JSON object from upstream, read leniently. */
export type JsonObject = Record<string, unknown>;

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
