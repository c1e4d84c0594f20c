import type { ProviderId } from '../base/provider-id';
import type { JsonObject, NormalizedUsage, UpstreamFailure } from '../base/upstream';
import type { CatalogModel } from '../base/catalog';

/** The fields an error body carries, wherever the provider put them. */
export interface UpstreamErrorFields {
  code?: string;
  type?: string;
  message?: string;
}

export type Classification = Pick<UpstreamFailure, 'kind'> & { providerCode?: string };

/** A provider adapter: its differences from the OpenAI-compatible core, nothing else. */
export interface ProviderAdapter {
  id: ProviderId;
  /** The provider's public OpenAI-compatible prefix (no trailing slash); `<ID>_BASE_URL` overrides it. */
  baseUrl: string;
  /** Headers that authenticate a call with `apiKey` (default `Authorization: Bearer <key>`). */
  requestHeaders(apiKey: string): Record<string, string>;
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
