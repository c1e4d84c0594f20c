/**
 * Where and how a call to a provider goes: its effective base URL (the
 * operator's `<ID>_BASE_URL` override, else the adapter's public endpoint) and
 * the one builder of URL, headers and body that the chat call and the probe share.
 */
import type { Config } from '../env';
import type { CatalogModel } from '../base/catalog';
import type { ProviderId } from '../base/provider-id';
import type { JsonObject } from '../base/upstream';
import { buildUpstreamBody } from './openai-compatible';
import { getAdapter } from './registry';
import type { ProviderAdapter } from './types';

/** A provider, the prefix its calls go to, and the key they are made with. */
export interface UpstreamTarget {
  adapter: ProviderAdapter;
  /** The OpenAI-compatible prefix, without a trailing slash. */
  baseUrl: string;
  apiKey: string;
}

/** The base URL calls to `provider` use: the configured override, else the adapter's default. */
export function resolveBaseUrl(config: Pick<Config, 'providers'>, provider: ProviderId): string {
  return config.providers[provider].baseUrlOverride ?? getAdapter(provider).baseUrl;
}

export function upstreamTarget(config: Pick<Config, 'providers'>, provider: ProviderId, apiKey: string): UpstreamTarget {
  return { adapter: getAdapter(provider), baseUrl: resolveBaseUrl(config, provider), apiKey };
}

export type UpstreamEndpoint =
  /** POST /chat/completions with the client's request mapped to the provider's (`outputLimit`: see buildUpstreamBody). */
  | { kind: 'chat'; model: CatalogModel; request: JsonObject; stream: boolean; outputLimit?: number }
  /** GET /models: the cheapest call that proves a key works (no tokens, no cost). */
  | { kind: 'models' };

/** A request ready for `fetch`, less its abort signal. */
export interface UpstreamRequest {
  url: string;
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string };
}

export function buildUpstreamRequest(target: UpstreamTarget, endpoint: UpstreamEndpoint): UpstreamRequest {
  const { adapter, baseUrl, apiKey } = target;
  if (endpoint.kind === 'models') {
    return { url: `${baseUrl}/models`, init: { method: 'GET', headers: { ...adapter.requestHeaders(apiKey), Accept: 'application/json' } } };
  }
  const body = buildUpstreamBody(adapter, endpoint.model, endpoint.request, endpoint.stream, endpoint.outputLimit);
  return {
    url: `${baseUrl}/chat/completions`,
    init: {
      method: 'POST',
      headers: {
        ...adapter.requestHeaders(apiKey),
        'Content-Type': 'application/json',
        Accept: endpoint.stream ? 'text/event-stream' : 'application/json',
      },
      body: JSON.stringify(body),
    },
  };
}
