/**
 * Which models may serve a request, and in what order to try them: a pure
 * function of the catalog, what the request needs, which providers can be
 * called for it, their health, and the routing strategy.
 *
 * - auto: the requested model first; then its group's equivalents, healthiest
 *   (then fastest) first.
 * - cheapest: every candidate by its price for this request, then health, then
 *   latency.
 * - fallback: the requested model, then the group in the catalog's order.
 * - none: the requested model alone.
 * A request's `models` replace the group (in their order); the key's allowlist
 * and `max_price` leave out any candidate outside them, whatever the strategy.
 *
 * Candidates whose circuit is open are left out, unless every one is open: then
 * the best of them is still tried rather than refusing blindly.
 */
import type { ProviderId } from '../base/provider-id';
import type { RoutingStrategy } from '../schemas/chat-request';
import { CATALOG, type CatalogModel } from '../base/catalog';

export type CircuitState = 'closed' | 'half_open' | 'open';

export interface ProviderStatus {
  state: CircuitState;
  /** Smoothed latency of recent successful calls; undefined before the first. */
  latencyMs: number | undefined;
}

export interface RequestNeeds {
  tools: boolean;
  promptEstimate: number;
  /** max_tokens (or max_completion_tokens) as asked; undefined when the request left it out. */
  maxTokens: number | undefined;
}

export interface PlanInput {
  requested: CatalogModel;
  strategy: RoutingStrategy;
  needs: RequestNeeds;
  /** Whether this request may call the provider at all (a platform key; for BYOK, the user's own key). */
  usable: (provider: ProviderId) => boolean;
  /** Whether the request may be served by the model (the key's allowlist, max_price); absent = every model. */
  allowed?: (model: CatalogModel) => boolean;
  /** The request's own fallbacks (`models`), in order, replacing the requested model's group. */
  fallbacks?: readonly CatalogModel[];
  health: (provider: ProviderId) => ProviderStatus;
}

/** Output tokens a request without max_tokens is priced at when comparing models. */
export const NOMINAL_OUTPUT_TOKENS = 1_000;

const HEALTH_RANK: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };

/** Why the model cannot take this request (tools, its output cap, its context window), or undefined when it can. */
export function misfit(model: CatalogModel, needs: RequestNeeds): 'tools' | 'max_tokens' | 'context' | undefined {
  if (needs.tools && !model.capabilities.tools) return 'tools';
  if (needs.maxTokens !== undefined && needs.maxTokens > model.maxOutputTokens) return 'max_tokens';
  return needs.promptEstimate + (needs.maxTokens ?? 0) > model.contextLength ? 'context' : undefined;
}

export const fits = (model: CatalogModel, needs: RequestNeeds): boolean => misfit(model, needs) === undefined;

/** The request's price on a model, in units × 1M (comparable across models; exact in a double). */
export function requestPrice(model: CatalogModel, needs: RequestNeeds): number {
  return needs.promptEstimate * model.price.input + (needs.maxTokens ?? NOMINAL_OUTPUT_TOKENS) * model.price.output;
}

export function planRoute(input: PlanInput): CatalogModel[] {
  const { requested, needs } = input;
  const status = new Map<ProviderId, ProviderStatus>();
  const statusOf = (model: CatalogModel): ProviderStatus => {
    let known = status.get(model.provider);
    if (!known) status.set(model.provider, (known = input.health(model.provider)));
    return known;
  };
  const byHealth = (a: CatalogModel, b: CatalogModel) =>
    HEALTH_RANK[statusOf(a).state] - HEALTH_RANK[statusOf(b).state] ||
    (statusOf(a).latencyMs ?? Number.POSITIVE_INFINITY) - (statusOf(b).latencyMs ?? Number.POSITIVE_INFINITY);

  const group = input.fallbacks ?? CATALOG.filter((model) => model.group === requested.group);
  // routing "none": the requested model alone (its retries, no failover).
  const alternatives = input.strategy === 'none' ? [] : group.filter((model) => model.id !== requested.id);
  const allowed = input.allowed ?? (() => true);
  const candidates = [requested, ...alternatives].filter((model) => input.usable(model.provider) && allowed(model) && fits(model, needs));
  // Array.prototype.sort is stable: equal keys keep the catalog's order.
  let ordered: CatalogModel[];
  switch (input.strategy) {
    case 'fallback':
    case 'none':
      ordered = candidates;
      break;
    case 'cheapest':
      ordered = [...candidates].sort((a, b) => requestPrice(a, needs) - requestPrice(b, needs) || byHealth(a, b));
      break;
    case 'auto': {
      const [first, ...rest] = candidates;
      ordered = first === requested ? [first, ...rest.sort(byHealth)] : [...candidates].sort(byHealth);
      break;
    }
  }
  const available = ordered.filter((model) => statusOf(model).state !== 'open');
  return available.length > 0 ? available : ordered.slice(0, 1);
}
