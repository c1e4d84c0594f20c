/**
 * What a chat request needs of any model serving it, and the ordered candidates
 * that may serve it among the providers its credentials allow.
 */
import type { Config } from '../env';
import { contextLengthExceeded, invalidValue, modelNotAllowed, modelNotFound, providerNotConfigured, unsupportedParameter, type ApiError } from '../errors';
import type { ProviderId } from '../base/provider-id';
import { estimatePromptTokens } from '../providers/token-estimate';
import type { ChatRequest, RoutingStrategy } from '../schemas/chat-request';
import { CATALOG, findModel, type CatalogModel } from '../base/catalog';
import { formatUsd } from '../base/money';
import type { ProviderHealth } from './health';
import { misfit, planRoute, type RequestNeeds } from './strategies';

export interface ChatNeeds {
  model: CatalogModel;
  strategy: RoutingStrategy;
  needs: RequestNeeds;
  /** The only models the key may use (null: every model): no candidate outside them. */
  allowed: readonly string[] | null;
  /** The request's `models`: its fallbacks in order, replacing the group (null: the group). */
  fallbacks: CatalogModel[] | null;
  /** The request's `max_price` in units per 1M tokens: no candidate priced above either. */
  maxPrice: { prompt?: number; completion?: number } | null;
}

/** Whether a model's list price is within a request's max_price (prices per 1M tokens, before the fee). */
const withinPrice = (model: CatalogModel, maxPrice: NonNullable<ChatNeeds['maxPrice']>): boolean =>
  (maxPrice.prompt === undefined || model.price.input <= maxPrice.prompt) && (maxPrice.completion === undefined || model.price.output <= maxPrice.completion);

/** The model and what the request needs of any model serving it; throws the client's 400/403/404. */
export function readNeeds(request: ChatRequest, allowed: readonly string[] | null = null): ChatNeeds {
  const model = findModel(request.model);
  if (!model) throw modelNotFound(request.model);
  if (allowed && !allowed.includes(model.id)) throw modelNotAllowed(model.id, allowed);
  const fallbacks = request.models?.map((id) => findModel(id)!) ?? null;
  const outside = allowed && request.models?.findIndex((id) => !allowed.includes(id));
  if (allowed && outside !== null && outside !== undefined && outside >= 0) throw modelNotAllowed(request.models![outside]!, allowed, `models[${outside}]`);
  const maxPrice = request.max_price ?? null;
  // The model the client named must be within its own max_price: asking for both is a contradiction.
  if (maxPrice && !withinPrice(model, maxPrice)) throw invalidValue(priceRefusal(model, maxPrice), 'max_price');
  const needs: RequestNeeds = {
    tools: (request.tools?.length ?? 0) > 0,
    promptEstimate: estimatePromptTokens(request),
    maxTokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
  };
  // The model the client named must take its tools and max_tokens: that is a 400. A prompt too long for
  // its window is not (yet): an equivalent with a larger one may serve it, and the planner decides.
  switch (misfit(model, needs)) {
    case 'tools':
      throw unsupportedParameter(`The model '${model.id}' does not support tools.`, 'tools');
    case 'max_tokens': {
      const param = request.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
      throw invalidValue(`${param} is too large: ${model.id} supports at most ${model.maxOutputTokens} output tokens.`, param);
    }
  }
  return { model, strategy: request.routing ?? 'auto', needs, allowed, fallbacks, maxPrice };
}

function priceRefusal(model: CatalogModel, maxPrice: NonNullable<ChatNeeds['maxPrice']>): string {
  const price = `$${formatUsd(model.price.input)} prompt and $${formatUsd(model.price.output)} completion per 1M tokens`;
  const max = [maxPrice.prompt !== undefined ? `prompt $${formatUsd(maxPrice.prompt)}` : '', maxPrice.completion !== undefined ? `completion $${formatUsd(maxPrice.completion)}` : ''].filter(Boolean).join(', ');
  return `The model '${model.id}' costs ${price}, above max_price (${max}). Raise max_price, or ask for a cheaper model.`;
}

/** Which providers this request may call (whose keys it has), and the one an inline key names. */
export interface ProviderFilter {
  usable: (provider: ProviderId) => boolean;
  inlineProvider?: ProviderId;
}

/** The ordered candidates that may serve the request; throws when nothing can. */
export function planCandidates(chat: ChatNeeds, providers: ProviderFilter, config: Config, health: ProviderHealth, now: number): CatalogModel[] {
  const { usable } = providers;
  const { allowed, maxPrice, fallbacks } = chat;
  const plan = planRoute({
    requested: chat.model,
    strategy: chat.strategy,
    needs: chat.needs,
    usable,
    allowed: (model: CatalogModel) => (!allowed || allowed.includes(model.id)) && (!maxPrice || withinPrice(model, maxPrice)),
    ...(fallbacks ? { fallbacks } : {}),
    health: (provider) => health.status(provider, now, config),
  });
  if (plan.length === 0) throw noRoute(chat, providers);
  return plan;
}

function noRoute({ model, needs }: ChatNeeds, { usable, inlineProvider }: ProviderFilter): ApiError {
  const group = [model, ...CATALOG.filter((other) => other.group === model.group && other !== model)];
  const reachable = group.filter((candidate) => usable(candidate.provider));
  if (reachable.length === 0) {
    if (inlineProvider) {
      return invalidValue(
        `provider_key is for ${inlineProvider}, which serves neither ${model.id} nor its equivalents (${group.map((m) => m.id).join(', ')}).`,
        'provider_key.provider',
      );
    }
    return providerNotConfigured(`The provider ${model.provider} is not configured on this gateway.`);
  }
  const window = Math.max(...reachable.map((candidate) => candidate.contextLength));
  return contextLengthExceeded(
    `The request needs about ${needs.promptEstimate + (needs.maxTokens ?? 0)} tokens (prompt plus max_tokens); the largest context window that can serve it is ${window}.`,
  );
}
